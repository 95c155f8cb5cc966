//! The chain the commands act on: embedded, or a node over RPC.

use anyhow::{bail, Result};
use pallet_pvm_contracts::{
    Code, CodeUploadResult, ContractResult, ExecReturnValue, Execution, InstantiateReturnValue, Limits,
};
use runtime::{Balance, EventRecord, Hash, Nonce, Runtime, RuntimeEvent, UncheckedExtrinsic};
use sp_runtime::{AccountId32, DispatchError};

use crate::{embedded::EmbeddedChain, node::NodeChain};

pub enum Chain {
    Embedded(Box<EmbeddedChain>),
    Node(NodeChain),
}

/// The transaction that makes a contract of `code` (uploading it first, or stored code).
pub fn instantiate_call(
    code: Code,
    value: Balance,
    gas_limit: u64,
    storage_deposit_limit: Balance,
    data: Vec<u8>,
    salt: Vec<u8>,
) -> runtime::RuntimeCall {
    runtime::RuntimeCall::Contracts(match code {
        Code::Upload(code) => pallet_pvm_contracts::Call::instantiate_with_code {
            value,
            gas_limit,
            storage_deposit_limit,
            code,
            data,
            salt,
        },
        Code::Existing(code_hash) => {
            pallet_pvm_contracts::Call::instantiate { value, gas_limit, storage_deposit_limit, code_hash, data, salt }
        }
    })
}

/// The account data the runtime keeps (nonce, balances).
pub type AccountInfo = frame_system::AccountInfo<Nonce, <Runtime as frame_system::Config>::AccountData>;

impl Chain {
    pub fn genesis_hash(&self) -> Hash {
        match self {
            Chain::Embedded(chain) => chain.genesis_hash(),
            Chain::Node(node) => node.genesis_hash(),
        }
    }

    pub fn nonce(&mut self, who: &AccountId32) -> Result<Nonce> {
        match self {
            Chain::Embedded(chain) => Ok(chain.nonce(who)),
            Chain::Node(node) => node.nonce(who),
        }
    }

    pub fn account(&mut self, who: &AccountId32) -> Result<AccountInfo> {
        match self {
            Chain::Embedded(chain) => Ok(chain.at_head(|| frame_system::Account::<Runtime>::get(who))),
            Chain::Node(node) => node.account(who),
        }
    }

    /// Where the chain runs contracts (as a runtime call at the head would).
    pub fn execution(&mut self) -> Result<Execution> {
        match self {
            Chain::Embedded(chain) => Ok(chain.at_head(pallet_pvm_contracts::Pallet::<Runtime>::execution)),
            Chain::Node(node) => node.runtime_api("ContractsApi_execution", ()),
        }
    }

    /// The pallet's limits.
    pub fn limits(&mut self) -> Result<Limits> {
        match self {
            Chain::Embedded(chain) => Ok(chain.at_head(pallet_pvm_contracts::Pallet::<Runtime>::limits)),
            Chain::Node(node) => node.runtime_api("ContractsApi_limits", ()),
        }
    }

    /// The latest block's number (the node's latest finalized one).
    pub fn best_number(&mut self) -> Result<u64> {
        match self {
            Chain::Embedded(chain) => Ok(u64::from(chain.best_number())),
            Chain::Node(node) => node.best_number(),
        }
    }

    pub fn dry_run_call(
        &mut self,
        origin: AccountId32,
        dest: AccountId32,
        value: Balance,
        gas_limit: Option<u64>,
        deposit_limit: Option<Balance>,
        data: Vec<u8>,
    ) -> Result<ContractResult<ExecReturnValue, Balance, EventRecord>> {
        match self {
            Chain::Embedded(chain) => Ok(chain.at_head(|| {
                pallet_pvm_contracts::Pallet::<Runtime>::dry_run_call(
                    origin,
                    dest,
                    value,
                    gas_limit,
                    deposit_limit,
                    data,
                )
            })),
            Chain::Node(node) => {
                node.runtime_api("ContractsApi_call", (origin, dest, value, gas_limit, deposit_limit, data))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn dry_run_instantiate(
        &mut self,
        origin: AccountId32,
        value: Balance,
        gas_limit: Option<u64>,
        deposit_limit: Option<Balance>,
        code: Code,
        data: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<ContractResult<InstantiateReturnValue, Balance, EventRecord>> {
        match self {
            Chain::Embedded(chain) => Ok(chain.at_head(|| {
                pallet_pvm_contracts::Pallet::<Runtime>::dry_run_instantiate(
                    origin,
                    value,
                    gas_limit,
                    deposit_limit,
                    code,
                    data,
                    salt,
                )
            })),
            Chain::Node(node) => node
                .runtime_api("ContractsApi_instantiate", (origin, value, gas_limit, deposit_limit, code, data, salt)),
        }
    }

    pub fn dry_run_upload_code(
        &mut self,
        origin: AccountId32,
        code: Vec<u8>,
        deposit_limit: Option<Balance>,
    ) -> Result<CodeUploadResult<Balance>> {
        match self {
            Chain::Embedded(chain) => Ok(chain
                .at_head(|| pallet_pvm_contracts::Pallet::<Runtime>::dry_run_upload_code(origin, code, deposit_limit))),
            Chain::Node(node) => node.runtime_api("ContractsApi_upload_code", (origin, code, deposit_limit)),
        }
    }

    /// Submits a signed extrinsic; returns where it went (in words), its events and its
    /// dispatch result.
    pub fn submit(
        &mut self,
        extrinsic: UncheckedExtrinsic,
    ) -> Result<(String, Vec<RuntimeEvent>, Result<(), DispatchError>)> {
        match self {
            Chain::Embedded(chain) => {
                let mut outcomes = chain.produce_block(vec![extrinsic])?;
                chain.save()?;
                let outcome = outcomes.pop().expect("one outcome per extrinsic");
                let result = match outcome.result {
                    Ok(result) => result,
                    Err(invalid) => bail!("the transaction is invalid: {invalid:?}"),
                };
                Ok((format!("block #{} (embedded chain)", chain.best_number()), outcome.events, result))
            }
            Chain::Node(node) => {
                let (block, events) = node.submit(&extrinsic)?;
                let failure = events.iter().find_map(|event| match event {
                    RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
                        Some(*dispatch_error)
                    }
                    _ => None,
                });
                Ok((format!("finalized in block {block:?}"), events, failure.map_or(Ok(()), Err)))
            }
        }
    }

    /// The events of the latest blocks: `(number, hash, events)`, oldest first.
    pub fn events(&mut self, last: usize) -> Result<Vec<(u64, Hash, Vec<EventRecord>)>> {
        match self {
            Chain::Embedded(chain) => {
                let blocks = chain.blocks();
                Ok(blocks[blocks.len().saturating_sub(last)..]
                    .iter()
                    .map(|block| (u64::from(block.number), block.hash, block.events.clone()))
                    .collect())
            }
            Chain::Node(node) => node.events(last),
        }
    }
}
