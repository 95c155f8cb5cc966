//! The harness of the runtime's tests: the runtime run natively, the way a node's block
//! builder runs it (genesis storage from a preset, then blocks of the timestamp
//! inherent and real sr25519-signed extrinsics through `Executive`).

// Only the hostile-contract tests use it.
#[allow(dead_code)]
pub mod attacks;

use codec::Encode;
use pvm_chain_runtime::{
    native, AccountId, Executive, Hash, Header, RuntimeCall, TimestampCall, UncheckedExtrinsic, SLOT_DURATION,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Header as _, ApplyExtrinsicResult, Digest, DigestItem};

/// The Aura slot of block 1 (some time in November 2023).
const FIRST_SLOT: u64 = 1_700_000_000_000 / SLOT_DURATION;

/// A chain run in-process: its state and its last block.
pub struct Chain {
    pub ext: sp_io::TestExternalities,
    pub genesis_hash: Hash,
    pub head: Header,
}

impl Chain {
    /// The chain of the `development` preset, at genesis.
    pub fn development() -> Self {
        let storage = native::genesis_storage("development").expect("the development preset builds");
        let head = native::genesis_header(&storage);
        Chain { ext: sp_io::TestExternalities::new(storage), genesis_hash: head.hash(), head }
    }

    /// `call` signed by `signer` with `nonce`, for this chain.
    pub fn sign(&self, call: RuntimeCall, signer: Sr25519Keyring, nonce: u32) -> UncheckedExtrinsic {
        native::sign(call, &signer.pair(), nonce, self.genesis_hash)
    }

    /// Builds the next block: the timestamp inherent, then `extrinsics`; returns each
    /// extrinsic's result. The block's events stay readable until the next block.
    pub fn produce_block(&mut self, extrinsics: Vec<UncheckedExtrinsic>) -> Vec<ApplyExtrinsicResult> {
        let number = self.head.number + 1;
        let slot = FIRST_SLOT + u64::from(number) - 1;
        // Aura reads the slot from the pre-runtime digest the block author puts in.
        let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())] };
        let header = Header::new(number, H256::zero(), H256::zero(), self.head.hash(), digest);
        let (head, results) = self.ext.execute_with(|| {
            Executive::initialize_block(&header);
            let timestamp =
                UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(TimestampCall::set { now: slot * SLOT_DURATION }));
            assert_eq!(Executive::apply_extrinsic(timestamp), Ok(Ok(())), "the timestamp inherent failed");
            let results = extrinsics.into_iter().map(Executive::apply_extrinsic).collect();
            (Executive::finalize_block(), results)
        });
        self.head = head;
        results
    }

    pub fn execute_with<R>(&mut self, f: impl FnOnce() -> R) -> R {
        self.ext.execute_with(f)
    }
}

pub fn alice() -> AccountId {
    Sr25519Keyring::Alice.to_account_id()
}

pub fn bob() -> AccountId {
    Sr25519Keyring::Bob.to_account_id()
}
