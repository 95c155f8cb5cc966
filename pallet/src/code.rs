//! Code blobs: validation at upload, storage, deposits and reference counts.

use alloc::{collections::BTreeMap, format, string::String, vec::Vec};

use codec::{Decode, Encode};
use frame_support::{
    ensure,
    traits::Get,
    traits::{fungible::MutateHold, tokens::Precision},
    BoundedVec,
};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{traits::Zero, AccountId32, DispatchError, DispatchResult, Saturating};

use crate::{
    primitives::CodeUploadReturnValue, BalanceOf, CodeInfo, CodeInfoOf, Config, ContractInfo, Error, Event, HoldReason,
    Pallet, PristineCode,
};

/// Why a blob was rejected: the error the extrinsic fails with, and the details that
/// do not fit into a dispatch error.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct CodeRejection {
    /// The pallet error (`CodeTooLarge`, `CodeMemoryTooLarge`, ...).
    pub error: DispatchError,
    /// What was wrong, in words, e.g. "the blob is 300000 bytes; the limit is 262144".
    pub reason: Vec<u8>,
    /// The measured value that broke a limit (0 where none applies).
    pub measured: u64,
    /// The limit it broke (0 where none applies).
    pub limit: u64,
}

impl CodeRejection {
    fn new<T: Config>(error: Error<T>, reason: String, measured: u64, limit: u64) -> Self {
        log::debug!(target: crate::LOG_TARGET, "code rejected: {reason}");
        CodeRejection { error: error.into(), reason: reason.into_bytes(), measured, limit }
    }

    fn from_error(error: DispatchError, reason: &str) -> Self {
        CodeRejection { error, reason: reason.as_bytes().to_vec(), measured: 0, limit: 0 }
    }
}

/// The VM settings every contract runs with.
pub(crate) fn module_config<T: Config>() -> pvm::ModuleConfig {
    pvm::ModuleConfig { max_heap_size: Some(T::MaxHeapSize::get()), ..Default::default() }
}

/// Checks a blob against every rule, in a fixed order, and returns the first rule it
/// breaks.
pub(crate) fn validate<T: Config>(code: &[u8]) -> Result<(), CodeRejection> {
    let max_len = T::MaxCodeLen::get();
    if code.len() > max_len as usize {
        return Err(CodeRejection::new::<T>(
            Error::CodeTooLarge,
            format!("the blob is {} bytes; the limit is {max_len}", code.len()),
            code.len() as u64,
            max_len.into(),
        ));
    }
    let blob = pvm::program::ProgramBlob::parse(code)
        .map_err(|error| CodeRejection::new::<T>(Error::CodeInvalid, format!("{error}"), 0, 0))?;
    if !matches!(blob.isa, pvm::InstructionSet::ReviveV1 | pvm::InstructionSet::Latest64) {
        return Err(CodeRejection::new::<T>(
            Error::CodeInstructionSetNotAllowed,
            format!("the blob is for the {:?} instruction set; contracts must be ReviveV1 or Latest64", blob.isa),
            0,
            0,
        ));
    }
    let module = pvm::Module::from_blob(&module_config::<T>(), blob)
        .map_err(|error| CodeRejection::new::<T>(Error::CodeInvalid, format!("{error}"), 0, 0))?;
    for (index, import) in module.imports().iter().enumerate() {
        if pvm_contracts_host::HostFn::from_name(import).is_none() {
            return Err(CodeRejection::new::<T>(
                Error::CodeUnknownImport,
                format!("import #{index} '{}' is not a host function of this chain", String::from_utf8_lossy(import)),
                0,
                0,
            ));
        }
    }
    for export in [abi::EXPORT_DEPLOY, abi::EXPORT_CALL] {
        if module.export(export).is_none() {
            return Err(CodeRejection::new::<T>(
                Error::CodeMissingExport,
                format!("the blob has no '{export}' export"),
                0,
                0,
            ));
        }
    }
    let max_block = T::MaxBasicBlockLen::get();
    // With the naive cost model a block's cost is its number of instructions.
    if let Some(&(start, len)) = module.gas_plan().blocks.iter().max_by_key(|&&(_, cost)| cost) {
        if len > max_block {
            let pc = module.code().instructions().get(start).map_or(0, |instruction| instruction.pc);
            return Err(CodeRejection::new::<T>(
                Error::CodeBasicBlockTooLarge,
                format!("the basic block at pc {pc} has {len} instructions; the limit is {max_block}"),
                len.into(),
                max_block.into(),
            ));
        }
    }
    let map = module.memory_map();
    let heap = map.max_heap_size.min(T::MaxHeapSize::get()).div_ceil(map.page_size) * map.page_size;
    let memory =
        u64::from(map.ro_data_size) + u64::from(map.rw_data_size) + u64::from(map.stack_size) + u64::from(heap);
    let max_memory = T::MaxMemory::get();
    if memory > u64::from(max_memory) {
        return Err(CodeRejection::new::<T>(
			Error::CodeMemoryTooLarge,
			format!(
				"the contract needs {memory} bytes of memory (RO data {}, RW data {}, stack {}, heap {heap}); the limit is {max_memory}",
				map.ro_data_size, map.rw_data_size, map.stack_size
			),
			memory,
			max_memory.into(),
		));
    }
    Ok(())
}

/// The deposit for storing `len` bytes as one item.
pub(crate) fn deposit_for<T: Config>(len: usize) -> BalanceOf<T> {
    deposit::<T>(len as u32, 1)
}

/// The deposit for `items` stored items of `bytes` bytes in all.
pub(crate) fn deposit<T: Config>(bytes: u32, items: u32) -> BalanceOf<T> {
    T::DepositPerByte::get()
        .saturating_mul(bytes.into())
        .saturating_add(T::DepositPerItem::get().saturating_mul(items.into()))
}

/// Validates and stores a blob, holding its deposit on the uploader's account.
/// Storing a blob that is stored already changes nothing and costs nothing.
pub(crate) fn upload<T: Config>(
    origin: &AccountId32,
    code: Vec<u8>,
    storage_deposit_limit: BalanceOf<T>,
) -> Result<CodeUploadReturnValue<BalanceOf<T>>, CodeRejection> {
    validate::<T>(&code)?;
    let code_hash = H256(sp_io::hashing::blake2_256(&code));
    if CodeInfoOf::<T>::contains_key(code_hash) {
        return Ok(CodeUploadReturnValue { code_hash, deposit: Zero::zero() });
    }
    let code_len = code.len() as u32;
    let deposit = deposit_for::<T>(code.len() + CodeInfo::<T>::max_encoded_len_const());
    if deposit > storage_deposit_limit {
        return Err(CodeRejection::new::<T>(
            Error::StorageDepositLimitExhausted,
            format!("storing the code needs a deposit of {deposit:?}; the limit is {storage_deposit_limit:?}"),
            0,
            0,
        ));
    }
    T::Currency::hold(&HoldReason::CodeUploadDepositReserve.into(), origin, deposit).map_err(|_| {
        CodeRejection::from_error(
            Error::<T>::StorageDepositNotEnoughFunds.into(),
            "the uploader cannot pay the code's storage deposit",
        )
    })?;
    let code: BoundedVec<u8, T::MaxCodeLen> = code.try_into().expect("the length was checked in validate");
    PristineCode::<T>::insert(code_hash, code);
    CodeInfoOf::<T>::insert(code_hash, CodeInfo { owner: origin.clone(), deposit, refcount: 0, code_len });
    Pallet::<T>::deposit_event(Event::CodeStored { code_hash, deposit, uploader: origin.clone() });
    Ok(CodeUploadReturnValue { code_hash, deposit })
}

/// Removes unused code and releases its deposit.
pub(crate) fn remove<T: Config>(origin: &AccountId32, code_hash: H256) -> DispatchResult {
    let info = CodeInfoOf::<T>::get(code_hash).ok_or(Error::<T>::CodeNotFound)?;
    ensure!(&info.owner == origin, Error::<T>::NotCodeOwner);
    ensure!(info.refcount == 0, Error::<T>::CodeInUse);
    let released = T::Currency::release(
        &HoldReason::CodeUploadDepositReserve.into(),
        origin,
        info.deposit,
        Precision::BestEffort,
    )?;
    CodeInfoOf::<T>::remove(code_hash);
    PristineCode::<T>::remove(code_hash);
    Pallet::<T>::deposit_event(Event::CodeRemoved { code_hash, deposit_released: released, remover: origin.clone() });
    Ok(())
}

/// One more contract uses the code.
pub(crate) fn increment_refcount<T: Config>(code_hash: H256) -> DispatchResult {
    CodeInfoOf::<T>::try_mutate(code_hash, |info| {
        let info = info.as_mut().ok_or(Error::<T>::CodeNotFound)?;
        info.refcount = info.refcount.saturating_add(1);
        Ok(())
    })
}

/// One contract fewer uses the code.
pub(crate) fn decrement_refcount<T: Config>(code_hash: H256) {
    CodeInfoOf::<T>::mutate(code_hash, |info| {
        if let Some(info) = info {
            info.refcount = info.refcount.saturating_sub(1);
        }
    });
}

/// Reads stored code (always from storage: the read is part of the call, in its
/// weight and any proof).
pub(crate) fn read<T: Config>(code_hash: H256) -> Result<Vec<u8>, DispatchError> {
    Ok(PristineCode::<T>::get(code_hash).ok_or(Error::<T>::CodeNotFound)?.into_inner())
}

/// Translates code for the VM in the runtime, reusing translations: from `modules`
/// (this transaction's) and, where the runtime runs natively, from a process-wide
/// cache. Gas does not depend on either: loading is charged per byte of code on every
/// frame.
pub(crate) fn translate<T: Config>(
    code_hash: H256,
    code: &[u8],
    modules: &mut BTreeMap<H256, pvm::Module>,
) -> Result<pvm::Module, DispatchError> {
    if let Some(module) = modules.get(&code_hash) {
        return Ok(module.clone());
    }
    let engine = pvm::Engine::default();
    let config = module_config::<T>();
    // Validated at upload; a failure here means the VM changed under stored code.
    let translate =
        || pvm::Module::new(&engine, &config, code).map_err(|_| DispatchError::from(Error::<T>::CodeInvalid));
    #[cfg(feature = "std")]
    let module = TRANSLATED.get_or_translate((code_hash, engine.backend(), config.max_heap_size), translate)?;
    #[cfg(not(feature = "std"))]
    let module = translate()?;
    modules.insert(code_hash, module.clone());
    Ok(module)
}

/// Translated modules, for runtimes that run natively (the embedded chain, tests), by
/// code hash (code never changes under its hash), backend and heap limit.
#[cfg(feature = "std")]
static TRANSLATED: pvm::ModuleCache<(H256, pvm::Backend, Option<u32>)> = pvm::ModuleCache::new(64);

impl<T: Config> CodeInfo<T> {
    /// The encoded size of the largest code info.
    pub(crate) fn max_encoded_len_const() -> usize {
        <Self as codec::MaxEncodedLen>::max_encoded_len()
    }
}

impl<T: Config> ContractInfo<T> {
    /// The encoded size of the largest contract info.
    pub(crate) fn max_encoded_len_const() -> usize {
        <Self as codec::MaxEncodedLen>::max_encoded_len()
    }
}
