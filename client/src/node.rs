//! A chain behind a node's RPC endpoint, through subxt: runtime API calls for dry runs
//! and nonces, raw storage for events, and transactions (signed here, with the same
//! code as on the embedded chain) submitted and watched until finalized.

use anyhow::{anyhow, bail, Context, Result};
use codec::{Decode, Encode};
use runtime::{EventRecord, Hash, Nonce, RuntimeEvent, UncheckedExtrinsic};
use sp_runtime::AccountId32;
use subxt::{transactions::TransactionStatus, OnlineClient, SubstrateConfig};

/// A connection to a node.
pub struct NodeChain {
    runtime: tokio::runtime::Runtime,
    client: OnlineClient<SubstrateConfig>,
    url: String,
}

/// The storage key of `System::Events`.
fn events_key() -> Vec<u8> {
    [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat()
}

impl NodeChain {
    /// Connects to the node at `url` (`ws://` or `wss://`).
    pub fn connect(url: &str) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        // The legacy RPC methods (`state_call`, `author_submitAndWatchExtrinsic`, ...):
        // subxt's default backend makes runtime API calls through a `chainHead_v1_follow`
        // subscription, which cost ~90 ms each here against under a millisecond.
        let client = runtime
            .block_on(async {
                let rpc = subxt::rpcs::RpcClient::from_insecure_url(url).await?;
                let backend = subxt::backend::LegacyBackend::<SubstrateConfig>::builder().build(rpc);
                OnlineClient::from_backend(std::sync::Arc::new(backend)).await.map_err(anyhow::Error::from)
            })
            .map_err(|error| anyhow!("cannot connect to {url}: {error}"))?;
        Ok(NodeChain { runtime, client, url: url.to_owned() })
    }

    pub fn genesis_hash(&self) -> Hash {
        Hash::from(self.client.genesis_hash().0)
    }

    /// Calls the runtime API function `name` (e.g. `ContractsApi_call`) at the latest
    /// finalized block and decodes its result.
    pub fn runtime_api<R: Decode>(&self, name: &str, args: impl Encode) -> Result<R> {
        self.runtime.block_on(async {
            let at = self.client.at_current_block().await.with_context(|| format!("{}: no current block", self.url))?;
            let bytes = at
                .runtime_apis()
                .call_raw(name, Some(&args.encode()))
                .await
                .map_err(|error| anyhow!("runtime API {name} failed: {error}"))?;
            R::decode(&mut &bytes[..])
                .map_err(|error| anyhow!("runtime API {name} returned undecodable bytes: {error}"))
        })
    }

    /// The latest finalized block's number.
    pub fn best_number(&self) -> Result<u64> {
        self.runtime.block_on(async {
            let at = self.client.at_current_block().await.with_context(|| format!("{}: no current block", self.url))?;
            Ok(at.block_number())
        })
    }

    /// The next nonce of `who`, counting transactions in the node's pool.
    pub fn nonce(&self, who: &AccountId32) -> Result<Nonce> {
        self.runtime_api("AccountNonceApi_account_nonce", who)
    }

    /// The account data of `who` at the latest finalized block (default if none).
    pub fn account(&self, who: &AccountId32) -> Result<crate::chain::AccountInfo> {
        let key = [
            &sp_io::hashing::twox_128(b"System")[..],
            &sp_io::hashing::twox_128(b"Account"),
            &sp_io::hashing::blake2_128(who.as_ref()),
            who.as_ref(),
        ]
        .concat();
        self.runtime.block_on(async {
            let at = self.client.at_current_block().await?;
            match at.storage().fetch_raw(key).await {
                Ok(bytes) => Decode::decode(&mut &bytes[..]).context("undecodable account data"),
                Err(_) => Ok(Default::default()),
            }
        })
    }

    /// The raw value of storage `key` at finalized block `number` (none if there is none).
    pub fn storage_at(&self, number: u64, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.runtime.block_on(async {
            let at = self.client.at_block(number).await.with_context(|| format!("{}: no block {number}", self.url))?;
            Ok(at.storage().fetch_raw(key.to_vec()).await.ok())
        })
    }

    /// The events of the `last` latest finalized blocks: `(number, hash, events)`.
    pub fn events(&self, last: usize) -> Result<Vec<(u64, Hash, Vec<EventRecord>)>> {
        self.runtime.block_on(async {
            let head = self.client.at_current_block().await?;
            let mut blocks = Vec::new();
            let newest = head.block_number();
            for number in (newest.saturating_sub(last as u64 - 1)..=newest).filter(|_| last > 0) {
                let at = self.client.at_block(number).await?;
                let bytes = at.storage().fetch_raw(events_key()).await.unwrap_or_default();
                let events = Vec::<EventRecord>::decode(&mut &bytes[..]).context("undecodable events")?;
                blocks.push((number, Hash::from(at.block_hash().0), events));
            }
            Ok(blocks)
        })
    }

    /// Submits a signed extrinsic and waits until it is in a finalized block, printing
    /// its progress; returns the block and the extrinsic's events.
    pub fn submit(&self, extrinsic: &UncheckedExtrinsic) -> Result<(Hash, Vec<RuntimeEvent>)> {
        self.runtime.block_on(async {
            let at = self.client.at_current_block().await?;
            let mut progress = at
                .transactions()
                .from_bytes(extrinsic.encode())
                .submit_and_watch()
                .await
                .map_err(|error| anyhow!("the node refused the transaction: {error}"))?;
            while let Some(status) = progress.next().await {
                match status.map_err(|error| anyhow!("lost track of the transaction: {error}"))? {
                    TransactionStatus::Validated => say!("… in the transaction pool"),
                    TransactionStatus::Broadcasted => say!("… broadcast to peers"),
                    TransactionStatus::NoLongerInBestBlock => say!("… no longer in the best block"),
                    TransactionStatus::InBestBlock(block) => {
                        say!("… included in block {:?}, waiting for finality", block.block_hash())
                    }
                    TransactionStatus::InFinalizedBlock(block) => {
                        let block_hash = Hash::from(block.block_hash().0);
                        let events = block.fetch_events().await.context("cannot fetch the block's events")?;
                        let index = events.extrinsic_index() as u32;
                        let records = Vec::<EventRecord>::decode(&mut events.all_events_in_block().bytes())
                            .context("undecodable events")?;
                        let mine = records
                            .into_iter()
                            .filter(|record| record.phase == frame_system::Phase::ApplyExtrinsic(index))
                            .map(|record| record.event)
                            .collect();
                        return Ok((block_hash, mine));
                    }
                    TransactionStatus::Error { message } => bail!("the node reported an error: {message}"),
                    TransactionStatus::Invalid { message } => bail!("the transaction is invalid: {message}"),
                    TransactionStatus::Dropped { message } => bail!("the transaction was dropped: {message}"),
                }
            }
            bail!("the node stopped reporting on the transaction")
        })
    }
}
