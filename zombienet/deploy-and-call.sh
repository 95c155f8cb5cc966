#!/usr/bin/env bash
# zombienet `run` script (0001-network.zndsl): deploys the token contract on alice with
# pvm-client over RPC, transfers 250 tokens from Alice to Bob in a signed transaction on
# alice, then reads the balances on bob (a dry run on bob's state), and checks that
# alice runs contracts on the node (pvm-host, recompiled) and charlie in the runtime's
# Wasm, with the same dry-run output and gas.
#
#   alice: run ./deploy-and-call.sh with "ws://127.0.0.1:9944,ws://127.0.0.1:9945,ws://127.0.0.1:9946" within 300 seconds
#
# Arguments: alice's, bob's and charlie's RPC URLs. zombienet runs the script in its temporary
# directory, so the binaries and the blob come from the environment
# (scripts/network-test.sh sets them):
#   PVM_CLIENT      the pvm-client binary (default: `pvm-client` on PATH)
#   PVM_TOKEN_BLOB  the token contract's .polkavm blob (required)
# Only the exit code counts for zombienet; the output goes to its log.
set -euo pipefail

alice_url=${1:?alice URL}
bob_url=${2:?bob URL}
charlie_url=${3:?charlie URL}
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

echo "==> where contracts run"
expect_execution() {
    local url=$1 want=$2 info
    info=$("$client" --url "$url" info)
    echo "$info"
    if ! grep -q "^contracts run: $want" <<<"$info"; then
        echo "error: contracts do not run '$want' on $url" >&2
        return 1
    fi
}
expect_execution "$alice_url" "on the node, through the pvm-host runtime interface, on pvm's compiler"
expect_execution "$charlie_url" "in the runtime, on pvm's interpreter"

echo "==> the same dry run on alice (recompiled) and charlie (in the runtime's Wasm)"
# Both at their latest finalized block, which may differ for a moment: retry.
for attempt in $(seq 1 15); do
    on_alice=$("$client" --url "$alice_url" query "$token" --arg u8:1 --arg account://Bob)
    on_charlie=$("$client" --url "$charlie_url" query "$token" --arg u8:1 --arg account://Bob)
    if [ "$on_alice" = "$on_charlie" ]; then
        echo "$on_alice"
        break
    fi
    if [ "$attempt" = 15 ]; then
        echo "error: alice and charlie disagree:" >&2
        diff <(echo "$on_alice") <(echo "$on_charlie") >&2 || true
        exit 1
    fi
    sleep 2
done
echo "ok"
