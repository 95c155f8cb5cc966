//! An embedded chain: the real runtime, run natively in this process, with its state in
//! a local directory between commands. Every command that changes state produces a
//! block the way a node's block builder does: `initialize_block` with an Aura slot
//! digest, the timestamp inherent, the signed extrinsics, `finalize_block`.
//!
//! Contracts run as on `pvm-node`: every runtime call (a block, a dry run) gets fresh
//! `pvm-host` state, so the runtime runs contracts through that interface on `pvm`'s
//! compiler in this process; or, with [`ContractsExecution::Runtime`], the runtime runs
//! them itself.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use codec::{Decode, Encode};
use runtime::{EventRecord, Executive, Hash, Header, Nonce, Runtime, RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_runtime::{
    traits::Header as HeaderT, transaction_validity::TransactionValidityError, AccountId32, ApplyExtrinsicResult,
    Digest, DigestItem, DispatchError,
};

type Externalities = sp_io::TestExternalities;

/// The blocks whose events `events` can show.
const KEPT_BLOCKS: usize = 100;

/// Trie nodes (key, value and reference count), as `TestExternalities` exports them.
type TrieNodes = Vec<(Vec<u8>, (Vec<u8>, i32))>;

/// The whole chain at one block: what is saved between commands, and what
/// [`EmbeddedChain::snapshot`] returns.
#[derive(Clone, Encode, Decode)]
pub struct Snapshot {
    /// The trie nodes of the state, with their reference counts.
    nodes: TrieNodes,
    root: Hash,
    head: Header,
    genesis_hash: Hash,
    blocks: Vec<BlockRecord>,
}

/// A block's number, hash and events.
#[derive(Clone, Encode, Decode)]
pub struct BlockRecord {
    pub number: u32,
    pub hash: Hash,
    pub events: Vec<EventRecord>,
}

/// What happened to one extrinsic of a block.
pub struct ExtrinsicOutcome {
    /// `Err` if the extrinsic was invalid (not included), else its dispatch result.
    pub result: Result<Result<(), DispatchError>, TransactionValidityError>,
    /// The events it emitted.
    pub events: Vec<RuntimeEvent>,
}

/// Where the runtime's contracts run (`--contracts-execution`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, clap::ValueEnum)]
pub enum ContractsExecution {
    /// Through the `pvm-host` interface, as on a node (the compiler where available).
    #[default]
    Node,
    /// In the runtime itself (natively, here: with `pvm`'s default backend).
    Runtime,
}

/// The chain in a directory, or in memory only.
pub struct EmbeddedChain {
    dir: Option<PathBuf>,
    ext: Externalities,
    contracts: ContractsExecution,
    head: Header,
    genesis_hash: Hash,
    blocks: Vec<BlockRecord>,
}

impl EmbeddedChain {
    const FILE: &'static str = "chain.scale";

    /// Opens the chain saved in `dir`, or starts one from the `development` genesis
    /// preset (Alice, Bob, ... endowed; Alice is sudo).
    pub fn open(dir: &Path, contracts: ContractsExecution) -> Result<Self> {
        let path = dir.join(Self::FILE);
        if !path.exists() {
            let mut chain = Self::in_memory(contracts)?;
            chain.dir = Some(dir.to_owned());
            return Ok(chain);
        }
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let snapshot = Snapshot::decode(&mut &bytes[..])
            .with_context(|| format!("{} is not a chain saved by this version of pvm-client", path.display()))?;
        let mut chain = Self::in_memory(contracts)?;
        chain.dir = Some(dir.to_owned());
        chain.restore(snapshot);
        Ok(chain)
    }

    /// A chain from the `development` genesis preset that lives in memory only
    /// ([`EmbeddedChain::save`] does nothing).
    pub fn in_memory(contracts: ContractsExecution) -> Result<Self> {
        let storage = runtime::native::genesis_storage("development").map_err(anyhow::Error::msg)?;
        let head = runtime::native::genesis_header(&storage);
        let ext = Externalities::new_with_state_version(storage, runtime::VERSION.state_version());
        Ok(EmbeddedChain { dir: None, ext, contracts, genesis_hash: head.hash(), head, blocks: Vec::new() })
    }

    /// The chain as it is now, to [`restore`](EmbeddedChain::restore) later.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        self.ext.commit_all().map_err(anyhow::Error::msg)?;
        let ext = std::mem::replace(&mut self.ext, Externalities::new_empty());
        let (nodes, root) = ext.into_raw_snapshot();
        let snapshot = Snapshot {
            nodes,
            root,
            head: self.head.clone(),
            genesis_hash: self.genesis_hash,
            blocks: self.blocks.clone(),
        };
        self.ext =
            Externalities::from_raw_snapshot(snapshot.nodes.clone(), snapshot.root, runtime::VERSION.state_version());
        Ok(snapshot)
    }

    /// Puts the chain back to `snapshot`.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.ext = Externalities::from_raw_snapshot(snapshot.nodes, snapshot.root, runtime::VERSION.state_version());
        self.head = snapshot.head;
        self.genesis_hash = snapshot.genesis_hash;
        self.blocks = snapshot.blocks;
    }

    /// Writes the chain to its directory, if it has one.
    pub fn save(&mut self) -> Result<()> {
        let Some(dir) = self.dir.clone() else { return Ok(()) };
        let snapshot = self.snapshot()?;
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(Self::FILE);
        let temporary = dir.join(format!("{}.new", Self::FILE));
        std::fs::write(&temporary, snapshot.encode())
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        std::fs::rename(&temporary, &path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The hash transactions sign.
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// The latest block's number.
    pub fn best_number(&self) -> u32 {
        self.head.number
    }

    /// The blocks whose events are kept, oldest first.
    pub fn blocks(&self) -> &[BlockRecord] {
        &self.blocks
    }

    /// Runs `f` on the latest state (for reads and dry runs; what `f` writes is kept
    /// only until the next block is produced, so `f` should not write).
    pub fn at_head<R>(&mut self, f: impl FnOnce() -> R) -> R {
        self.runtime_call(f)
    }

    /// Runs `f` as one runtime call: with fresh `pvm-host` state, as a node gives each.
    fn runtime_call<R>(&mut self, f: impl FnOnce() -> R) -> R {
        if self.contracts == ContractsExecution::Node {
            self.ext.register_extension(pvm_host::PvmHostExt::new());
        }
        self.ext.execute_with(f)
    }

    /// The next nonce of `who`.
    pub fn nonce(&mut self, who: &AccountId32) -> Nonce {
        self.at_head(|| frame_system::Pallet::<Runtime>::account_nonce(who))
    }

    /// Produces a block with `extrinsics` (invalid ones are left out, as a block
    /// builder does) and returns what happened to each.
    pub fn produce_block(&mut self, extrinsics: Vec<UncheckedExtrinsic>) -> Result<Vec<ExtrinsicOutcome>> {
        let parent = self.head.hash();
        let number = self.head.number + 1;
        let (header, outcomes, events) = self.runtime_call(|| -> Result<_> {
            // One slot after the previous block, or the current time if later.
            let previous = pallet_timestamp::Now::<Runtime>::get();
            let wall_clock = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_millis() as u64)
                .unwrap_or(0);
            let slot = (previous / runtime::SLOT_DURATION + 1).max(wall_clock / runtime::SLOT_DURATION);
            let timestamp = slot * runtime::SLOT_DURATION;
            let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())] };
            let header = Header::new(number, Default::default(), Default::default(), parent, digest);

            Executive::initialize_block(&header);
            let inherent =
                UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set { now: timestamp }));
            check_inherent(Executive::apply_extrinsic(inherent))?;
            let mut outcomes = Vec::new();
            for extrinsic in extrinsics {
                let before = frame_system::Pallet::<Runtime>::event_count();
                let result = Executive::apply_extrinsic(extrinsic);
                let events = frame_system::Pallet::<Runtime>::read_events_no_consensus()
                    .skip(before as usize)
                    .map(|record| record.event.clone())
                    .collect();
                outcomes.push(ExtrinsicOutcome { result, events });
            }
            let header = Executive::finalize_block();
            let events = frame_system::Pallet::<Runtime>::read_events_no_consensus().map(|record| *record).collect();
            Ok((header, outcomes, events))
        })?;
        self.blocks.push(BlockRecord { number, hash: header.hash(), events });
        if self.blocks.len() > KEPT_BLOCKS {
            self.blocks.drain(..self.blocks.len() - KEPT_BLOCKS);
        }
        self.head = header;
        Ok(outcomes)
    }
}

fn check_inherent(result: ApplyExtrinsicResult) -> Result<()> {
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => bail!("the timestamp inherent failed: {error:?}"),
        Err(invalid) => bail!("the timestamp inherent is invalid: {invalid:?}"),
    }
}
