//! `pvm-client` against the embedded chain: deploy the token contract, call it, query
//! it and read the events, as a user would, through the binary; and bad input ending
//! with one clear message and a non-zero exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Chain {
    state: PathBuf,
}

impl Chain {
    fn new(name: &str) -> Chain {
        let state = std::env::temp_dir().join(format!("pvm-client-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        Chain { state }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pvm-client"))
            .arg("--state")
            .arg(&self.state)
            .args(args)
            .output()
            .expect("pvm-client runs")
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{args:?} failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        stdout
    }

    /// Runs a command that must fail; returns its stderr, which must be one message.
    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!output.status.success(), "{args:?} succeeded");
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{args:?}: {stderr}");
        stderr
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

fn write_blob(dir: &Path, name: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(format!("{name}.polkavm"));
    std::fs::write(&path, guest_programs::our_blob(name).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

fn contract_address(deploy_output: &str) -> String {
    deploy_output
        .lines()
        .find_map(|line| line.strip_prefix("contract: "))
        .unwrap_or_else(|| panic!("no address in:\n{deploy_output}"))
        .trim()
        .to_owned()
}

#[test]
fn deploy_call_query_and_events() {
    let chain = Chain::new("token");
    let token = write_blob(&chain.state.join("blobs"), "token");

    let deployed = chain.ok(&["deploy", &token, "--arg", "u128:1000"]);
    assert!(deployed.contains("Contracts.Instantiated"), "{deployed}");
    assert!(deployed.contains("gas required"), "{deployed}");
    let address = contract_address(&deployed);

    // Transfer { to: Bob, value: 300 } is message 2.
    let called = chain.ok(&["call", &address, "--arg", "u8:2", "--arg", "account://Bob", "--arg", "u128:300"]);
    assert!(called.contains("block #2"), "{called}");
    assert!(called.contains("Contracts.ContractEmitted"), "{called}");
    let topic = format!("0x{}", hex(&blake2_256(b"Transfer")));
    assert!(called.contains(&topic), "{called}");

    // BalanceOf(Bob) is message 1: 300 as a little-endian u128.
    let queried = chain.ok(&["query", &address, "--arg", "u8:1", "--arg", "account://Bob"]);
    assert!(queried.contains(&format!("returned 0x{}", hex(&300u128.to_le_bytes()))), "{queried}");
    assert!(queried.contains("gas consumed"), "{queried}");

    // The state persists: a query does not produce a block, the events are those of block 2.
    let events = chain.ok(&["events"]);
    assert!(events.contains("block #2") && events.contains("Contracts.Called"), "{events}");
    let events = chain.ok(&["events", "--last", "2"]);
    assert!(events.contains("block #1") && events.contains("Contracts.Instantiated"), "{events}");

    // Too large a transfer: the dry run says the contract reverts, nothing is sent.
    let reverted = chain.fails(&["call", &address, "--arg", "u8:2", "--arg", "account://Bob", "--arg", "u128:5000"]);
    assert!(reverted.contains("reverts"), "{reverted}");
    assert!(chain.ok(&["events"]).contains("block #2"), "no block was produced");
}

#[test]
fn bad_input_gets_one_clear_message() {
    let chain = Chain::new("errors");
    let error = chain.fails(&["deploy", "/no/such/file.polkavm"]);
    assert!(error.contains("cannot read /no/such/file.polkavm"), "{error}");

    // A blob the pallet rejects: the error's name and explanation, and why.
    let hello = write_blob(&chain.state.join("blobs"), "hello-world");
    let error = chain.fails(&["deploy", &hello]);
    assert!(error.contains("Contracts.CodeUnknownImport"), "{error}");
    assert!(error.contains("not a host function"), "{error}");

    let error = chain.fails(&["call", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "--data", "00"]);
    assert!(error.contains("Contracts.ContractNotFound: The destination is not a contract."), "{error}");

    // A node that is not there.
    let error = chain.fails(&["--url", "ws://127.0.0.1:9", "events"]);
    assert!(error.contains("cannot connect to ws://127.0.0.1:9"), "{error}");

    let error = chain.fails(&["call", "not-an-account"]);
    assert!(error.contains("is not an account"), "{error}");
    let error = chain.fails(&["query", "//Alice", "--arg", "u8:300"]);
    assert!(error.contains("'300' is not a valid u8"), "{error}");

    // An account without funds cannot pay the deposit or the fees.
    let flipper = write_blob(&chain.state.join("blobs"), "flipper");
    let error = chain.fails(&["deploy", &flipper, "--arg", "bool:true", "--suri", "//Nobody"]);
    assert!(error.contains("StorageDepositNotEnoughFunds") || error.contains("fund"), "{error}");
}

fn blake2_256(data: &[u8]) -> [u8; 32] {
    sp_io::hashing::blake2_256(data)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn info_and_both_places_of_execution_agree() {
    let chain = Chain::new("compute");
    let compute = write_blob(&chain.state.join("blobs"), "compute");

    let info = chain.ok(&["info"]);
    assert!(info.contains("contracts run: on the node, through the pvm-host runtime interface"), "{info}");
    assert!(info.contains("code size: 262144 bytes"), "{info}");
    let info = chain.ok(&["--contracts-execution", "runtime", "info"]);
    assert!(info.contains("contracts run: in the runtime"), "{info}");

    let address = contract_address(&chain.ok(&["deploy", &compute]));
    // Sieve(65536) is message 0; Emulate(1) is message 1.
    for args in [["--arg", "u8:0", "--arg", "u32:65536"], ["--arg", "u8:1", "--arg", "u32:1"]] {
        let query = |execution: &str| {
            let mut command = vec!["--contracts-execution", execution, "query", &address];
            command.extend(args);
            chain.ok(&command)
        };
        let (on_node, in_runtime) = (query("node"), query("runtime"));
        assert!(on_node.contains("gas"), "{on_node}");
        assert_eq!(on_node, in_runtime, "the same output, gas and events both ways");
    }
    let primes = chain.ok(&["query", &address, "--arg", "u8:0", "--arg", "u32:65536"]);
    // 6542 primes up to 65536, SCALE u32 (little-endian): 0x8e190000.
    assert!(primes.contains("8e190000"), "{primes}");
}

#[test]
fn a_closed_stdout_does_not_panic() {
    // `pvm-client events | head` closes the pipe early; a full disk fails every write.
    // Either way the command finishes (and saves the chain) without a panic.
    let chain = Chain::new("closed-stdout");
    let full = std::fs::File::create("/dev/full").expect("/dev/full exists on Linux");
    let output = Command::new(env!("CARGO_BIN_EXE_pvm-client"))
        .arg("--state")
        .arg(&chain.state)
        .arg("info")
        .stdout(full)
        .output()
        .expect("pvm-client runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
