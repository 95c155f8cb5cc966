//! An in-process chain for a contract crate's own tests, as drink! is for ink!: the
//! real runtime (development genesis: Alice, Bob, ... endowed), in memory, contracts
//! running as on `pvm-node` (through `pvm-host`, on `pvm`'s compiler). Deploy a crate
//! (built by `polkatool build`) or a blob, call it with the contract's own message
//! types in signed transactions, dry-run queries, read storage, balances, events and
//! debug messages, advance blocks, and snapshot and restore the whole chain.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use pvm_client::sandbox::{account, Sandbox};
//! let mut sandbox = Sandbox::new()?;
//! let code = Sandbox::build(env!("CARGO_MANIFEST_DIR"))?;
//! let token = sandbox.deploy("//Alice", &code, 1_000u128)?;
//! # let transfer = ();
//! let outcome = sandbox.call("//Alice", &token, transfer)?;
//! assert!(outcome.succeeded());
//! # Ok(())
//! # }
//! ```

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use codec::{Decode, Encode};
use pallet_pvm_contracts::{Code, ContractResult, ExecReturnValue};
use runtime::{Balance, EventRecord, Runtime, RuntimeCall, RuntimeEvent};
use sp_core::Pair;
use sp_runtime::{AccountId32, DispatchError};

use crate::chain::Chain;
use crate::embedded::{ContractsExecution, EmbeddedChain, Snapshot};
use crate::input;

/// The account of a secret URI (`//Alice`), an SS58 address or `0x` hex; panics,
/// naming the text, if it is none of these (in a test, a typo).
pub fn account(text: &str) -> AccountId32 {
    input::account(text).unwrap_or_else(|error| panic!("{error}"))
}

/// A chain in memory.
pub struct Sandbox {
    chain: Chain,
}

/// What a transaction did.
#[derive(Debug)]
pub struct Outcome {
    /// What the contract returned in the dry run just before (a transaction's output
    /// is not kept on chain), or why the dry run failed.
    pub output: Result<ExecReturnValue, DispatchError>,
    /// The gas the dry run needed, which the transaction was given.
    pub gas_required: u64,
    /// The transaction's events.
    pub events: Vec<RuntimeEvent>,
    /// The transaction's result: an error if the contract reverted or trapped.
    pub result: Result<(), DispatchError>,
}

impl Outcome {
    /// Whether the transaction succeeded.
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    /// The events `contract` emitted, decoded as `E` (the contract's event type).
    pub fn contract_events<E: Decode>(&self, contract: &AccountId32) -> Vec<E> {
        contract_events(self.events.iter(), contract)
    }
}

/// What a dry run says: the pallet's own result (output, gas, deposit, events, debug
/// messages, and in words why it failed).
#[derive(Debug)]
pub struct Query(pub ContractResult<ExecReturnValue, Balance, EventRecord>);

impl Query {
    /// What the contract returned, decoded as `R`; an error if it reverted or failed.
    pub fn returned<R: Decode>(&self) -> Result<R> {
        let output = self.output()?;
        if output.did_revert() {
            bail!("the contract reverted with 0x{}", hex::encode(&output.data));
        }
        R::decode(&mut &output.data[..]).map_err(|error| anyhow!("the output does not decode: {error}"))
    }

    /// What the contract reverted with, decoded as `E` (its error type); an error if it
    /// did not revert.
    pub fn reverted<E: Decode>(&self) -> Result<E> {
        let output = self.output()?;
        if !output.did_revert() {
            bail!("the contract did not revert");
        }
        E::decode(&mut &output.data[..]).map_err(|error| anyhow!("the output does not decode: {error}"))
    }

    fn output(&self) -> Result<&ExecReturnValue> {
        self.0.result.as_ref().map_err(|error| {
            let why = self.0.failure.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            anyhow!("the call failed: {} ({why})", crate::report::error(error))
        })
    }

    /// The debug messages, as text.
    pub fn debug_messages(&self) -> Vec<String> {
        self.0.debug_messages.iter().map(|message| String::from_utf8_lossy(message).into_owned()).collect()
    }

    /// The events `contract` emitted, decoded as `E`.
    pub fn contract_events<E: Decode>(&self, contract: &AccountId32) -> Vec<E> {
        contract_events(self.0.events.iter().map(|record| &record.event), contract)
    }
}

fn contract_events<'a, E: Decode>(events: impl Iterator<Item = &'a RuntimeEvent>, contract: &AccountId32) -> Vec<E> {
    events
        .filter_map(|event| match event {
            RuntimeEvent::Contracts(pallet_pvm_contracts::Event::ContractEmitted { contract: from, data, .. })
                if from == contract =>
            {
                E::decode(&mut &data[..]).ok()
            }
            _ => None,
        })
        .collect()
}

impl Sandbox {
    /// A chain at its genesis, contracts running as on a node.
    pub fn new() -> Result<Self> {
        Self::with_execution(ContractsExecution::Node)
    }

    /// A chain at its genesis, contracts running where `execution` says.
    pub fn with_execution(execution: ContractsExecution) -> Result<Self> {
        Ok(Sandbox { chain: Chain::Embedded(Box::new(EmbeddedChain::in_memory(execution)?)) })
    }

    fn embedded(&mut self) -> &mut EmbeddedChain {
        match &mut self.chain {
            Chain::Embedded(chain) => chain,
            Chain::Node(_) => unreachable!("a sandbox is embedded"),
        }
    }

    /// Builds the contract crate in `crate_dir` (its one binary, Latest64) and returns
    /// its blob.
    pub fn build(crate_dir: impl AsRef<Path>) -> Result<Vec<u8>> {
        let crate_dir = crate_dir.as_ref();
        let output_dir = crate_dir.join("target/pvm-sandbox");
        std::fs::create_dir_all(&output_dir).with_context(|| format!("cannot create {}", output_dir.display()))?;
        let blobs = polkatool::build::build(&polkatool::build::BuildOptions {
            path: crate_dir.to_owned(),
            bin: None,
            isa: pvm::InstructionSet::Latest64,
            output_dir: Some(output_dir),
        })?;
        let [blob] = blobs.as_slice() else { bail!("{} has {} binaries, not one", crate_dir.display(), blobs.len()) };
        std::fs::read(blob).with_context(|| format!("cannot read {}", blob.display()))
    }

    /// Uploads and instantiates `code` with `input` (SCALE-encoded), signed by `signer`
    /// (a secret URI), in a block; returns the contract's address. Fails if the
    /// deployment would fail or revert.
    pub fn deploy(&mut self, signer: &str, code: &[u8], input: impl Encode) -> Result<AccountId32> {
        self.deploy_with(signer, code, input, 0, b"")
    }

    /// [`Sandbox::deploy`] with a value to send and a salt (another address).
    pub fn deploy_with(
        &mut self,
        signer: &str,
        code: &[u8],
        input: impl Encode,
        value: Balance,
        salt: &[u8],
    ) -> Result<AccountId32> {
        let origin = account(signer);
        let (code, data, salt) = (code.to_vec(), input.encode(), salt.to_vec());
        let dry = self.chain.dry_run_instantiate(
            origin,
            value,
            None,
            None,
            Code::Upload(code.clone()),
            data.clone(),
            salt.clone(),
        )?;
        let address = match &dry.result {
            Ok(output) if !output.result.did_revert() => output.account_id.clone(),
            Ok(output) => bail!("deploy reverts with 0x{}", hex::encode(&output.result.data)),
            Err(error) => bail!("the deployment fails: {}", crate::report::error(error)),
        };
        let call = crate::chain::instantiate_call(
            Code::Upload(code),
            value,
            dry.gas_required,
            dry.storage_deposit.charge_or_zero(),
            data,
            salt,
        );
        let (_, result) = self.submit(signer, call)?;
        result.map_err(|error| anyhow!("the deployment failed: {}", crate::report::error(&error)))?;
        Ok(address)
    }

    /// Calls `contract` with `message` (the contract's message value) in a signed
    /// transaction of `signer`, in a block of its own. A contract that reverts or traps
    /// is an [`Outcome`] that did not succeed, not an error.
    pub fn call(&mut self, signer: &str, contract: &AccountId32, message: impl Encode) -> Result<Outcome> {
        self.call_with_value(signer, contract, message, 0)
    }

    /// [`Sandbox::call`] with a value to send.
    pub fn call_with_value(
        &mut self,
        signer: &str,
        contract: &AccountId32,
        message: impl Encode,
        value: Balance,
    ) -> Result<Outcome> {
        let data = message.encode();
        let dry = self.chain.dry_run_call(account(signer), contract.clone(), value, None, None, data.clone())?;
        let output = dry.result;
        let call = RuntimeCall::Contracts(pallet_pvm_contracts::Call::call {
            dest: contract.clone(),
            value,
            gas_limit: dry.gas_required,
            storage_deposit_limit: dry.storage_deposit.charge_or_zero(),
            data,
        });
        let (events, result) = self.submit(signer, call)?;
        Ok(Outcome { output, gas_required: dry.gas_required, events, result })
    }

    /// Dry-runs `message` on `contract` as `origin` (a secret URI or an account):
    /// changes nothing.
    pub fn query(&mut self, origin: &str, contract: &AccountId32, message: impl Encode) -> Result<Query> {
        self.chain.dry_run_call(account(origin), contract.clone(), 0, None, None, message.encode()).map(Query)
    }

    fn submit(&mut self, signer: &str, call: RuntimeCall) -> Result<(Vec<RuntimeEvent>, Result<(), DispatchError>)> {
        let pair = input::keypair(signer)?;
        let nonce = self.chain.nonce(&pair.public().into())?;
        let extrinsic = runtime::native::sign(call, &pair, nonce, self.chain.genesis_hash());
        let (_, events, result) = self.chain.submit(extrinsic)?;
        Ok((events, result))
    }

    /// `contract`'s storage under `key`.
    pub fn storage(&mut self, contract: &AccountId32, key: &[u8]) -> Option<Vec<u8>> {
        self.embedded().at_head(|| pallet_pvm_contracts::Pallet::<Runtime>::get_storage(contract, key))
    }

    /// The free balance of `who` (a secret URI or an account).
    pub fn balance(&mut self, who: &str) -> Balance {
        let who = account(who);
        self.embedded().at_head(|| runtime::Balances::free_balance(&who))
    }

    /// The latest block's number.
    pub fn block_number(&mut self) -> u32 {
        self.embedded().best_number()
    }

    /// Produces `count` empty blocks.
    pub fn advance_blocks(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            self.embedded().produce_block(Vec::new())?;
        }
        Ok(())
    }

    /// The whole chain as it is now.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        self.embedded().snapshot()
    }

    /// Puts the whole chain back to `snapshot`.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.embedded().restore(snapshot);
    }
}
