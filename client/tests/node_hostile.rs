//! The hostile contracts on a real node: the attacks of the runtime's hostile test (one
//! list, `runtime/tests/common/attacks.rs`), each sent as a transaction to a node of
//! the zombienet network and followed by an ordinary transfer. Every failure is
//! explained by its dry run in words, every transaction is included with the outcome the
//! attack must have, every transfer succeeds, every block stays within its weight, and
//! the nodes' memory stays bounded.
//!
//! `scripts/network-test.sh` runs it (zombienet/0001-network.zndsl, `hostile.sh`); it
//! needs a node, so it is ignored elsewhere:
//! `PVM_NODE_URL=ws://127.0.0.1:9944 cargo test -p pvm-client --test node_hostile -- --ignored`.

use anyhow::{bail, ensure, Context, Result};
use codec::{Decode, Encode};
use pallet_pvm_contracts::Code;
use pvm_client::chain::{self, Chain};
use pvm_client::{input, node::NodeChain, report};
use runtime::{Runtime, RuntimeCall, DEPOSIT_PER_ITEM, UNIT};
use sp_core::{Pair, H256};
use sp_runtime::{AccountId32, DispatchError};

#[path = "../../runtime/tests/common/attacks.rs"]
mod attacks;
use attacks::{attacks, GAS_LIMIT};

/// The most memory (peak resident set) a node may use while it is attacked.
const NODE_MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// Signs `call` with `signer` and submits it; returns its dispatch result once finalized.
fn submit(chain: &mut Chain, signer: &sp_core::sr25519::Pair, call: RuntimeCall) -> Result<Result<(), DispatchError>> {
    let who: AccountId32 = signer.public().into();
    let nonce = chain.nonce(&who)?;
    let extrinsic = runtime::native::sign(call, signer, nonce, chain.genesis_hash());
    let (block, _events, result) = chain.submit(extrinsic)?;
    println!("    {block}");
    Ok(result)
}

/// Peak and current resident memory (KiB) of every `pvm-node` process on this machine.
fn node_memory() -> Vec<(u32, u64, u64)> {
    let mut nodes = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        if status.lines().next() != Some("Name:\tpvm-node") {
            continue;
        }
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|value| value.trim().trim_end_matches(" kB").parse::<u64>().ok())
                .unwrap_or(0)
        };
        nodes.push((pid, field("VmHWM:"), field("VmRSS:")));
    }
    nodes
}

#[test]
#[ignore = "needs a node at PVM_NODE_URL (scripts/network-test.sh runs it)"]
fn hostile_contracts_do_not_stop_a_node() -> Result<()> {
    let url = std::env::var("PVM_NODE_URL").context("set PVM_NODE_URL to a node's RPC address")?;
    let mut chain = Chain::Node(NodeChain::connect(&url)?);
    let (alice, bob) = (input::keypair("//Alice")?, input::keypair("//Bob")?);
    let alice_id: AccountId32 = alice.public().into();
    let charlie = input::account("//Charlie")?;
    let first_block = chain.best_number()?;
    println!("==> nodes before: {:?} (pid, peak KiB, resident KiB)", node_memory());

    // The host-test contract, under a salt of its own (the network may run this twice).
    let code = guest_programs::our_blob("host-test").context("the host-test contract is built")?.to_vec();
    let salt = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos().to_le_bytes().to_vec();
    println!("==> deploying host-test");
    let deploy = chain::instantiate_call(Code::Upload(code.clone()), 0, GAS_LIMIT, UNIT, Vec::new(), salt.clone());
    submit(&mut chain, &alice, deploy)?.map_err(|error| anyhow::anyhow!("deploy: {}", report::error(&error)))?;
    let code_hash = H256(sp_io::hashing::blake2_256(&code));
    let contract = pallet_pvm_contracts::Pallet::<Runtime>::contract_address(&alice_id, &code_hash, &salt);

    for attack in attacks(contract.clone().into(), UNIT, DEPOSIT_PER_ITEM) {
        println!("==> {}", attack.name);
        let data = attack.msg.encode();
        let dry = chain.dry_run_call(
            alice_id.clone(),
            contract.clone(),
            0,
            Some(GAS_LIMIT),
            Some(attack.deposit_limit),
            data.clone(),
        )?;
        if let Some(words) = attack.explained {
            let failure = dry.failure.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            println!("    dry run: {failure}");
            ensure!(failure.contains(words), "{}: the dry run says '{failure}', not '{words}'", attack.name);
        }
        let call = RuntimeCall::Contracts(pallet_pvm_contracts::Call::call {
            dest: contract.clone(),
            value: 0,
            gas_limit: GAS_LIMIT,
            storage_deposit_limit: attack.deposit_limit,
            data,
        });
        match (attack.error, submit(&mut chain, &alice, call)?) {
            (None, Ok(())) => println!("    succeeded, as it must"),
            (Some(expected), Err(error)) => {
                let said = report::error(&error);
                println!("    failed: {said}");
                ensure!(said.contains(expected), "{}: expected {expected}, got {said}", attack.name);
            }
            (expected, outcome) => bail!("{}: expected {expected:?}, got {outcome:?}", attack.name),
        }

        // An ordinary transfer after it is included and succeeds.
        let before = chain.account(&charlie)?.data.free;
        let transfer = RuntimeCall::Balances(runtime::BalancesCall::transfer_keep_alive {
            dest: charlie.clone().into(),
            value: UNIT,
        });
        submit(&mut chain, &bob, transfer)?.map_err(|error| anyhow::anyhow!("transfer: {}", report::error(&error)))?;
        ensure!(chain.account(&charlie)?.data.free == before + UNIT, "{}: the transfer did not arrive", attack.name);
    }

    // Every block since the first attack stayed within its weight.
    let Chain::Node(node) = &chain else { unreachable!("a node") };
    let last_block = node.best_number()?;
    let max_block = runtime::RuntimeBlockWeights::get().max_block;
    let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"BlockWeight")].concat();
    let mut heaviest = frame_support::weights::Weight::zero();
    for number in first_block + 1..=last_block {
        let bytes = node.storage_at(number, &key)?.with_context(|| format!("no block weight in block {number}"))?;
        let weight =
            frame_support::dispatch::PerDispatchClass::<frame_support::weights::Weight>::decode(&mut &bytes[..])
                .context("undecodable block weight")?
                .total();
        ensure!(weight.all_lte(max_block), "block {number}: weight {weight:?} over {max_block:?}");
        heaviest = heaviest.max(weight);
    }
    println!(
        "==> blocks {}..={last_block}: the heaviest used {:.1}% of the block's reference time",
        first_block + 1,
        heaviest.ref_time() as f64 * 100.0 / max_block.ref_time() as f64
    );

    let nodes = node_memory();
    println!("==> nodes after: {nodes:?} (pid, peak KiB, resident KiB)");
    for (pid, peak, _) in nodes {
        ensure!(peak <= NODE_MEMORY_LIMIT_KIB, "node {pid} used {peak} KiB at its peak");
    }
    Ok(())
}
