//! `pvm-client`: deploy, call and query contracts of `pallet-pvm-contracts`.
//!
//! With `--url ws://HOST:PORT` the commands talk to a node over RPC (subxt), and wait
//! for each transaction to be finalized. Without `--url` they run on an embedded chain: the real runtime, executed
//! natively in this process, producing one block per transaction, with its state in
//! `--state DIR` (default `.pvm-chain`) between commands. Every transaction is dry-run
//! first: its gas limit and storage deposit limit default to what the dry run says it
//! needs, and a transaction that would fail is not sent.

use pvm_client::typed::Key;
use pvm_client::{chain, embedded, input, report, say, typed};

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use pallet_pvm_contracts::{Code, ExecReturnValue};
use pvm_contract::metadata::{MessageSpec, Metadata};
use runtime::{Balance, RuntimeCall, RuntimeEvent};
use sp_core::Pair;
use sp_runtime::AccountId32;

use crate::chain::Chain;

#[derive(Parser)]
#[command(name = "pvm-client", version, about = "Deploy, call and query PolkaVM contracts")]
struct Cli {
    /// A node's RPC endpoint (e.g. ws://127.0.0.1:9944); without it, the embedded chain.
    #[arg(long, global = true)]
    url: Option<String>,
    /// Where the embedded chain keeps its state.
    #[arg(long, global = true, default_value = ".pvm-chain")]
    state: PathBuf,
    /// On the embedded chain, where contracts run: `node` (through the `pvm-host`
    /// interface, on pvm's compiler, as on pvm-node) or `runtime` (in the runtime).
    /// A node decides this itself (its own `--contracts-execution`).
    #[arg(long, global = true, value_enum, default_value_t = embedded::ContractsExecution::Node)]
    contracts_execution: embedded::ContractsExecution,
    /// Prints the results as one JSON object (with `"ok"`, and `"error"` on failure)
    /// instead of text, for scripts.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Uploads a contract (a `.polkavm` blob, or a contract crate, built first) and
    /// instantiates it.
    Deploy {
        /// A `.polkavm` file or the folder of a contract crate.
        code: PathBuf,
        #[command(flatten)]
        new: NewContractArgs,
    },
    /// Instantiates a contract from code already on chain, by its hash.
    Instantiate {
        /// The code's hash (`0x` and 64 hex digits), as `upload` printed it.
        code_hash: String,
        #[command(flatten)]
        new: NewContractArgs,
    },
    /// Uploads code only (a `.polkavm` file, or a contract crate, built first) and prints
    /// its hash; `instantiate` makes contracts of it.
    Upload {
        /// A `.polkavm` file or the folder of a contract crate.
        code: PathBuf,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Removes code that no contract uses; only its uploader may, and gets the deposit
    /// back.
    RemoveCode {
        /// The code's hash.
        code_hash: String,
        /// The uploader's secret URI.
        #[arg(long, default_value = "//Alice")]
        suri: String,
    },
    /// Changes the code of a contract (a sudo call: signed by the sudo key).
    SetCode {
        /// The contract's address.
        contract: String,
        /// The new code's hash.
        code_hash: String,
        /// The sudo key's secret URI.
        #[arg(long, default_value = "//Alice")]
        suri: String,
    },
    /// Calls a contract in a signed transaction.
    Call {
        /// The contract's address.
        contract: String,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Dry-runs a call: return data, gas consumed and required, storage deposit,
    /// events and debug messages. Changes nothing.
    Query {
        /// The contract's address.
        contract: String,
        #[command(flatten)]
        input: InputArgs,
        /// The value to send.
        #[arg(long, default_value_t = 0)]
        value: Balance,
        /// The caller (a secret URI or an account).
        #[arg(long, default_value = "//Alice")]
        origin: String,
        /// Runs the dry run this many times and reports the wall time (the first run,
        /// which may translate the code, and the median of the others) and gas per
        /// second.
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
    /// Shows the events of the latest blocks.
    Events {
        /// How many blocks.
        #[arg(long, default_value_t = 1)]
        last: usize,
    },
    /// Shows an account's balance.
    Balance {
        /// An SS58 address, 0x and 64 hex digits, or a seed like //Bob.
        account: String,
    },
    /// Shows the chain: its latest block, where and on which backend contracts run,
    /// and the pallet's limits.
    Info,
}

/// What making a contract takes besides its code.
#[derive(Args)]
struct NewContractArgs {
    /// The salt that, with the deployer and the code, gives the address.
    #[arg(long, default_value = "")]
    salt: String,
    #[command(flatten)]
    tx: TxArgs,
    #[command(flatten)]
    input: InputArgs,
}

/// The input: a message by name and its arguments, typed by the contract's metadata
/// (`transfer --to //Bob --value 250`), or raw (`--data`, `--arg`).
#[derive(Args)]
struct InputArgs {
    /// Input bytes in hex (before any --arg).
    #[arg(long)]
    data: Option<String>,
    /// A SCALE-encoded input value, TYPE:VALUE (u8..u128, i8..i128, bool, account,
    /// bytes, str, raw); repeat for more, in order.
    #[arg(long = "arg")]
    args: Vec<String>,
    /// The contract's metadata (default: the NAME.json that `polkatool build` wrote next
    /// to the deployed blob, remembered by address when deployed with this client).
    #[arg(long)]
    metadata: Option<PathBuf>,
    /// For a call or query: the message's name, then its arguments (`--name VALUE`, or
    /// values in order); for a deployment: the arguments of `deploy`. Comes last: the
    /// command's own options go before the contract.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "MESSAGE AND ARGUMENTS")]
    typed: Vec<String>,
}

impl InputArgs {
    /// The input bytes, and the message (by metadata) if it was given by name.
    fn encode<'m>(&self, metadata: Option<&'m Metadata>, deploy: bool) -> Result<(Vec<u8>, Option<&'m MessageSpec>)> {
        if self.typed.is_empty() {
            return Ok((input::input(self.data.as_deref(), &self.args)?, None));
        }
        if self.data.is_some() || !self.args.is_empty() {
            bail!("give the input either by name and arguments or with --data/--arg, not both");
        }
        let Some(metadata) = metadata else {
            bail!(
                "no metadata for this contract, to encode '{}' with: give --metadata FILE (polkatool build writes \
                 NAME.json next to the blob), or raw input with --data/--arg",
                self.typed.join(" ")
            );
        };
        if deploy {
            return Ok((typed::encode_deploy(metadata, &self.typed)?, None));
        }
        let (name, args) = self.typed.split_first().expect("not empty");
        let message = metadata.message(name);
        Ok((typed::encode_message(metadata, name, args)?, message))
    }
}

/// What a call returned, decoded by the metadata where the message is known.
fn describe_output(output: &ExecReturnValue, metadata: Option<&Metadata>, message: Option<&MessageSpec>) -> String {
    let raw = report::output(output);
    let (Some(metadata), Some(message)) = (metadata, message) else { return raw };
    let ty = if output.did_revert() { metadata.error } else { message.returns };
    match typed::decode(metadata, ty, &output.data) {
        Ok(value) if output.did_revert() => format!("reverted with {value} (output {})", report::hex(&output.data)),
        Ok(value) => format!("returned {value}"),
        Err(error) => format!("{raw} (which {error})"),
    }
}

#[derive(Args)]
struct TxArgs {
    /// The signer's secret URI.
    #[arg(long, default_value = "//Alice")]
    suri: String,
    /// The value to send.
    #[arg(long, default_value_t = 0)]
    value: Balance,
    /// The gas limit (default: what the dry run needs).
    #[arg(long)]
    gas: Option<u64>,
    /// The storage deposit limit (default: what the dry run charges).
    #[arg(long)]
    deposit_limit: Option<Balance>,
    /// Send the transaction even if its dry run fails or reverts, to see the chain
    /// handle it: the transaction is included, pays its fee and fails. Give `--gas` and
    /// `--deposit-limit` (by default: what the failed dry run used, which may be less
    /// than the transaction would need before it fails the same way).
    #[arg(long)]
    send_anyway: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.json {
        report::json::enable();
    }
    match run(cli) {
        Ok(()) => {
            report::json::finish(None);
            ExitCode::SUCCESS
        }
        Err(error) => {
            report::json::finish(Some(format!("{error:#}")));
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut chain = match &cli.url {
        Some(url) => Chain::Node(pvm_client::node::NodeChain::connect(url)?),
        None => Chain::Embedded(Box::new(embedded::EmbeddedChain::open(&cli.state, cli.contracts_execution)?)),
    };
    typed::set_cache(cli.state.join("metadata"));
    match cli.command {
        Command::Deploy { code, new: NewContractArgs { salt, tx, input } } => {
            let (blob, found_metadata) = load_code(&code, &cli.state.join("contracts"))?;
            let metadata = input.metadata.as_deref().or(found_metadata.as_deref());
            let metadata = metadata.map(|path| typed::load_for(path, &blob)).transpose()?;
            deploy(&mut chain, Code::Upload(blob), &input, metadata.as_ref(), salt.into_bytes(), &tx)?
        }
        Command::Instantiate { code_hash, new: NewContractArgs { salt, tx, input } } => {
            let code_hash = hash(&code_hash)?;
            let metadata = typed::of(Key::Code(&code_hash.0), input.metadata.as_deref())?;
            deploy(&mut chain, Code::Existing(code_hash), &input, metadata.as_ref(), salt.into_bytes(), &tx)?
        }
        Command::Upload { code, tx } => {
            let (blob, found_metadata) = load_code(&code, &cli.state.join("contracts"))?;
            let metadata = found_metadata.as_deref().map(|path| typed::load_for(path, &blob)).transpose()?;
            upload(&mut chain, blob, metadata.as_ref(), &tx)?
        }
        Command::RemoveCode { code_hash, suri } => {
            let call = RuntimeCall::Contracts(pallet_pvm_contracts::Call::remove_code { code_hash: hash(&code_hash)? });
            submit(&mut chain, &input::keypair(&suri)?, call)?;
        }
        Command::SetCode { contract, code_hash, suri } => {
            let (contract, code_hash) = (input::account(&contract)?, hash(&code_hash)?);
            let set_code =
                RuntimeCall::Contracts(pallet_pvm_contracts::Call::set_code { dest: contract.clone(), code_hash });
            let call = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(set_code) });
            let events = submit(&mut chain, &input::keypair(&suri)?, call)?;
            // Sudo succeeds even when the call it makes fails: the call's result is its event.
            for event in &events {
                if let RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(error) }) = event {
                    bail!("set_code failed: {}", report::error(error));
                }
            }
            if let Some(metadata) = typed::of(Key::Code(&code_hash.0), None)? {
                typed::remember(Key::Contract(&contract), &metadata)?;
            }
        }
        Command::Call { contract, input, tx } => call(&mut chain, &input::account(&contract)?, &input, &tx)?,
        Command::Query { contract, input, value, origin, repeat } => {
            let origin = origin_account(&origin)?;
            let contract = input::account(&contract)?;
            let metadata = typed::of(Key::Contract(&contract), input.metadata.as_deref())?;
            let (data, message) = input.encode(metadata.as_ref(), false)?;
            let mut dry_run = || chain.dry_run_call(origin.clone(), contract.clone(), value, None, None, data.clone());
            let started = Instant::now();
            let result = dry_run()?;
            let first = started.elapsed();
            report::dry_run(&result, |output| describe_output(output, metadata.as_ref(), message));
            if repeat > 1 {
                let mut times = Vec::new();
                for _ in 1..repeat {
                    let started = Instant::now();
                    dry_run()?;
                    times.push(started.elapsed());
                }
                report::timing(first, &mut times, result.gas_consumed);
            }
            if let Err(error) = &result.result {
                bail!("the call fails: {}", report::error(error));
            }
        }
        Command::Events { last } => {
            let blocks = chain.events(last)?;
            if blocks.is_empty() {
                say!("no blocks yet");
            }
            report::json::record(
                "blocks",
                blocks
                    .iter()
                    .map(|(number, hash, events)| {
                        serde_json::json!({
                            "number": number,
                            "hash": format!("{hash:?}"),
                            "events": events.iter().map(|record| report::event_json(&record.event)).collect::<Vec<_>>(),
                        })
                    })
                    .collect::<Vec<_>>(),
            );
            for (number, hash, events) in blocks {
                say!("block #{number} ({hash:?})");
                for record in &events {
                    say!("  {}", report::event(&record.event));
                }
            }
        }
        Command::Balance { account } => {
            let account = input::account(&account)?;
            let data = chain.account(&account)?.data;
            say!("{account}: free {}, held {}", report::balance(data.free), report::balance(data.reserved));
            report::json::record("account", account.to_string());
            report::json::record("free", data.free.to_string());
            report::json::record("held", data.reserved.to_string());
        }
        Command::Info => info(&mut chain, &cli)?,
    }
    Ok(())
}

fn info(chain: &mut Chain, cli: &Cli) -> Result<()> {
    match &cli.url {
        Some(url) => say!("chain: the node at {url}"),
        None => say!("chain: embedded, in {}", cli.state.display()),
    }
    say!("latest block: #{}", chain.best_number()?);
    let execution = chain.execution()?;
    let backend = String::from_utf8_lossy(&execution.backend);
    if execution.on_node {
        say!("contracts run: on the node, through the pvm-host runtime interface, on pvm's {backend}");
    } else {
        say!("contracts run: in the runtime, on pvm's {backend}");
    }
    let limits = chain.limits()?;
    say!("limits:");
    say!("  code size: {} bytes", limits.max_code_len);
    say!("  memory: {} bytes, of which heap: {} bytes", limits.max_memory, limits.max_heap_size);
    say!("  call depth: {}", limits.max_call_depth);
    say!("  value, input, output or event data: {} bytes", limits.max_value_len);
    say!("  gas per transaction: {} (one unit of gas: {} ps of weight)", limits.max_gas, limits.weight_per_gas);
    report::json::record("chain", cli.url.clone().unwrap_or_else(|| format!("embedded: {}", cli.state.display())));
    report::json::record("latest_block", chain.best_number()?);
    report::json::record("contracts_run_on_node", execution.on_node);
    report::json::record("backend", backend.into_owned());
    report::json::record(
        "limits",
        serde_json::json!({
            "max_code_len": limits.max_code_len,
            "max_memory": limits.max_memory,
            "max_heap_size": limits.max_heap_size,
            "max_call_depth": limits.max_call_depth,
            "max_value_len": limits.max_value_len,
            "max_gas": limits.max_gas,
            "weight_per_gas_ps": limits.weight_per_gas,
        }),
    );
    Ok(())
}

/// An origin for dry runs: a secret URI or an account.
fn origin_account(text: &str) -> Result<AccountId32> {
    input::account(text)
}

/// The blob at `path`, or the blob built from the contract crate in folder `path`
/// (written to `build_dir`); and the metadata file next to it, if there is one.
fn load_code(path: &Path, build_dir: &Path) -> Result<(Vec<u8>, Option<PathBuf>)> {
    let blob_path = if path.is_dir() {
        std::fs::create_dir_all(build_dir).with_context(|| format!("cannot create {}", build_dir.display()))?;
        let options = polkatool::build::BuildOptions {
            path: path.to_owned(),
            bin: None,
            isa: pvm::InstructionSet::Latest64,
            output_dir: Some(build_dir.to_owned()),
        };
        let blobs = polkatool::build::build(&options).with_context(|| format!("building {}", path.display()))?;
        match blobs.as_slice() {
            [blob] => blob.clone(),
            _ => bail!("{} has {} binaries; deploy one of their .polkavm files", path.display(), blobs.len()),
        }
    } else {
        path.to_owned()
    };
    let blob = std::fs::read(&blob_path).with_context(|| format!("cannot read {}", blob_path.display()))?;
    let metadata = blob_path.with_extension("json");
    Ok((blob, metadata.is_file().then_some(metadata)))
}

/// A code hash: `0x` and 64 hex digits.
fn hash(text: &str) -> Result<sp_core::H256> {
    let bytes = input::hex_bytes(text)?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| anyhow::anyhow!("'{text}' is not a 32-byte code hash"))?;
    Ok(sp_core::H256(bytes))
}

fn upload(chain: &mut Chain, blob: Vec<u8>, metadata: Option<&Metadata>, tx: &TxArgs) -> Result<()> {
    let signer = input::keypair(&tx.suri)?;
    let dry = chain.dry_run_upload_code(signer.public().into(), blob.clone(), tx.deposit_limit)?;
    let uploaded = match dry {
        Ok(uploaded) => uploaded,
        Err(rejection) => bail!(
            "the code would be rejected: {}: {}",
            report::error(&rejection.error),
            String::from_utf8_lossy(&rejection.reason)
        ),
    };
    if let Some(metadata) = metadata {
        typed::remember(Key::Code(&uploaded.code_hash.0), metadata)?;
    }
    let storage_deposit_limit = tx.deposit_limit.unwrap_or(uploaded.deposit);
    submit(
        chain,
        &signer,
        RuntimeCall::Contracts(pallet_pvm_contracts::Call::upload_code { code: blob, storage_deposit_limit }),
    )?;
    say!("code hash: {:?}", uploaded.code_hash);
    report::json::record("code_hash", format!("{:?}", uploaded.code_hash));
    Ok(())
}

fn deploy(
    chain: &mut Chain,
    code: Code,
    input: &InputArgs,
    metadata: Option<&Metadata>,
    salt: Vec<u8>,
    tx: &TxArgs,
) -> Result<()> {
    let (data, _) = input.encode(metadata, true)?;
    let signer = input::keypair(&tx.suri)?;
    let origin: AccountId32 = signer.public().into();
    let dry = chain.dry_run_instantiate(
        origin.clone(),
        tx.value,
        tx.gas,
        tx.deposit_limit,
        code.clone(),
        data.clone(),
        salt.clone(),
    )?;
    match &dry.result {
        Ok(output) if !output.result.did_revert() => {
            // Remembered before the transaction, so that its events print decoded.
            if let Some(metadata) = metadata {
                typed::remember(Key::Contract(&output.account_id), metadata)?;
            }
        }
        Ok(output) => {
            report::dry_run(&dry, |_| report::output(&output.result));
            bail!("the contract's deploy reverts; not sending the transaction");
        }
        Err(error) => {
            report::dry_run(&dry, |_| String::new());
            bail!("the deployment would fail: {}", report::error(error));
        }
    }
    let gas_limit = tx.gas.unwrap_or(dry.gas_required);
    let deposit_limit = tx.deposit_limit.unwrap_or(dry.storage_deposit.charge_or_zero());
    say!("dry run: {} gas required, storage deposit {}", dry.gas_required, report::deposit(&dry.storage_deposit));
    report::json::record("gas_required", dry.gas_required);
    let call = chain::instantiate_call(code, tx.value, gas_limit, deposit_limit, data, salt);
    let events = submit(chain, &signer, call)?;
    let address = events.iter().find_map(|event| match event {
        RuntimeEvent::Contracts(pallet_pvm_contracts::Event::Instantiated { contract, .. }) => Some(contract.clone()),
        _ => None,
    });
    if let Some(address) = address {
        say!("contract: {address}");
        report::json::record("contract", address.to_string());
        if let Some(metadata) = metadata {
            say!("interface: {} {} (messages: {})", metadata.name, metadata.version, message_names(metadata));
        }
    }
    Ok(())
}

fn message_names(metadata: &Metadata) -> String {
    metadata.messages.iter().map(|message| message.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn call(chain: &mut Chain, contract: &AccountId32, input: &InputArgs, tx: &TxArgs) -> Result<()> {
    let metadata = typed::of(Key::Contract(contract), input.metadata.as_deref())?;
    let (data, message) = input.encode(metadata.as_ref(), false)?;
    let signer = input::keypair(&tx.suri)?;
    let origin: AccountId32 = signer.public().into();
    let dry = chain.dry_run_call(origin, contract.clone(), tx.value, tx.gas, tx.deposit_limit, data.clone())?;
    match &dry.result {
        Ok(output) if !output.did_revert() => {
            report::json::record("output", describe_output(output, metadata.as_ref(), message));
        }
        Ok(output) => {
            let describe = |output: &ExecReturnValue| describe_output(output, metadata.as_ref(), message);
            report::dry_run(&dry, describe);
            if !tx.send_anyway {
                bail!("the dry run {}; not sending the transaction", describe(output));
            }
        }
        Err(error) => {
            report::dry_run(&dry, |_| String::new());
            if !tx.send_anyway {
                bail!("the call would fail: {}", report::error(error));
            }
        }
    }
    let gas_limit = tx.gas.unwrap_or(dry.gas_required);
    let deposit_limit = tx.deposit_limit.unwrap_or(dry.storage_deposit.charge_or_zero());
    say!("dry run: {} gas required, storage deposit {}", dry.gas_required, report::deposit(&dry.storage_deposit));
    report::json::record("gas_required", dry.gas_required);
    let call = RuntimeCall::Contracts(pallet_pvm_contracts::Call::call {
        dest: contract.clone(),
        value: tx.value,
        gas_limit,
        storage_deposit_limit: deposit_limit,
        data,
    });
    submit(chain, &signer, call)?;
    Ok(())
}

/// Signs `call`, submits it (on the embedded chain: puts it into a new block and saves
/// the chain) and prints what happened.
fn submit(chain: &mut Chain, signer: &sp_core::sr25519::Pair, call: RuntimeCall) -> Result<Vec<RuntimeEvent>> {
    let who: AccountId32 = signer.public().into();
    let nonce = chain.nonce(&who)?;
    let extrinsic = runtime::native::sign(call, signer, nonce, chain.genesis_hash());
    let (block, events, result) = chain.submit(extrinsic)?;
    report::json::record("block", block.clone());
    report::json::record("events", events.iter().map(report::event_json).collect::<Vec<_>>());
    say!("{block}");
    for event in &events {
        say!("  {}", report::event(event));
    }
    match result {
        Ok(()) => Ok(events),
        Err(error) => bail!("the transaction failed: {}", report::error(&error)),
    }
}
