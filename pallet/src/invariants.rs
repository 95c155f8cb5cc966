//! What must always hold of the pallet's state, and of its configuration.
//!
//! [`check`] is the pallet's `try_state` (try-runtime), and the tests run it after every
//! test on the mock runtime. [`check_config`] is its `integrity_test`.

use alloc::{collections::BTreeMap, format, string::String, vec::Vec};

use frame_support::{
    dispatch::DispatchClass,
    storage::child,
    traits::{fungible::InspectHold, Get},
};
use sp_core::H256;
use sp_runtime::{traits::Saturating, AccountId32};

use crate::{code, exec, BalanceOf, CodeInfoOf, Config, ContractInfo, ContractInfoOf, HoldReason, PristineCode};

/// Checks the state: every contract's code is stored, and each code's reference count
/// is the number of contracts using it; every stored blob has its info and length;
/// each contract's storage counts (items, bytes) match its child trie, its deposit
/// is what those and its info cost, and exactly that is on hold on its account; each
/// uploader has exactly the deposits of its codes on hold.
pub fn check<T: Config>() -> Result<(), String> {
    let mut users = BTreeMap::<H256, u64>::new();
    for (address, info) in ContractInfoOf::<T>::iter() {
        if !CodeInfoOf::<T>::contains_key(info.code_hash) {
            return Err(format!("contract {address:?} runs code {:?}, which is not stored", info.code_hash));
        }
        *users.entry(info.code_hash).or_default() += 1;

        let (items, bytes) = child_trie_footprint(&info.trie_id);
        if (items, bytes) != (info.storage_items, info.storage_bytes) {
            return Err(format!(
                "contract {address:?} records {} storage items of {} bytes; its trie has {items} of {bytes}",
                info.storage_items, info.storage_bytes
            ));
        }
        let expected = code::deposit_for::<T>(ContractInfo::<T>::max_encoded_len_const())
            .saturating_add(code::deposit::<T>(info.storage_bytes, info.storage_items));
        if info.storage_deposit != expected {
            return Err(format!(
                "contract {address:?} records a storage deposit of {:?}; its info and storage cost {expected:?}",
                info.storage_deposit
            ));
        }
        let held = T::Currency::balance_on_hold(&HoldReason::StorageDepositReserve.into(), &address);
        if held != info.storage_deposit {
            return Err(format!(
                "contract {address:?} has {held:?} on hold for storage; its record says {:?}",
                info.storage_deposit
            ));
        }
    }

    let mut uploads = BTreeMap::<AccountId32, BalanceOf<T>>::new();
    for (hash, info) in CodeInfoOf::<T>::iter() {
        let Some(blob) = PristineCode::<T>::get(hash) else {
            return Err(format!("code {hash:?} has an info but no blob"));
        };
        if blob.len() != info.code_len as usize {
            return Err(format!("code {hash:?} is {} bytes; its info says {}", blob.len(), info.code_len));
        }
        let used = users.get(&hash).copied().unwrap_or(0);
        if info.refcount != used {
            return Err(format!("code {hash:?} has reference count {}; {used} contracts use it", info.refcount));
        }
        let total = uploads.entry(info.owner.clone()).or_default();
        *total = total.saturating_add(info.deposit);
    }
    if let Some(hash) = PristineCode::<T>::iter_keys().find(|hash| !CodeInfoOf::<T>::contains_key(hash)) {
        return Err(format!("code {hash:?} is stored without its info"));
    }
    for (owner, deposits) in uploads {
        let held = T::Currency::balance_on_hold(&HoldReason::CodeUploadDepositReserve.into(), &owner);
        if held != deposits {
            return Err(format!("{owner:?} has {held:?} on hold for code; the deposits of its codes are {deposits:?}"));
        }
    }
    Ok(())
}

/// The items and bytes (keys and values) in a contract's child trie.
fn child_trie_footprint(trie_id: &[u8]) -> (u32, u32) {
    let trie = exec::child_trie(trie_id);
    let (mut items, mut bytes) = (0u32, 0u32);
    let mut key = Vec::new();
    while let Some(next) = sp_io::default_child_storage::next_key(trie.storage_key(), &key) {
        let len = child::len(&trie, &next).unwrap_or(0);
        items = items.saturating_add(1);
        bytes = bytes.saturating_add((next.len() + len as usize) as u32);
        key = next;
    }
    (items, bytes)
}

/// Checks the configuration: a blob of the largest size fits into a block, the heap
/// fits into the memory a contract may have, gas buys weight and a transaction can
/// buy some, and a contract can be called at all.
pub fn check_config<T: Config>() -> Result<(), String> {
    let block_length = *<T as frame_system::Config>::BlockLength::get().max.get(DispatchClass::Normal);
    if T::MaxCodeLen::get() >= block_length {
        return Err(format!(
            "MaxCodeLen ({}) does not fit into a block's length for normal extrinsics ({block_length})",
            T::MaxCodeLen::get()
        ));
    }
    if T::MaxHeapSize::get() > T::MaxMemory::get() {
        return Err(format!("MaxHeapSize ({}) exceeds MaxMemory ({})", T::MaxHeapSize::get(), T::MaxMemory::get()));
    }
    if T::WeightPerGas::get() == 0 {
        return Err(String::from("WeightPerGas is 0: gas would be free"));
    }
    if crate::Pallet::<T>::max_gas() == 0 {
        return Err(String::from("a block's weight buys no gas"));
    }
    if T::MaxCallDepth::get() == 0 {
        return Err(String::from("MaxCallDepth is 0: no contract could be called"));
    }
    Ok(())
}
