//! The attacks of the hostile-contract tests: messages of `contracts/host-test` that
//! attack the chain they run on, with what each transaction must end in. One list, for
//! the runtime's test (`runtime/tests/hostile.rs`, blocks built in-process) and the
//! node's (`client/tests/node_hostile.rs`, on the zombienet network).

use codec::Encode;
use host_test::Msg;

/// Gas for each attack: what an honest call might ask for.
pub const GAS_LIMIT: u64 = 10_000_000;
/// The runtime's `MaxValueLen`: the largest input, output, storage value or event data.
pub const MAX_VALUE_LEN: usize = 16 * 1024;
/// `pvm-contracts-abi`'s `call_flags::ALLOW_REENTRY`.
const ALLOW_REENTRY: u64 = 1;

/// One attack: the message, and what its transaction must end in (`None`: success).
pub struct Attack {
    pub name: &'static str,
    pub msg: Msg,
    pub deposit_limit: u128,
    /// The pallet error the transaction fails with, if it fails.
    pub error: Option<&'static str>,
    /// What its dry run's failure must say, in words.
    pub explained: Option<&'static str>,
}

/// The attacks of the host-test contract at `own`, each allowed `deposit_limit` of
/// storage deposit but the storage bomb, which gets room for ten items.
pub fn attacks(own: [u8; 32], deposit_limit: u128, deposit_per_item: u128) -> Vec<Attack> {
    vec![
        Attack {
            name: "gas bomb",
            msg: Msg::Burn(u64::MAX),
            deposit_limit,
            error: Some("OutOfGas"),
            explained: Some("ran out of gas (its limit: 10000000)"),
        },
        Attack {
            name: "storage bomb",
            msg: Msg::WriteMany(1_000_000),
            // Room for a few items: the deposit runs out long before the gas.
            deposit_limit: 10 * deposit_per_item,
            error: Some("StorageDepositLimitExhausted"),
            explained: Some("the storage deposit limit of"),
        },
        Attack {
            name: "heap exhaustion",
            deposit_limit,
            msg: Msg::Alloc(10_000_000),
            error: Some("ContractTrapped"),
            explained: Some("the heap limit of 262144 bytes was reached"),
        },
        Attack {
            name: "recursion past the depth limit",
            deposit_limit,
            msg: Msg::CallChain { callees: vec![own; 8], flags: ALLOW_REENTRY },
            error: None,
            explained: None,
        },
        Attack {
            name: "re-entrancy",
            deposit_limit,
            msg: Msg::Call { callee: own, value: 0, gas_limit: 0, flags: 0, input: Msg::Burn(10).encode() },
            error: None,
            explained: None,
        },
        Attack {
            name: "a maximal event",
            deposit_limit,
            msg: Msg::DepositEvent { topics: vec![[7; 32]; 4], data: vec![1; MAX_VALUE_LEN - 256] },
            error: None,
            explained: None,
        },
        Attack {
            name: "maximal input",
            deposit_limit,
            msg: Msg::Hash(vec![2; MAX_VALUE_LEN - 8]),
            error: None,
            explained: None,
        },
        Attack {
            name: "maximal return data",
            deposit_limit,
            msg: Msg::Revert(vec![3; MAX_VALUE_LEN - 8]),
            error: Some("ContractReverted"),
            explained: None,
        },
        Attack {
            name: "input over the limit",
            deposit_limit,
            msg: Msg::Hash(vec![4; MAX_VALUE_LEN + 1]),
            error: Some("ValueTooLarge"),
            explained: Some("MaxValueLen"),
        },
    ]
}
