//! `pvm-client` against the embedded chain: deploy the token contract, call it, query
//! it and read the events, as a user would, through the binary; and bad input ending
//! with one clear message and a non-zero exit status.

use codec::Encode;
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
        self.run_with_env(args, &[])
    }

    fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pvm-client"))
            .envs(env.iter().copied())
            .arg("--state")
            .arg(&self.state)
            .args(args)
            .output()
            .expect("pvm-client runs")
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        self.ok_with_env(args, &[])
    }

    /// [`Chain::ok`] with environment variables set.
    fn ok_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let output = self.run_with_env(args, env);
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

/// The value of the line `LABEL: value` of a command's output.
fn labelled(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix(label)?.strip_prefix(": "))
        .unwrap_or_else(|| panic!("no '{label}:' line in:\n{output}"))
        .trim()
        .to_owned()
}

fn contract_address(deploy_output: &str) -> String {
    labelled(deploy_output, "contract")
}

/// The token's blob with its metadata next to it, as `polkatool build` writes them.
fn write_blob_and_metadata(dir: &Path) -> String {
    let blob = write_blob(dir, "token");
    let metadata = pvm_contract::metadata::Metadata::of::<token::Token>().unwrap();
    std::fs::write(dir.join("token.json"), metadata.to_json()).unwrap();
    blob
}

/// A contract crate as `polkatool new` writes it: deployed from its folder (built, with
/// its metadata), called and queried by name, and its own `cargo test` passes.
#[test]
fn a_new_contract_crate_from_the_scaffold() {
    let chain = Chain::new("scaffold");
    let dir = chain.state.join("my-counter");
    polkatool::scaffold::new("my-counter", &dir, &polkatool::scaffold::default_sdk()).unwrap();
    // Kept between runs: the guest build of `core` and the crate's dependencies.
    let target_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/scaffold-test");
    let target_dir = target_dir.to_str().unwrap();
    let crate_dir = dir.to_str().unwrap();

    let deployed = chain.ok_with_env(&["deploy", crate_dir], &[("CARGO_TARGET_DIR", target_dir)]);
    assert!(deployed.contains("interface: my-counter 0.1.0 (messages: Increment, Get)"), "{deployed}");
    let address = contract_address(&deployed);
    let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    let called = chain.ok(&["call", &address, "increment", "--by", "5"]);
    assert!(called.contains(&format!("Incremented {{ who: {alice}, count: 5 }}")), "{called}");
    let queried = chain.ok(&["query", &address, "get", "//Alice"]);
    assert!(queried.contains("result: returned 5"), "{queried}");
    let overflow = chain.fails(&["call", &address, "increment", "--by", &u64::MAX.to_string()]);
    assert!(overflow.contains("reverted with Overflow"), "{overflow}");
    // The blob carries its metadata's hash: metadata that is not the build's is refused.
    let built = chain.state.join("contracts/my-counter");
    let stale = chain.state.join("stale.json");
    let json = std::fs::read_to_string(built.with_extension("json")).unwrap();
    std::fs::write(&stale, json.replace("A count per account", "A count")).unwrap();
    let blob = built.with_extension("polkavm");
    let refused = chain.fails(&["deploy", "--metadata", &stale.to_string_lossy(), &blob.to_string_lossy()]);
    assert!(refused.contains("is not the metadata of this code"), "{refused}");

    // In the crate's folder, as its author runs it: the interface's test and the
    // sandbox's, which builds the contract and runs it on the runtime in memory.
    let mut cargo = std::process::Command::new(env!("CARGO"));
    cargo.args(["test", "--quiet"]).current_dir(&dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("CARGO_") && name != "CARGO_HOME" || name == "RUSTFLAGS" {
            cargo.env_remove(name);
        }
    }
    cargo.env("CARGO_TARGET_DIR", target_dir);
    // The first run compiles the runtime natively; without debug information that
    // takes less time, and this test reads no backtraces.
    cargo.env("CARGO_PROFILE_DEV_DEBUG", "false");
    let output = cargo.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "cargo test failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("test result: ok. 2 passed"), "{stdout}");
}

fn code_hash(upload_output: &str) -> String {
    labelled(upload_output, "code hash")
}

/// The pallet's other extrinsics: upload code only, instantiate contracts of it (with
/// typed arguments: its metadata is remembered by code hash), change a contract's code
/// (sudo), remove unused code.
#[test]
fn upload_instantiate_set_code_and_remove_code() {
    let chain = Chain::new("code");
    let dir = chain.state.join("blobs");
    let token = write_blob_and_metadata(&dir);
    let token_hash = code_hash(&chain.ok(&["upload", &token]));
    let first = contract_address(&chain.ok(&["instantiate", &token_hash, "1000"]));
    let second = contract_address(&chain.ok(&["instantiate", "--salt", "2", &token_hash, "5"]));
    assert_ne!(first, second);
    assert!(chain.ok(&["query", &second, "total_supply"]).contains("result: returned 5"));

    let in_use = chain.fails(&["remove-code", &token_hash]);
    assert!(in_use.contains("Contracts.CodeInUse"), "{in_use}");

    // The flipper's code for the second contract: it now answers as a flipper (`Get`,
    // message 1, of a flipper that was never deployed: false).
    let flipper_hash = code_hash(&chain.ok(&["upload", &write_blob(&dir, "flipper")]));
    let not_sudo = chain.fails(&["set-code", "--suri", "//Bob", &second, &flipper_hash]);
    assert!(not_sudo.contains("RequireSudo"), "{not_sudo}");
    let set = chain.ok(&["set-code", &second, &flipper_hash]);
    assert!(set.contains("ContractCodeUpdated"), "{set}");
    assert!(chain.ok(&["query", &second, "--arg", "u8:1"]).contains("result: returned 0x00"));
    let unknown = chain.fails(&["set-code", &second, &format!("0x{}", "11".repeat(32))]);
    assert!(unknown.contains("set_code failed: Contracts.CodeNotFound"), "{unknown}");

    // Unused code: only its uploader may remove it.
    let counter_hash = code_hash(&chain.ok(&["upload", &write_blob(&dir, "counter")]));
    let not_owner = chain.fails(&["remove-code", "--suri", "//Bob", &counter_hash]);
    assert!(not_owner.contains("Contracts.NotCodeOwner"), "{not_owner}");
    assert!(chain.ok(&["remove-code", &counter_hash]).contains("CodeRemoved"));

    let short = chain.fails(&["instantiate", "0x1234"]);
    assert!(short.contains("'0x1234' is not a 32-byte code hash"), "{short}");
    let garbage = dir.join("garbage.polkavm");
    std::fs::write(&garbage, b"not a blob").unwrap();
    let rejected = chain.fails(&["upload", garbage.to_str().unwrap()]);
    assert!(rejected.contains("the code would be rejected"), "{rejected}");
}

/// `--json`: one JSON object per command, failures included, for scripts.
#[test]
fn json_output_for_scripts() {
    let chain = Chain::new("json");
    let token = write_blob_and_metadata(&chain.state.join("blobs"));
    let json = |args: &[&str]| -> serde_json::Value {
        let output = chain.run(&[&["--json"], args].concat());
        let stdout = String::from_utf8_lossy(&output.stdout);
        serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{args:?}: not JSON ({error}):\n{stdout}"))
    };

    let deployed = json(&["deploy", &token, "1000"]);
    assert_eq!(deployed["ok"], true, "{deployed}");
    let address = deployed["contract"].as_str().unwrap().to_owned();
    assert!(deployed["gas_required"].as_u64().unwrap() > 0, "{deployed}");

    let called = json(&["call", &address, "transfer", "--to", "//Bob", "--value", "300"]);
    let emitted = called["events"].as_array().unwrap().iter().find(|event| event["contract"] == address.as_str());
    let emitted = emitted.unwrap_or_else(|| panic!("{called}"));
    assert!(emitted["text"].as_str().unwrap().contains("Transfer {"), "{emitted}");
    assert_eq!(emitted["topics"].as_array().unwrap().len(), 3, "{emitted}");

    let queried = json(&["query", &address, "balance_of", "//Bob"]);
    assert_eq!(queried["dry_run"]["result"]["ok"], "returned 300", "{queried}");
    assert!(queried["dry_run"]["gas_consumed"].as_u64().unwrap() > 0, "{queried}");

    let balance = json(&["balance", "//Bob"]);
    assert!(balance["free"].as_str().unwrap().parse::<u128>().is_ok(), "{balance}");
    let info = json(&["info"]);
    assert!(info["limits"]["max_code_len"].as_u64().unwrap() > 0, "{info}");
    let events = json(&["events", "--last", "2"]);
    assert_eq!(events["blocks"].as_array().unwrap().len(), 2, "{events}");

    // A failure is a JSON object too, with the message, and the exit status says so.
    let output = chain.run(&["--json", "query", &address, "transfr"]);
    assert_eq!(output.status.code(), Some(1));
    let failed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(failed["ok"], false);
    assert!(failed["error"].as_str().unwrap().contains("no message 'transfr'"), "{failed}");
}

/// Every example contract (besides the token, above) through its metadata, as a user
/// of the client meets it: deployed with typed arguments, called and queried by name,
/// returns and events decoded.
#[test]
fn every_example_contract_by_name() {
    use pvm_contract::metadata::Metadata;
    let chain = Chain::new("examples");
    let dir = chain.state.join("blobs");
    let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
    let deploy = |name: &str, metadata: Metadata, args: &[&str]| {
        let blob = write_blob(&dir, name);
        std::fs::write(dir.join(format!("{name}.json")), metadata.to_json()).unwrap();
        let deployed = chain.ok(&[&["deploy", blob.as_str()][..], args].concat());
        assert!(deployed.contains(&format!("interface: {name} 0.1.0")), "{deployed}");
        contract_address(&deployed)
    };
    let expect = |args: &[&str], expected: &str| {
        let output = chain.ok(args);
        assert!(output.contains(expected), "{args:?}: expected '{expected}' in:\n{output}");
    };

    let flipper = deploy("flipper", Metadata::of::<flipper::Flipper>().unwrap(), &["true"]);
    chain.ok(&["call", &flipper, "flip"]);
    expect(&["query", &flipper, "get"], "result: returned false");

    let counter = deploy("counter", Metadata::of::<counter::Counter>().unwrap(), &["7"]);
    expect(&["call", &counter, "increment", "3"], "Incremented { count: 10 }");
    expect(&["query", &counter, "get"], "result: returned 10");

    let compute = deploy("compute", Metadata::of::<compute::Compute>().unwrap(), &[]);
    expect(&["query", &compute, "sieve", "100"], "result: returned 25");

    let registry = deploy("registry", Metadata::of::<registry::Registry>().unwrap(), &[]);
    chain.ok(&["call", &registry, "register", "0x616c696365"]);
    expect(&["query", &registry, "lookup", "0x616c696365"], &format!("result: returned Some({alice})"));
    expect(&["query", &registry, "count"], "result: returned 1");

    let wallet = deploy("wallet", Metadata::of::<wallet::Wallet>().unwrap(), &["(//Alice, //Bob)", "2"]);
    expect(&["query", &wallet, "owners"], &format!("result: returned ({alice}, {bob})"));
}

#[test]
fn messages_by_name_through_the_metadata() {
    let chain = Chain::new("typed");
    let token = write_blob_and_metadata(&chain.state.join("blobs"));

    // The deploy argument is typed by the metadata too; the mint's event is decoded.
    let deployed = chain.ok(&["deploy", &token, "1000"]);
    assert!(deployed.contains("interface: token 0.1.0"), "{deployed}");
    let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
    assert!(
        deployed.contains(&format!(
            "Transfer {{ from: 5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM, to: {alice}, value: 1000 }}"
        )),
        "{deployed}"
    );
    let address = contract_address(&deployed);

    // Named arguments, in any order; the event with its field names.
    let called = chain.ok(&["call", &address, "transfer", "--value", "300", "--to", "//Bob"]);
    assert!(called.contains(&format!("Transfer {{ from: {alice}, to: {bob}, value: 300 }}")), "{called}");
    // Positional arguments; the return value decoded by its type.
    let queried = chain.ok(&["query", &address, "balance_of", "//Bob"]);
    assert!(queried.contains("result: returned 300"), "{queried}");
    // A revert decoded as the contract's error.
    let reverted = chain.ok(&["query", "--origin", "//Bob", &address, "Transfer", "--to", "//Charlie", "--value=301"]);
    assert!(reverted.contains("reverted with InsufficientBalance"), "{reverted}");
    let refused =
        chain.fails(&["call", "--suri", "//Bob", &address, "transfer", "--to", "//Charlie", "--value", "301"]);
    assert!(refused.contains("reverted with InsufficientBalance"), "{refused}");
    // The events command decodes too.
    let events = chain.ok(&["events"]);
    assert!(events.contains(&format!("Transfer {{ from: {alice}, to: {bob}, value: 300 }}")), "{events}");

    // Mistakes, each named.
    let unknown = chain.fails(&["query", &address, "transfr"]);
    assert!(unknown.contains("token has no message 'transfr' (it has: TotalSupply, BalanceOf, Transfer"), "{unknown}");
    let missing = chain.fails(&["query", &address, "transfer", "--to", "//Bob"]);
    assert!(missing.contains("Transfer(to: AccountId, value: u128): argument 'value' is missing"), "{missing}");
    let too_many = chain.fails(&["query", &address, "balance_of", "//Bob", "//Charlie"]);
    assert!(too_many.contains("one value too many: '//Charlie'"), "{too_many}");
    let not_a_number = chain.fails(&["query", &address, "transfer", "--to", "//Bob", "--value", "lots"]);
    assert!(not_a_number.contains("argument 'value'"), "{not_a_number}");
    let negative = chain.fails(&["query", &address, "transfer", "--to", "//Bob", "--value", "-1"]);
    assert!(negative.contains("argument 'value'") && negative.contains("u128"), "{negative}");
    let both = chain.fails(&["query", "--data", "00", &address, "total_supply"]);
    assert!(both.contains("either by name and arguments or with --data/--arg"), "{both}");
    // Without metadata, a message by name cannot be encoded: said so.
    let raw = write_blob(&chain.state.join("raw"), "token");
    let deployed = chain.ok(&["deploy", "--salt", "raw", &raw, "--arg", "u128:5"]);
    let raw_address = contract_address(&deployed);
    let no_metadata = chain.fails(&["query", &raw_address, "total_supply"]);
    assert!(no_metadata.contains("no metadata for this contract"), "{no_metadata}");
    let given = chain.ok(&[
        "query",
        "--metadata",
        &chain.state.join("blobs/token.json").to_string_lossy(),
        &raw_address,
        "total_supply",
    ]);
    assert!(given.contains("result: returned 5"), "{given}");
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
    assert!(reverted.contains("the dry run reverted 0x00; not sending"), "{reverted}");
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

/// A call whose dry run fails is not sent, unless `--send-anyway`: then it is included,
/// pays its fee and fails, and the client says why.
#[test]
fn a_failing_call_sent_anyway() {
    let chain = Chain::new("send-anyway");
    let host_test = write_blob(&chain.state.join("blobs"), "host-test");
    let contract = contract_address(&chain.ok(&["deploy", &host_test]));
    let trap = hex(&host_test::Msg::Trap.encode());
    let refused = chain.fails(&["call", &contract, "--data", &trap]);
    assert!(refused.contains("the call would fail"), "{refused}");
    let balance = |chain: &Chain| chain.ok(&["balance", "//Alice"]);
    let before = balance(&chain);
    let limits = ["--gas", "1000000", "--deposit-limit", "1000000000000"];
    let sent = chain.fails(&[&["call", &contract, "--data", &trap, "--send-anyway"][..], &limits].concat());
    assert!(sent.contains("the transaction failed: Contracts.ContractTrapped"), "{sent}");
    assert_ne!(balance(&chain), before, "the failed transaction paid its fee");
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
