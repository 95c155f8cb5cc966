//! Interop of the contracts in `contracts/`: every contract, linked by our linker and
//! by `polkavm-linker` 0.37, runs the same message sequences on our VM and on polkavm
//! 0.37 (interpreter, synchronous gas), against one mock of the contracts pallet's host
//! (`contract_host`, which says what is mocked). Four runs per scenario:
//!
//! | blob | VM |
//! |---|---|
//! | our linker (`guest_programs::our_blob`) | ours |
//! | our linker | polkavm |
//! | polkavm-linker (`guest_programs::blob(_, Latest64)`) | ours |
//! | polkavm-linker | polkavm |
//!
//! After every message the runs are compared: how it ended (return data, revert, trap
//! and by whom, out of gas), the whole state (balances, every contract's storage), the
//! events, the debug messages, the sequence of host calls, the heap size, and, between
//! the two VMs on the same blob, the gas consumed, the gas left and the gas at every host
//! call. Between the two linkers everything but gas is compared (the code differs), and
//! messages whose output depends on the gas (`gas_left`) are compared only between VMs.
//! Each message also has an expected outcome, taken from the pallet's tests, so that a
//! mock that is wrong in the same way for everyone does not go unnoticed.
//!
//! `cargo test -p differential --test contracts`

mod contract_host;

use abi::{call_flags, ReturnCode};
use codec::Encode;
use contract_host::{
    blake2_128, blake2_256, code_hash, contract_address, Account, End, Event, FrameResult, HostCall, OurVm, PolkaVm,
    State, Vm, World, CURRENT_BLOCK, CURRENT_TIME,
};

const GAS_LIMIT: u64 = 100_000_000;
const INITIAL_BALANCE: u128 = 1_000_000_000_000;

const ALICE: Account = [0xa1; 32];
const BOB: Account = [0xb0; 32];
const CHARLIE: Account = [0xc4; 32];
/// Has no balance at the start.
const DAVE: Account = [0xd5; 32];

/// A scenario: the messages sent, in order.
type Scenario = fn() -> Vec<Step>;

/// The programs in `contracts/` that import the contract host ABI, and their scenarios.
const SCENARIOS: &[(&str, Scenario)] = &[
    ("flipper", flipper),
    ("counter", counter),
    ("token", token),
    ("wallet", wallet),
    ("registry", registry),
    ("host-test", host_test),
    ("compute", compute),
];

// ---------------------------------------------------------------------------------------
// Scenario steps.

/// An account in a message; shown by name in step labels.
#[derive(Encode, Clone, Copy, PartialEq, Eq)]
struct Id(Account);

impl std::fmt::Debug for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let names = [(ALICE, "Alice"), (BOB, "Bob"), (CHARLIE, "Charlie"), (DAVE, "Dave")];
        match names.iter().find(|(account, _)| *account == self.0) {
            Some((_, name)) => f.write_str(name),
            None => write!(f, "0x{:02x}{:02x}{:02x}{:02x}..", self.0[0], self.0[1], self.0[2], self.0[3]),
        }
    }
}

/// `text` with every account in it (a `Debug`-printed `[u8; 32]`) shown as an [`Id`].
fn named(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        out += &rest[..start];
        rest = &rest[start..];
        let end = rest.find(']').unwrap_or(rest.len() - 1);
        let bytes: Option<Vec<u8>> = rest[1..end].split(", ").map(|byte| byte.parse().ok()).collect();
        match bytes.and_then(|bytes| Account::try_from(bytes).ok()) {
            Some(account) => {
                out += &format!("{:?}", Id(account));
                rest = &rest[end + 1..];
            }
            None => {
                out.push('[');
                rest = &rest[1..];
            }
        }
    }
    out + rest
}

/// A deployed contract: its label and address.
#[derive(Clone, Copy)]
struct Contract {
    label: &'static str,
    address: Account,
}

enum Action {
    Deploy { program: &'static str, deployer: Account, input: Vec<u8>, salt: Vec<u8>, address: Account },
    Call { caller: Account, contract: Account, input: Vec<u8> },
}

/// A check of a message's output.
type OutputCheck = Box<dyn Fn(&[u8]) -> bool>;

/// What a message must do on every run.
enum Expect {
    /// Return (not revert), with any output.
    Success,
    Returns(Vec<u8>),
    Reverts(Vec<u8>),
    /// The guest traps.
    Traps,
    /// A host function traps the frame, for a reason that contains this.
    HostTraps(&'static str),
    OutOfGas,
    Refused(ReturnCode),
    /// Return, with output that passes the check.
    ReturnsSuch(OutputCheck),
    Anything,
}

struct Step {
    label: String,
    action: Action,
    value: u128,
    gas_limit: u64,
    expect: Expect,
    /// The output depends on the gas (e.g. it contains `gas_left`), so it is compared
    /// only between VMs, not between linkers.
    gas_dependent: bool,
}

fn short(text: String) -> String {
    const MAX: usize = 110;
    if text.len() <= MAX {
        return text;
    }
    let cut = (0..=MAX).rev().find(|&i| text.is_char_boundary(i)).unwrap();
    format!("{}..", &text[..cut])
}

/// Deploys `program` with `salt` and `input` (SCALE-encoded by the caller).
fn deploy(
    program: &'static str,
    label: &'static str,
    deployer: Account,
    salt: &[u8],
    input: Vec<u8>,
) -> (Contract, Step) {
    let address = contract_address(&deployer, &code_hash(program), salt);
    let step = Step {
        label: short(format!(
            "{:?} deploys {label} ({program}, salt {:?}, input {input:?})",
            Id(deployer),
            String::from_utf8_lossy(salt)
        )),
        action: Action::Deploy { program, deployer, input, salt: salt.to_vec(), address },
        value: 0,
        gas_limit: GAS_LIMIT,
        expect: Expect::Returns(Vec::new()),
        gas_dependent: false,
    };
    (Contract { label, address }, step)
}

/// Calls `contract` with a message.
fn call(caller: Account, contract: Contract, msg: impl Encode + std::fmt::Debug) -> Step {
    let label = short(format!("{:?} -> {}: {}", Id(caller), contract.label, named(&format!("{msg:?}"))));
    call_raw(caller, contract, msg.encode()).label(label)
}

/// Calls `contract` with raw input.
fn call_raw(caller: Account, contract: Contract, input: Vec<u8>) -> Step {
    Step {
        label: short(format!("{:?} -> {}: raw {input:?}", Id(caller), contract.label)),
        action: Action::Call { caller, contract: contract.address, input },
        value: 0,
        gas_limit: GAS_LIMIT,
        expect: Expect::Success,
        gas_dependent: false,
    }
}

impl Step {
    fn label(mut self, label: String) -> Self {
        self.label = label;
        self
    }
    fn expect(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }
    /// Returns this value, SCALE-encoded.
    fn returns(self, value: impl Encode) -> Self {
        self.expect(Expect::Returns(value.encode()))
    }
    /// Reverts with these raw bytes.
    fn reverts(self, data: &[u8]) -> Self {
        self.expect(Expect::Reverts(data.to_vec()))
    }
    fn value(mut self, value: u128) -> Self {
        self.value = value;
        self.label += &format!(" (value {value})");
        self
    }
    fn gas(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self.label += &format!(" (gas limit {gas_limit})");
        self
    }
    fn gas_dependent(mut self) -> Self {
        self.gas_dependent = true;
        self
    }
}

/// Decodes a SCALE value that must be all of `bytes`.
fn decode<T: codec::Decode>(bytes: &[u8]) -> Option<T> {
    codec::DecodeAll::decode_all(&mut &bytes[..]).ok()
}

// ---------------------------------------------------------------------------------------
// The scenarios, with the contracts' own message types (their libraries).

fn flipper() -> Vec<Step> {
    use flipper::Msg;
    let (flipper, deploy_flipper) = deploy("flipper", "flipper", ALICE, b"", true.encode());
    let (second, deploy_second) = deploy("flipper", "flipper 2", BOB, b"2", false.encode());
    let (_, bad_deploy) = deploy("flipper", "flipper 3", BOB, b"3", vec![7]);
    vec![
        deploy_flipper,
        call(ALICE, flipper, Msg::Get).returns(true),
        call(BOB, flipper, Msg::Flip),
        call(ALICE, flipper, Msg::Get).returns(false),
        call(CHARLIE, flipper, Msg::Flip),
        call(DAVE, flipper, Msg::Get).returns(true),
        call_raw(ALICE, flipper, vec![2]).reverts(&[]),
        call_raw(ALICE, flipper, vec![]).reverts(&[]),
        call_raw(ALICE, flipper, vec![0, 0]).reverts(&[]),
        deploy_second,
        call(ALICE, second, Msg::Get).returns(false),
        call(ALICE, second, Msg::Flip).value(1_000),
        call(ALICE, second, Msg::Get).returns(true),
        bad_deploy.reverts(&[]),
    ]
}

fn counter() -> Vec<Step> {
    use counter::Msg;
    let (counter, deploy_counter) = deploy("counter", "counter", ALICE, b"", vec![]);
    let (second, deploy_second) = deploy("counter", "counter 2", BOB, b"41", 41u64.encode());
    vec![
        deploy_counter,
        call(ALICE, counter, Msg::Get).returns(0u64),
        call(ALICE, counter, Msg::Increment(5)),
        call(BOB, counter, Msg::Increment(7)),
        call(ALICE, counter, Msg::Get).returns(12u64),
        call(ALICE, counter, Msg::Increment(u64::MAX)).reverts(&[]),
        call(ALICE, counter, Msg::Get).returns(12u64),
        call(CHARLIE, counter, Msg::Reset),
        call(ALICE, counter, Msg::Get).returns(0u64),
        call(ALICE, counter, Msg::Increment(u64::MAX)),
        call(ALICE, counter, Msg::Get).returns(u64::MAX),
        deploy_second,
        call(BOB, second, Msg::Get).returns(41u64),
        call(BOB, second, Msg::Increment(1)),
        call(BOB, second, Msg::Get).returns(42u64),
        call_raw(BOB, second, vec![3]).reverts(&[]),
    ]
}

fn compute() -> Vec<Step> {
    use compute::Msg;
    let mut nes = Box::new(bench_kernels::emulator::Nes::new());
    nes.load_cartridge();
    nes.power_on();
    nes.run_frame();
    let (compute, deploy_compute) = deploy("compute", "compute", ALICE, b"", vec![]);
    vec![
        deploy_compute,
        call(ALICE, compute, Msg::Sieve(1000)).returns(168u32),
        call(BOB, compute, Msg::Sieve(65536)).returns(6542u32),
        call(ALICE, compute, Msg::Sieve(8191 * 128 + 1)).reverts(&[]),
        call(ALICE, compute, Msg::Emulate(1)).returns(nes.checksum()),
        call_raw(ALICE, compute, vec![2]).reverts(&[]),
    ]
}

fn token() -> Vec<Step> {
    use token::Msg::*;
    let (token, deploy_token) = deploy("token", "token", ALICE, b"", 1_000u128.encode());
    let [alice, bob, charlie, dave] = [ALICE, BOB, CHARLIE, DAVE];
    vec![
        deploy_token,
        call(BOB, token, TotalSupply).returns(1_000u128),
        call(BOB, token, BalanceOf(alice)).returns(1_000u128),
        call(BOB, token, BalanceOf(bob)).returns(0u128),
        call(ALICE, token, Transfer { to: bob, value: 300 }),
        call(ALICE, token, BalanceOf(alice)).returns(700u128),
        call(ALICE, token, BalanceOf(bob)).returns(300u128),
        call(BOB, token, Transfer { to: charlie, value: 301 }).reverts(&token::Error::InsufficientBalance.encode()),
        call(BOB, token, BalanceOf(bob)).returns(300u128),
        call(BOB, token, Approve { spender: charlie, value: 100 }),
        call(DAVE, token, Allowance { owner: bob, spender: charlie }).returns(100u128),
        call(CHARLIE, token, TransferFrom { from: bob, to: dave, value: 101 })
            .reverts(&token::Error::InsufficientAllowance.encode()),
        call(CHARLIE, token, TransferFrom { from: bob, to: dave, value: 60 }),
        call(ALICE, token, BalanceOf(bob)).returns(240u128),
        call(ALICE, token, BalanceOf(dave)).returns(60u128),
        call(ALICE, token, Allowance { owner: bob, spender: charlie }).returns(40u128),
        call(CHARLIE, token, TransferFrom { from: bob, to: charlie, value: 40 }),
        call(ALICE, token, Allowance { owner: bob, spender: charlie }).returns(0u128),
        call(DAVE, token, Approve { spender: alice, value: 1_000 }),
        call(ALICE, token, TransferFrom { from: dave, to: alice, value: 61 })
            .reverts(&token::Error::InsufficientBalance.encode()),
        call(ALICE, token, Transfer { to: alice, value: 700 }),
        call(ALICE, token, BalanceOf(alice)).returns(700u128),
        call(ALICE, token, Transfer { to: bob, value: 0 }),
        call(ALICE, token, TotalSupply).returns(1_000u128),
        call_raw(ALICE, token, vec![6]).reverts(&[]),
        call_raw(ALICE, token, vec![2, 1, 2, 3]).reverts(&[]),
    ]
}

fn wallet() -> Vec<Step> {
    use token::Msg as TokenMsg;
    use wallet::Msg::*;
    let [alice, bob, charlie, dave] = [ALICE, BOB, CHARLIE, DAVE];
    let owners = vec![alice, bob, charlie];
    let (wallet, deploy_wallet) = deploy("wallet", "wallet", ALICE, b"", (owners.clone(), 2u32).encode());
    let (token, deploy_token) = deploy("token", "token", ALICE, b"", 500u128.encode());
    let (_, bad_threshold) = deploy("wallet", "wallet 2", ALICE, b"2", (vec![alice], 2u32).encode());
    let (_, duplicate_owners) = deploy("wallet", "wallet 3", ALICE, b"3", (vec![alice, alice], 1u32).encode());
    let transfer = |to, value| TokenMsg::Transfer { to, value }.encode();
    vec![
        deploy_wallet.value(10_000),
        call(ALICE, wallet, Owners).returns(owners),
        // A plain transfer: submitted by Alice, executed on Bob's confirmation.
        call(ALICE, wallet, Submit { dest: dave, value: 1_000, input: vec![] }).returns(0u32),
        call(ALICE, wallet, Get(0)).returns((dave, 1_000u128, 1u32, false, false)),
        call(BOB, wallet, Confirm(0)),
        call(ALICE, wallet, Get(0)).returns((dave, 1_000u128, 2u32, true, true)),
        // A cross-contract call: the wallet moves tokens it owns.
        deploy_token,
        call(ALICE, token, TokenMsg::Transfer { to: wallet.address, value: 200 }),
        call(BOB, wallet, Submit { dest: token.address, value: 0, input: transfer(charlie, 50) }).returns(1u32),
        call(CHARLIE, wallet, Confirm(1)),
        call(ALICE, token, TokenMsg::BalanceOf(charlie)).returns(50u128),
        call(ALICE, token, TokenMsg::BalanceOf(wallet.address)).returns(150u128),
        // A call that reverts (the wallet has only 150 tokens) marks the proposal failed.
        call(BOB, wallet, Submit { dest: token.address, value: 0, input: transfer(charlie, 1_000) }).returns(2u32),
        call(ALICE, wallet, Confirm(2)),
        call(ALICE, wallet, Get(2)).returns((token.address, 0u128, 2u32, true, false)),
        // A transfer the wallet cannot afford fails the same way.
        call(ALICE, wallet, Submit { dest: dave, value: 1_000_000, input: vec![] }).returns(3u32),
        call(CHARLIE, wallet, Confirm(3)),
        call(ALICE, wallet, Get(3)).returns((dave, 1_000_000u128, 2u32, true, false)),
        // A call with value to a contract that is not one: the value stays.
        call(CHARLIE, wallet, Submit { dest: dave, value: 5, input: vec![1] }).returns(4u32),
        call(ALICE, wallet, Confirm(4)),
        call(ALICE, wallet, Get(4)).returns((dave, 5u128, 2u32, true, false)),
        // Refusals.
        call(DAVE, wallet, Submit { dest: dave, value: 1, input: vec![] }).reverts(&[]),
        call(BOB, wallet, Confirm(0)).reverts(&[]),
        call(ALICE, wallet, Confirm(1)).reverts(&[]),
        call(CHARLIE, wallet, Confirm(9)).reverts(&[]),
        call(CHARLIE, wallet, Get(9)).reverts(&[]),
        bad_threshold.reverts(&[]),
        duplicate_owners.reverts(&[]),
    ]
}

fn registry() -> Vec<Step> {
    use registry::Msg::*;
    let (registry, deploy_registry) = deploy("registry", "registry", ALICE, b"", vec![1, 2, 3]);
    let name = |name: &str| name.as_bytes().to_vec();
    let more = ["omega", "beta", "kappa", "delta", "a", "zz", "epsilon", "gamma", "iota", "theta", "eta", "lambda"];
    let mut sorted: Vec<Vec<u8>> = ["zeta", "alpha", "mid"].iter().chain(&more).map(|n| name(n)).collect();
    sorted.sort();

    let mut steps = vec![
        deploy_registry,
        call(ALICE, registry, Count).returns(0u32),
        call(ALICE, registry, Sorted).returns(Vec::<Vec<u8>>::new()),
        call(ALICE, registry, Register(name("zeta"))),
        call(BOB, registry, Register(name("alpha"))),
        call(CHARLIE, registry, Register(name("mid"))),
        call(BOB, registry, Register(name("zeta"))).reverts(&[]),
        call(ALICE, registry, Count).returns(3u32),
        call(ALICE, registry, Lookup(name("alpha"))).returns(Some(BOB)),
        call(ALICE, registry, Lookup(name("nope"))).returns(None::<Account>),
        call(ALICE, registry, Sorted).returns(vec![name("alpha"), name("mid"), name("zeta")]),
    ];
    for (index, n) in more.iter().enumerate() {
        let who = [ALICE, BOB, CHARLIE, DAVE][index % 4];
        steps.push(call(who, registry, Register(name(n))));
    }
    steps.extend([
        call(DAVE, registry, Register(name(&"long name ".repeat(40)))),
        call(ALICE, registry, Count).returns(16u32),
        call(ALICE, registry, Lookup(name("lambda"))).returns(Some(DAVE)),
        call(ALICE, registry, Sorted).expect(Expect::ReturnsSuch(Box::new(move |output| {
            decode::<Vec<Vec<u8>>>(output).is_some_and(|names| {
                names.len() == 16
                    && names.windows(2).all(|pair| pair[0] < pair[1])
                    && sorted.iter().all(|n| names.contains(n))
            })
        }))),
        call_raw(ALICE, registry, vec![0, 0xff]).reverts(&[]),
    ]);
    steps
}

/// `(code, return data)` of `host-test`'s `Call` and `CallChain`.
fn call_output(code: ReturnCode, data: Vec<u8>) -> (u32, Vec<u8>) {
    (code as u32, data)
}

fn host_test() -> Vec<Step> {
    use host_test::Msg::{self as HostMsg, *};
    use ReturnCode::*;
    let b = |text: &str| text.as_bytes().to_vec();
    let (a, deploy_a) = deploy("host-test", "a", ALICE, b"host", vec![]);
    let (callee, deploy_callee) = deploy("host-test", "callee", ALICE, b"callee", vec![]);
    let init = SetStorage { key: b("init"), value: b("yes") };
    let (_, deploy_init) = deploy("host-test", "init", BOB, b"init", init.encode());
    let (chain, deploy_chain): (Vec<Contract>, Vec<Step>) =
        (1..=5u8).map(|i| deploy("host-test", "chain", ALICE, &[i], vec![])).unzip();
    let (doomed, deploy_doomed) = deploy("host-test", "doomed", ALICE, b"doomed", vec![]);
    let nested = |callee: Contract, value, gas_limit, flags, input: HostMsg| Call {
        callee: callee.address,
        value,
        gas_limit,
        flags,
        input: input.encode(),
    };
    let hash = code_hash("host-test");
    let child = contract_address(&a.address, &hash, b"child");
    let instantiate =
        |value, input: Vec<u8>, salt: &str| Instantiate { code_hash: hash, value, gas_limit: 0, input, salt: b(salt) };
    let burn = |rounds: u64| (0..rounds).fold(1u64, |x, i| x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    // `CallChain` from `a` through the chain contracts: the innermost code.
    let innermost = |output: &[u8]| -> Option<u32> {
        let mut output = output.to_vec();
        let mut last = None;
        while !output.is_empty() {
            let (code, data): (u32, Vec<u8>) = decode(&output)?;
            (last, output) = (Some(code), data);
        }
        last
    };
    let through = |n: usize| CallChain { callees: chain[..n].iter().map(|c| c.address).collect(), flags: 0 };
    let context = |caller: Account, address: Account, value: u128| {
        Expect::ReturnsSuch(Box::new(move |output| {
            decode::<(Account, Account, u128, u128, u64, u64, u64)>(output).is_some_and(
                |(seen_caller, seen_address, seen_value, balance, block, now, gas_left)| {
                    (seen_caller, seen_address, seen_value, block, now)
                        == (caller, address, value, CURRENT_BLOCK, CURRENT_TIME)
                        && balance >= value
                        && gas_left > 0
                        && gas_left < GAS_LIMIT
                },
            )
        }))
    };

    let mut steps = vec![
        deploy_a.value(1_000_000),
        deploy_callee,
        deploy_init.returns(None::<u32>),
        call(BOB, callee, GetStorage(b("init"))).returns(None::<Vec<u8>>),
        // Storage.
        call(ALICE, a, SetStorage { key: b("k"), value: b("hello") }).returns(None::<u32>),
        call(ALICE, a, SetStorage { key: b("k"), value: b("hello world") }).returns(Some(5u32)),
        call(ALICE, a, GetStorage(b("k"))).returns(Some(b("hello world"))),
        call(ALICE, a, ContainsStorage(b("k"))).returns(Some(11u32)),
        call(ALICE, a, ContainsStorage(b("x"))).returns(None::<u32>),
        call(ALICE, a, GetStorage(b("x"))).returns(None::<Vec<u8>>),
        call(ALICE, a, GetStorageInto { key: b("k"), capacity: 4 }).returns((OutputBufferTooSmall as u32, 11u32)),
        call(ALICE, a, GetStorageInto { key: b("k"), capacity: 11 }).returns((Success as u32, 11u32)),
        call(ALICE, a, GetStorageInto { key: b("k"), capacity: 100 }).returns((Success as u32, 11u32)),
        call(ALICE, a, GetStorageInto { key: b("x"), capacity: 8 }).returns((KeyNotFound as u32, 8u32)),
        call(ALICE, a, TakeStorage(b("k"))).returns(Some(b("hello world"))),
        call(ALICE, a, TakeStorage(b("k"))).returns(None::<Vec<u8>>),
        call(ALICE, a, SetStorage { key: b("c"), value: b("abc") }).returns(None::<u32>),
        call(ALICE, a, ClearStorage(b("c"))).returns(Some(3u32)),
        call(ALICE, a, ClearStorage(b("c"))).returns(None::<u32>),
        call(ALICE, a, SetStorage { key: vec![], value: b("empty key") }).returns(None::<u32>),
        call(ALICE, a, SetStorage { key: b("empty value"), value: vec![] }).returns(None::<u32>),
        call(ALICE, a, GetStorage(b("empty value"))).returns(Some(Vec::<u8>::new())),
        call(ALICE, a, SetStorage { key: vec![7; 128], value: vec![1; 1_000] }).returns(None::<u32>),
        call(ALICE, a, SetStorage { key: vec![7; 129], value: vec![] })
            .expect(Expect::HostTraps("storage key is 129 bytes; the limit is 128")),
        call(ALICE, a, WriteMany(20)),
        // Input and output.
        call(ALICE, a, EchoInput).expect(Expect::Returns(EchoInput.encode())),
        call(ALICE, a, Revert(b("no"))).reverts(b"no"),
        call(ALICE, a, Trap).expect(Expect::Traps),
        call(ALICE, a, BadPointer).expect(Expect::HostTraps("output: cannot write")),
        call_raw(ALICE, a, vec![EchoInput.encode()[0], 0]).reverts(&[]),
        // Events.
        call(ALICE, a, DepositEvent { topics: vec![[1; 32], [2; 32]], data: b("data") }),
        call(ALICE, a, DepositEvent { topics: vec![], data: vec![] }),
        call(ALICE, a, DepositEvent { topics: vec![[4; 32]; 4], data: vec![0xee; 1_000] }),
        call(ALICE, a, DepositEvent { topics: vec![[0; 32]; 5], data: vec![] }).expect(Expect::HostTraps("5 topics")),
        // Balances and the context.
        call(ALICE, a, Transfer { to: DAVE, value: 5_000 }).returns(Success as u32),
        call(ALICE, a, Transfer { to: DAVE, value: 1 << 100 }).returns(TransferFailed as u32),
        call(BOB, a, Context).value(777).expect(context(BOB, a.address, 777)).gas_dependent(),
        call(ALICE, a, BalanceOf(CHARLIE)).returns(INITIAL_BALANCE),
        call(ALICE, a, BalanceOf(DAVE)).returns(5_000u128),
        call(BOB, a, EchoInput).value(1 << 100).expect(Expect::Refused(TransferFailed)),
        call(ALICE, a, Hash(b("abc"))).returns((blake2_256(b"abc"), blake2_128(b"abc"))),
        call(ALICE, a, Hash(vec![])).returns((blake2_256(b""), blake2_128(b""))),
        call(ALICE, a, Hash(vec![0x5a; 5_000])).returns((blake2_256(&[0x5a; 5_000]), blake2_128(&[0x5a; 5_000]))),
        call(ALICE, a, Debug(b("hello from the contract"))).returns(Success as u32),
        call(ALICE, a, Debug(vec![])).returns(Success as u32),
        // Computation and the heap.
        call(ALICE, a, Burn(10_000)).returns(burn(10_000)),
        call(ALICE, a, Burn(1_000_000)).gas(200_000).expect(Expect::OutOfGas),
        call(ALICE, a, EchoInput).gas(4_999).expect(Expect::OutOfGas),
        call(ALICE, a, SetStorage { key: b("tight"), value: b("gas") })
            .gas(15_150)
            .expect(Expect::Anything)
            .gas_dependent(),
        call(ALICE, a, Alloc(10))
            .expect(Expect::ReturnsSuch(Box::new(|out| decode::<u32>(out).is_some_and(|n| n >= 10)))),
        call(ALICE, a, Alloc(100_000))
            .expect(Expect::ReturnsSuch(Box::new(|out| decode::<u32>(out).is_some_and(|n| n >= 100_000)))),
        call(ALICE, a, Alloc(1_000_000)).expect(Expect::Anything),
        // Nested calls.
        call(ALICE, a, nested(callee, 0, 0, 0, EchoInput)).returns(call_output(Success, EchoInput.encode())),
        call(ALICE, a, nested(callee, 0, 0, 0, Revert(b("r")))).returns(call_output(CalleeReverted, b("r"))),
        call(ALICE, a, nested(callee, 0, 0, 0, Trap)).returns(call_output(CalleeTrapped, vec![])),
        call(ALICE, a, nested(callee, 0, 50_000, 0, Burn(1_000_000))).returns(call_output(CalleeTrapped, vec![])),
        call(ALICE, a, nested(callee, 0, 0, 0, BadPointer)).returns(call_output(CalleeTrapped, vec![])),
        call(ALICE, a, nested(callee, 0, 0, 0, SetStorage { key: b("nested"), value: b("v") }))
            .returns(call_output(Success, None::<u32>.encode())),
        call(BOB, callee, GetStorage(b("nested"))).returns(Some(b("v"))),
        call(ALICE, a, nested(callee, 99, 0, 0, Context))
            .expect(Expect::ReturnsSuch(Box::new(|out| {
                decode::<(u32, Vec<u8>)>(out).is_some_and(|(code, _)| code == 0)
            })))
            .gas_dependent(),
        call(ALICE, callee, BalanceOf(callee.address)).returns(99u128),
        call(ALICE, a, nested(callee, 1 << 100, 0, 0, EchoInput)).returns(call_output(TransferFailed, vec![])),
        call(ALICE, a, Call { callee: BOB, value: 0, gas_limit: 0, flags: 0, input: vec![] })
            .returns(call_output(NotAContract, vec![])),
        call(ALICE, a, nested(callee, 0, GAS_LIMIT * 2, 0, EchoInput)).expect(Expect::OutOfGas),
        // Re-entrancy: a -> callee -> a.
        call(ALICE, a, CallChain { callees: vec![callee.address, a.address], flags: 0 })
            .returns(call_output(Success, call_output(ReentranceDenied, vec![]).encode())),
        call(ALICE, a, CallChain { callees: vec![callee.address, a.address], flags: call_flags::ALLOW_REENTRY })
            .returns(call_output(Success, call_output(Success, vec![]).encode())),
        call(ALICE, a, nested(callee, 0, 0, 0, nested(a, 0, 0, call_flags::ALLOW_REENTRY, Terminate(DAVE))))
            .returns(call_output(Success, call_output(CalleeTrapped, vec![]).encode())),
    ];
    // The call depth: a and four more frames is the most.
    steps.extend(deploy_chain);
    steps.extend([
        call(ALICE, a, through(4)).expect(Expect::ReturnsSuch(Box::new(move |out| innermost(out) == Some(0)))),
        call(ALICE, a, through(5))
            .expect(Expect::ReturnsSuch(Box::new(move |out| innermost(out) == Some(CallDepthExceeded as u32)))),
        // Instantiation from a contract.
        call(ALICE, a, instantiate(50, vec![], "child")).returns((Success as u32, child, Vec::<u8>::new())),
        call(ALICE, a, instantiate(50, vec![], "child")).returns((
            DuplicateContract as u32,
            [0u8; 32],
            Vec::<u8>::new(),
        )),
        call(ALICE, a, instantiate(0, Revert(b("nope")).encode(), "reverting")).returns((
            CalleeReverted as u32,
            [0u8; 32],
            b("nope"),
        )),
        call(ALICE, a, instantiate(0, EchoInput.encode(), "echo")).returns((
            Success as u32,
            contract_address(&a.address, &hash, b"echo"),
            EchoInput.encode(),
        )),
        call(ALICE, a, Instantiate { code_hash: [9; 32], value: 0, gas_limit: 0, input: vec![], salt: vec![] })
            .returns((CodeNotFound as u32, [0u8; 32], Vec::<u8>::new())),
        call(CHARLIE, Contract { label: "child", address: child }, Context)
            .expect(context(CHARLIE, child, 0))
            .gas_dependent(),
        call(CHARLIE, Contract { label: "child", address: child }, BalanceOf(child)).returns(50u128),
        // Termination.
        deploy_doomed.value(5_000),
        call(ALICE, doomed, SetStorage { key: b("k"), value: b("v") }).returns(None::<u32>),
        call(ALICE, doomed, Terminate(DAVE)),
        call(ALICE, doomed, EchoInput).expect(Expect::Refused(NotAContract)),
        call(ALICE, a, BalanceOf(DAVE)).returns(10_000u128),
    ]);
    steps
}

// ---------------------------------------------------------------------------------------
// Running and comparing.

/// What one message did.
#[derive(Clone, PartialEq, Debug)]
struct Record {
    end: End,
    gas_consumed: u64,
    gas_left: Option<i64>,
    heap_size: u32,
    trap_pc: Option<u32>,
    /// Balances and contracts after the message (without the events).
    state: State,
    /// The events the message emitted.
    events: Vec<Event>,
    debug_messages: Vec<Vec<u8>>,
    host_calls: Vec<HostCall>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Linker {
    Ours,
    Reference,
}

struct Run {
    name: &'static str,
    linker: Linker,
    records: Vec<Record>,
}

fn blob(program: &str, linker: Linker) -> &'static [u8] {
    match linker {
        Linker::Ours => guest_programs::our_blob(program),
        Linker::Reference => guest_programs::blob(program, guest_programs::Isa::Latest64),
    }
    .unwrap_or_else(|| panic!("no {linker:?} blob of {program}"))
}

fn run<V: Vm>(name: &'static str, linker: Linker, steps: &[Step]) -> Run {
    let mut world = World::<V>::new(&[(ALICE, INITIAL_BALANCE), (BOB, INITIAL_BALANCE), (CHARLIE, INITIAL_BALANCE)]);
    for &(program, _) in SCENARIOS {
        world.upload(program, blob(program, linker));
    }
    let records = steps
        .iter()
        .map(|step| {
            let events_before = world.state.events.len();
            world.debug_messages.clear();
            world.host_calls.clear();
            let result: FrameResult = match &step.action {
                Action::Deploy { program, deployer, input, salt, address } => {
                    let (deployed, result) = world.instantiate(
                        *deployer,
                        code_hash(program),
                        step.value,
                        input.clone(),
                        salt,
                        step.gas_limit,
                    );
                    assert_eq!(deployed, *address);
                    result
                }
                Action::Call { caller, contract, input } => {
                    world.call(*caller, *contract, step.value, input.clone(), step.gas_limit)
                }
            };
            let mut state = world.state.clone();
            let events = state.events.split_off(events_before);
            state.events.clear();
            Record {
                end: result.end,
                gas_consumed: result.gas_consumed,
                gas_left: result.gas_left,
                heap_size: result.heap_size,
                trap_pc: result.trap_pc,
                state,
                events,
                debug_messages: world.debug_messages.clone(),
                host_calls: world.host_calls.clone(),
            }
        })
        .collect();
    Run { name, linker, records }
}

/// Why `end` is not what `expect` says, if it is not.
fn check(expect: &Expect, end: &End) -> Option<String> {
    let ok = match (expect, end) {
        (Expect::Anything, _) => true,
        (Expect::Success, End::Returned { .. }) => true,
        (Expect::Returns(expected), End::Returned { data }) => data == expected,
        (Expect::ReturnsSuch(check), End::Returned { data }) => check(data),
        (Expect::Reverts(expected), End::Reverted { data }) => data == expected,
        (Expect::Traps, End::Trapped(None)) => true,
        (Expect::HostTraps(reason), End::Trapped(Some(actual))) => actual.contains(reason),
        (Expect::OutOfGas, End::OutOfGas) => true,
        (Expect::Refused(expected), End::Refused(actual)) => expected == actual,
        _ => false,
    };
    if ok {
        return None;
    }
    let expected = match expect {
        Expect::Returns(data) => format!("a return with {data:?}"),
        Expect::Reverts(data) => format!("a revert with {data:?}"),
        Expect::HostTraps(reason) => format!("a host trap \"{reason}\""),
        Expect::ReturnsSuch(_) => "a return with output that passes the step's check".to_owned(),
        Expect::Success => "a return".to_owned(),
        Expect::Traps => "a trap".to_owned(),
        Expect::OutOfGas => "out of gas".to_owned(),
        Expect::Refused(code) => format!("refused with {code:?}"),
        Expect::Anything => unreachable!(),
    };
    Some(format!("expected {expected}, got {end:?}"))
}

/// The first difference between two states, in words.
fn state_difference(a: &State, b: &State) -> String {
    let accounts = a.balances.keys().chain(b.balances.keys());
    for account in accounts {
        let (x, y) = (a.balances.get(account), b.balances.get(account));
        if x != y {
            return format!("balance of {:?}: {x:?} vs {y:?}", Id(*account));
        }
    }
    for address in a.contracts.keys().chain(b.contracts.keys()) {
        match (a.contracts.get(address), b.contracts.get(address)) {
            (Some(x), Some(y)) => {
                for key in x.storage.keys().chain(y.storage.keys()) {
                    let (v, w) = (x.storage.get(key), y.storage.get(key));
                    if v != w {
                        return format!("storage of {:?}, key {key:?}: {v:?} vs {w:?}", Id(*address));
                    }
                }
            }
            (x, y) => return format!("contract {:?}: {} vs {}", Id(*address), x.is_some(), y.is_some()),
        }
    }
    unreachable!("the states differ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The first difference between two lists of events, in words.
fn event_difference(a: &[Event], b: &[Event]) -> String {
    let show = |event: Option<&Event>| match event {
        None => "none".to_owned(),
        Some(Event { contract, topics, data }) => {
            let topics: Vec<String> = topics.iter().map(|topic| hex(topic)).collect();
            format!("{{ contract: {:?}, topics: {topics:?}, data: 0x{} }}", Id(*contract), hex(data))
        }
    };
    let index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)).expect("the events differ");
    format!("event #{index} of {}/{}: {} vs {}", a.len(), b.len(), show(a.get(index)), show(b.get(index)))
}

/// The first difference between two host call logs, in words.
fn host_call_difference(a: &[HostCall], b: &[HostCall], with_gas: bool) -> Option<String> {
    let same =
        |x: &HostCall, y: &HostCall| x.function == y.function && x.depth == y.depth && (!with_gas || x.gas == y.gas);
    let index = (0..a.len().max(b.len())).find(|&i| match (a.get(i), b.get(i)) {
        (Some(x), Some(y)) => !same(x, y),
        _ => true,
    })?;
    Some(format!("host call #{index} of {}/{}: {:?} vs {:?}", a.len(), b.len(), a.get(index), b.get(index)))
}

/// Every difference between two runs of `scenario`; `same_blob` compares gas too.
fn compare(scenario: &str, steps: &[Step], a: &Run, b: &Run) -> Vec<String> {
    let same_blob = a.linker == b.linker;
    let mut differences = Vec::new();
    for (index, (step, (x, y))) in steps.iter().zip(a.records.iter().zip(&b.records)).enumerate() {
        let mut differ = |field: &str, detail: String| {
            differences.push(format!(
                "{scenario}, message {index} ({}): {field} differs between {} and {}: {detail}",
                step.label, a.name, b.name
            ))
        };
        let compare_output = same_blob || !step.gas_dependent;
        if compare_output && x.end != y.end {
            differ("the end", format!("{:?} vs {:?}", x.end, y.end));
        }
        if compare_output && x.state != y.state {
            differ("the state", state_difference(&x.state, &y.state));
        }
        if compare_output && x.events != y.events {
            differ("the events", event_difference(&x.events, &y.events));
        }
        if x.debug_messages != y.debug_messages {
            differ("the debug messages", format!("{:?} vs {:?}", x.debug_messages, y.debug_messages));
        }
        if compare_output {
            if let Some(detail) = host_call_difference(&x.host_calls, &y.host_calls, same_blob) {
                differ("the host calls", detail);
            }
        }
        if same_blob {
            if x.gas_consumed != y.gas_consumed {
                differ("the gas consumed", format!("{} vs {}", x.gas_consumed, y.gas_consumed));
            }
            if x.gas_left != y.gas_left {
                differ("the gas left", format!("{:?} vs {:?}", x.gas_left, y.gas_left));
            }
            if x.trap_pc != y.trap_pc {
                differ("the pc of the trap", format!("{:?} vs {:?}", x.trap_pc, y.trap_pc));
            }
        }
        if (same_blob || !step.gas_dependent) && x.heap_size != y.heap_size {
            differ("the heap size", format!("{} vs {}", x.heap_size, y.heap_size));
        }
    }
    differences
}

/// Runs the scenario of `contract` four ways and compares the runs.
fn check_scenario(contract: &str) {
    let steps = SCENARIOS.iter().find(|(name, _)| *name == contract).expect("a scenario").1();
    let runs = [
        run::<OurVm>("our linker on our VM", Linker::Ours, &steps),
        run::<PolkaVm>("our linker on polkavm", Linker::Ours, &steps),
        run::<OurVm>("polkavm-linker on our VM", Linker::Reference, &steps),
        run::<PolkaVm>("polkavm-linker on polkavm", Linker::Reference, &steps),
    ];

    let mut problems = Vec::new();
    for run in &runs {
        for (index, (step, record)) in steps.iter().zip(&run.records).enumerate() {
            if let Some(problem) = check(&step.expect, &record.end) {
                problems.push(format!("{contract}, message {index} ({}) on {}: {problem}", step.label, run.name));
            }
        }
    }
    problems.extend(compare(contract, &steps, &runs[0], &runs[1]));
    problems.extend(compare(contract, &steps, &runs[2], &runs[3]));
    problems.extend(compare(contract, &steps, &runs[0], &runs[2]));

    let total_gas = |run: &Run| run.records.iter().map(|record| record.gas_consumed).sum::<u64>();
    let host_calls = runs[0].records.iter().map(|record| record.host_calls.len()).sum::<usize>();
    eprintln!(
        "{contract}: {} messages, {host_calls} host calls; gas: our linker {} / {}, polkavm-linker {} / {} (our VM / polkavm)",
        steps.len(),
        total_gas(&runs[0]),
        total_gas(&runs[1]),
        total_gas(&runs[2]),
        total_gas(&runs[3]),
    );
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn flipper_runs_identically() {
    check_scenario("flipper");
}

#[test]
fn counter_runs_identically() {
    check_scenario("counter");
}

#[test]
fn token_runs_identically() {
    check_scenario("token");
}

#[test]
fn wallet_runs_identically() {
    check_scenario("wallet");
}

#[test]
fn registry_runs_identically() {
    check_scenario("registry");
}

#[test]
fn host_test_runs_identically() {
    check_scenario("host-test");
}

#[test]
fn compute_runs_identically() {
    check_scenario("compute");
}

/// Every program that imports a contract host function has a scenario.
#[test]
fn every_contract_has_a_scenario() {
    let contracts: Vec<&str> = guest_programs::programs()
        .iter()
        .copied()
        .filter(|&program| {
            let module =
                pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), blob(program, Linker::Ours))
                    .unwrap();
            module.imports().iter().any(|import| abi::host::ALL.iter().any(|name| name.as_bytes() == import.as_slice()))
        })
        .collect();
    let scenarios: Vec<&str> = SCENARIOS.iter().map(|(name, _)| *name).collect();
    let mut sorted = scenarios.clone();
    sorted.sort();
    let mut expected = contracts.clone();
    expected.sort();
    assert_eq!(sorted, expected, "the contracts in contracts/ and the scenarios");
}

/// The mock's hashes are blake2b-256 and blake2b-128, as `sp_io::hashing` computes them.
#[test]
fn mock_hashes_are_blake2() {
    let hex = |bytes: &[u8]| bytes.iter().map(|byte| format!("{byte:02x}")).collect::<String>();
    assert_eq!(hex(&blake2_256(b"abc")), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    assert_eq!(hex(&blake2_256(b"")), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    assert_eq!(blake2_128(b"abc").len(), 16);
}
