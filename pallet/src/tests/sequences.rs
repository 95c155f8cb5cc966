//! Random sequences of extrinsics from a seeded generator: uploads, instantiations,
//! calls (the example contracts with valid and random messages; `host-test` storing,
//! transferring, calling, instantiating, terminating, trapping, running out of gas),
//! code removal, `set_code`, balance transfers, with random values, gas and deposit
//! limits. After every step the pallet's invariants must hold, and an extrinsic of the
//! pallet must not change the total issuance (the mock charges no fees). With
//! `host-execution`, each sequence also runs with contracts in the runtime and through
//! `pvm-host` on every backend and on a node whose limits force the runtime to run
//! most frames itself, with the same outcomes, events and state root.
//! `PALLET_SEQUENCES=N` runs N sequences (default 24) of 60 steps.

use codec::Encode;
use frame_support::traits::fungible::{Inspect, Mutate};
use sp_core::H256;
use sp_runtime::AccountId32;

use super::Msg;
use crate::invariants::check;
use crate::mock::*;
use crate::ContractInfoOf;

/// `rand`'s seeded generator, with the choices the steps make.
struct Rng(rand::rngs::StdRng);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(rand::SeedableRng::seed_from_u64(seed))
    }

    fn next(&mut self) -> u64 {
        rand::RngCore::next_u64(&mut self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// A small value, sometimes 0, sometimes large.
    fn value(&mut self) -> u128 {
        match self.below(4) {
            0 => 0,
            1 => self.below(100) as u128,
            2 => self.below(100_000) as u128,
            _ => u128::from(self.next() % INITIAL_BALANCE as u64),
        }
    }
}

const CODES: [&str; 7] = ["flipper", "counter", "token", "host-test", "registry", "wallet", "compute"];
const ACCOUNTS: [AccountId32; 4] = [ALICE, BOB, CHARLIE, DAVE];

fn code_hash(name: &str) -> H256 {
    H256(sp_io::hashing::blake2_256(&blob(name)))
}

/// The contracts that exist now.
fn contracts() -> Vec<AccountId32> {
    ContractInfoOf::<Test>::iter_keys().collect()
}

/// Someone to send to or call: an account or a contract.
fn target(rng: &mut Rng) -> AccountId32 {
    let contracts = contracts();
    if !contracts.is_empty() && rng.chance(50) {
        rng.pick(&contracts).clone()
    } else {
        rng.pick(&ACCOUNTS).clone()
    }
}

/// A `deploy` input for `name`: mostly valid, sometimes random.
fn deploy_input(rng: &mut Rng, name: &str) -> Vec<u8> {
    if rng.chance(15) {
        return rng.bytes(8);
    }
    match name {
        "flipper" => rng.chance(50).encode(),
        "counter" => (rng.next() % 1000).encode(),
        "token" => rng.value().encode(),
        "wallet" => {
            let owners: Vec<[u8; 32]> = ACCOUNTS[..1 + rng.below(3)].iter().map(|a| a.clone().into()).collect();
            (owners.clone(), 1 + rng.below(owners.len()) as u32).encode()
        }
        _ => Vec::new(),
    }
}

/// A `host-test` message; `depth` bounds nesting through `Call`.
fn host_test_msg(rng: &mut Rng, depth: u32) -> Msg {
    // Few distinct keys, so that items are overwritten and removed.
    let key = |rng: &mut Rng| vec![b'k', rng.below(4) as u8];
    match rng.below(14) {
        0..=2 => Msg::SetStorage { key: key(rng), value: rng.bytes(40) },
        3 => Msg::ClearStorage(key(rng)),
        4 => Msg::TakeStorage(key(rng)),
        5 => Msg::Transfer { to: target(rng).into(), value: rng.value() },
        6 => Msg::Terminate(target(rng).into()),
        7 if depth < 3 => Msg::Call {
            callee: target(rng).into(),
            value: rng.value() % 1000,
            gas_limit: if rng.chance(20) { rng.next() % 200_000 } else { 0 },
            flags: rng.below(2) as u64,
            input: host_test_msg(rng, depth + 1).encode(),
        },
        8 => Msg::Instantiate {
            code_hash: code_hash(CODES[rng.below(CODES.len())]).0,
            value: rng.value() % 1000,
            gas_limit: 0,
            input: Vec::new(),
            salt: rng.bytes(2),
        },
        9 => Msg::DepositEvent { topics: vec![[rng.next() as u8; 32]; rng.below(3)], data: rng.bytes(16) },
        10 => Msg::Revert(rng.bytes(4)),
        11 => Msg::Trap,
        12 => Msg::Alloc(rng.below(300_000) as u32),
        _ => Msg::WriteMany(rng.below(20) as u32),
    }
}

/// A `call` input for the contract at `address`.
fn call_input(rng: &mut Rng, address: &AccountId32) -> Vec<u8> {
    let code = ContractInfoOf::<Test>::get(address).map(|info| info.code_hash);
    if code == Some(code_hash("host-test")) && rng.chance(85) {
        return host_test_msg(rng, 0).encode();
    }
    if code == Some(code_hash("compute")) && rng.chance(70) {
        // Sieve (0) or Emulate (1) with a small amount of work.
        return (rng.below(2) as u8, rng.below(2000) as u32).encode();
    }
    // A message index and random arguments: valid for small contracts often enough.
    let mut input = vec![rng.below(6) as u8];
    input.extend(rng.bytes(40));
    input
}

fn gas(rng: &mut Rng) -> u64 {
    if rng.chance(15) {
        rng.next() % 100_000
    } else {
        GAS_LIMIT
    }
}

fn deposit_limit(rng: &mut Rng) -> u128 {
    if rng.chance(15) {
        rng.value()
    } else {
        NO_DEPOSIT_LIMIT
    }
}

/// What a step did (its dispatch result, weights included), for comparing runs.
type Outcome = String;

/// One random step; returns what it did and whether it was an extrinsic of the pallet.
fn step(rng: &mut Rng) -> (Outcome, bool) {
    let origin = RuntimeOrigin::signed(rng.pick(&ACCOUNTS).clone());
    let name = *rng.pick(&CODES);
    // Failures are part of the test: only the outcome and the state afterwards matter.
    let outcome = match rng.below(10) {
        0 => format!("{:?}", Contracts::upload_code(origin, blob(name), deposit_limit(rng))),
        1 | 2 => {
            let (value, gas, limit, input, salt) =
                (rng.value() % 10_000, gas(rng), deposit_limit(rng), deploy_input(rng, name), rng.bytes(2));
            format!("{:?}", Contracts::instantiate_with_code(origin, value, gas, limit, blob(name), input, salt))
        }
        3 => {
            let (value, gas, limit, input, salt) =
                (rng.value() % 10_000, gas(rng), deposit_limit(rng), deploy_input(rng, name), rng.bytes(2));
            format!("{:?}", Contracts::instantiate(origin, value, gas, limit, code_hash(name), input, salt))
        }
        4..=7 => {
            let contracts = contracts();
            let dest = if !contracts.is_empty() && rng.chance(85) { rng.pick(&contracts).clone() } else { target(rng) };
            let (input, value, gas, limit) =
                (call_input(rng, &dest), rng.value() % 10_000, gas(rng), deposit_limit(rng));
            format!("{:?}", Contracts::call(origin, dest, value, gas, limit, input))
        }
        8 if rng.chance(50) => format!("{:?}", Contracts::remove_code(origin, code_hash(name))),
        8 => format!("{:?}", Contracts::set_code(RuntimeOrigin::root(), target(rng), code_hash(name))),
        _ => {
            let (from, to) = (rng.pick(&ACCOUNTS).clone(), target(rng));
            let amount = rng.value().min(Balances::balance(&from) / 2);
            let result = <Balances as Mutate<_>>::transfer(
                &from,
                &to,
                amount,
                frame_support::traits::tokens::Preservation::Preserve,
            );
            return (format!("{result:?}"), false);
        }
    };
    (outcome, true)
}

/// What a run of a sequence did: each step's outcome, the events and the state root.
#[derive(PartialEq, Debug)]
struct Run {
    outcomes: Vec<Outcome>,
    events: Vec<frame_system::EventRecord<RuntimeEvent, H256>>,
    root: Vec<u8>,
}

/// Runs sequence `seed` (60 steps) in `ext`, checking the invariants after every step.
fn run_sequence(mut ext: TestExt, seed: u64) -> Run {
    let mut rng = Rng::new(seed);
    ext.execute_with(|| {
        let mut outcomes = Vec::new();
        for index in 0..60 {
            let issuance = Balances::total_issuance();
            let (outcome, of_pallet) = step(&mut rng);
            if let Err(problem) = check::<Test>() {
                panic!("seed {seed}, step {index} ({outcome}): {problem}");
            }
            if of_pallet {
                assert_eq!(Balances::total_issuance(), issuance, "seed {seed}, step {index}: issuance changed");
            }
            outcomes.push(outcome);
        }
        Run {
            outcomes,
            events: frame_system::Pallet::<Test>::events(),
            root: sp_io::storage::root(sp_runtime::StateVersion::V1),
        }
    })
}

/// The same sequence where contracts run in the runtime itself, and through `pvm-host`
/// on each backend: every outcome, event and the state must be the same.
#[cfg(feature = "host-execution")]
fn other_ways(seed: u64) -> Vec<(&'static str, Run)> {
    let mut in_runtime = new_test_ext();
    in_runtime.0.extensions.deregister(core::any::TypeId::of::<pvm_host::PvmHostExt>());
    let mut ways = vec![("in the runtime", run_sequence(in_runtime, seed))];
    for &backend in pvm::Backend::available() {
        let engine = pvm::Engine::new(&pvm::Config { backend }).expect("an available backend");
        let mut through_host = new_test_ext();
        through_host.0.register_extension(pvm_host::PvmHostExt::with_engine(engine));
        ways.push((backend.name(), run_sequence(through_host, seed)));
    }
    // A node that takes one code and one instance per runtime call: the pallet runs the
    // rest itself (nested frames, other codes), with the same results.
    let limits = pvm_host::Limits { modules: 1, instances: 1 };
    let mut tiny = new_test_ext();
    tiny.0.register_extension(pvm_host::PvmHostExt::from(pvm_host::Host::new(pvm::Engine::default(), limits)));
    ways.push(("a node with tiny limits", run_sequence(tiny, seed)));
    ways
}

#[test]
fn random_extrinsic_sequences_keep_the_invariants() {
    let sequences: u64 = std::env::var("PALLET_SEQUENCES").ok().and_then(|n| n.parse().ok()).unwrap_or(24);
    // What the sequences did, by event (printed with `--nocapture`).
    let mut seen = std::collections::BTreeMap::<&'static str, usize>::new();
    for seed in 0..sequences {
        let run = run_sequence(new_test_ext(), seed);
        // (Only where the first run is the one through the node: else the test command
        // runs this test again that way.)
        #[cfg(feature = "host-execution")]
        for (way, other) in other_ways(seed).into_iter().filter(|_| node_runs_contracts()) {
            if other != run {
                let step = run.outcomes.iter().zip(&other.outcomes).position(|(a, b)| a != b);
                panic!("seed {seed}: the run through pvm-host ({way}) differs at step {step:?}:\n{run:?}\n{other:?}");
            }
        }
        for record in &run.events {
            let kind = match &record.event {
                RuntimeEvent::Contracts(event) => match event {
                    crate::Event::CodeStored { .. } => "code stored",
                    crate::Event::CodeRemoved { .. } => "code removed",
                    crate::Event::Instantiated { .. } => "instantiated",
                    crate::Event::Called { .. } => "called",
                    crate::Event::ContractEmitted { .. } => "contract event",
                    crate::Event::Terminated { .. } => "terminated",
                    crate::Event::ContractCodeUpdated { .. } => "code set",
                    _ => "other",
                },
                RuntimeEvent::Balances(pallet_balances::Event::Transfer { .. }) => "transfer",
                _ => continue,
            };
            *seen.entry(kind).or_default() += 1;
        }
    }
    println!("{sequences} sequences of 60 steps: {seen:?}");
    // The sequences do reach contracts (not only failed uploads).
    let instantiated = seen.get("instantiated").copied().unwrap_or(0);
    assert!(instantiated as u64 >= sequences, "only {instantiated} instantiations in {sequences} sequences");
}
