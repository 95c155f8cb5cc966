#!/usr/bin/env bash
# zombienet `run` script (0001-network.zndsl): deploys the token contract on alice with
# pvm-client over RPC, transfers 250 tokens from Alice to Bob in a signed transaction on
# alice, then reads the balances on bob (a dry run on bob's state).
#
#   alice: run ./deploy-and-call.sh with "ws://127.0.0.1:9944,ws://127.0.0.1:9945" within 300 seconds
#
# Arguments: alice's RPC URL, bob's RPC URL. zombienet runs the script in its temporary
# directory, so the binaries and the blob come from the environment
# (scripts/network-test.sh sets them):
#   PVM_CLIENT      the pvm-client binary (default: `pvm-client` on PATH)
#   PVM_TOKEN_BLOB  the token contract's .polkavm blob (required)
# Only the exit code counts for zombienet; the output goes to its log.
set -euo pipefail

alice_url=${1:?alice URL}
bob_url=${2:?bob URL}
client=${PVM_CLIENT:-pvm-client}
blob=${PVM_TOKEN_BLOB:?set PVM_TOKEN_BLOB to the token contract blob}

echo "==> deploy $blob on $alice_url (1000 tokens to Alice)"
deployed=$("$client" --url "$alice_url" deploy "$blob" --arg u128:1000)
echo "$deployed"
token=$(sed -n 's/^contract: //p' <<<"$deployed")
if [ -z "$token" ]; then
    echo "error: no 'contract: <address>' line in the deploy output" >&2
    exit 1
fi

echo "==> call $token on $alice_url: Alice transfers 250 tokens to Bob"
"$client" --url "$alice_url" call "$token" --arg u8:2 --arg account://Bob --arg u128:250

# The call returns once its block is finalized, which takes bob's GRANDPA vote, so bob
# has the block; a few retries cover a best block that lags behind anyway.
expect_balance() {
    local who=$1 want=$2 got=""
    for _ in $(seq 1 15); do
        got=$("$client" --url "$bob_url" query "$token" --arg u8:1 --arg "account://$who" | sed -n 's/^result: returned //p')
        if [ "$got" = "$want" ]; then
            echo "$who's balance on $bob_url: $got"
            return 0
        fi
        sleep 2
    done
    echo "error: $who's balance on $bob_url is '$got', expected $want" >&2
    return 1
}

echo "==> query on $bob_url"
expect_balance Bob 0xfa000000000000000000000000000000   # 250
expect_balance Alice 0xee020000000000000000000000000000 # 750
echo "ok"
