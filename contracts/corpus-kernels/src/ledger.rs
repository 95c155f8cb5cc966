//! A smart-contract-like workload: a token ledger (in the style of ERC-20) processing
//! a block of SCALE-encoded transactions (`parity-scale-codec`, the encoding of
//! Substrate chains and their contracts).
//!
//! Like a contract, the ledger keeps its state in a key-value storage of bytes: keys
//! are a prefix followed by `blake2_128(key) ++ key` for each map key (Substrate's
//! `Blake2_128Concat` hasher), values are SCALE-encoded. Each transaction is checked
//! (nonce, balances, allowances, overflow) before any write, and emits an encoded
//! event, a failure included.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};
use codec::{Decode, Encode};

use crate::{checksum, Rng};

/// A 32-byte account.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct AccountId(pub [u8; 32]);

/// What a transaction does.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum Call {
    /// Creates tokens (only the minter may).
    Mint {
        /// The receiver.
        to: AccountId,
        /// How many.
        #[codec(compact)]
        amount: u128,
    },
    /// Moves the sender's tokens.
    Transfer {
        /// The receiver.
        to: AccountId,
        /// How many.
        #[codec(compact)]
        amount: u128,
    },
    /// Lets `spender` move up to `amount` of the sender's tokens.
    Approve {
        /// Who may spend.
        spender: AccountId,
        /// How much.
        #[codec(compact)]
        amount: u128,
    },
    /// Moves `from`'s tokens, within the allowance `from` gave the sender.
    TransferFrom {
        /// The owner.
        from: AccountId,
        /// The receiver.
        to: AccountId,
        /// How many.
        #[codec(compact)]
        amount: u128,
    },
    /// Destroys the sender's tokens.
    Burn {
        /// How many.
        #[codec(compact)]
        amount: u128,
    },
}

/// A signed (in spirit) transaction.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Transaction {
    /// Who sends it.
    pub sender: AccountId,
    /// The sender's transaction count so far.
    #[codec(compact)]
    pub nonce: u64,
    /// What it does.
    pub call: Call,
    /// Free-form bytes.
    pub memo: Vec<u8>,
}

/// Why a transaction failed.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
    /// The nonce is not the sender's transaction count.
    BadNonce,
    /// Only the minter may mint.
    NotMinter,
    /// The balance is too small.
    InsufficientBalance,
    /// The allowance is too small.
    InsufficientAllowance,
    /// The total supply would overflow.
    Overflow,
}

/// What a transaction did.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum Event {
    /// Tokens were created.
    Minted {
        /// The receiver.
        to: AccountId,
        /// How many.
        amount: u128,
    },
    /// Tokens moved.
    Transferred {
        /// The owner.
        from: AccountId,
        /// The receiver.
        to: AccountId,
        /// How many.
        amount: u128,
    },
    /// An allowance was set.
    Approved {
        /// The owner.
        owner: AccountId,
        /// Who may spend.
        spender: AccountId,
        /// How much.
        amount: u128,
    },
    /// Tokens were destroyed.
    Burned {
        /// The owner.
        from: AccountId,
        /// How many.
        amount: u128,
    },
    /// The transaction at this index of the block failed.
    Failed {
        /// Its index.
        index: u32,
        /// Why.
        error: Error,
    },
}

const BALANCES: &[u8] = b"Token:Balances";
const ALLOWANCES: &[u8] = b"Token:Allowances";
const NONCES: &[u8] = b"Token:Nonces";
const SUPPLY: &[u8] = b"Token:TotalSupply";
const MINTER: &[u8] = b"Token:Minter";

/// The contract's storage: SCALE-encoded values under hashed keys.
#[derive(Default)]
struct Storage(BTreeMap<Vec<u8>, Vec<u8>>);

impl Storage {
    /// The key of a map entry: the prefix, then `blake2_128(part) ++ part` per part.
    fn key(prefix: &[u8], parts: &[&AccountId]) -> Vec<u8> {
        let mut key = Vec::from(prefix);
        for part in parts {
            let encoded = part.encode();
            key.extend_from_slice(&Blake2b::<U16>::digest(&encoded));
            key.extend_from_slice(&encoded);
        }
        key
    }

    fn get<T: Decode + Default>(&self, key: &[u8]) -> T {
        self.0.get(key).and_then(|value| T::decode(&mut &value[..]).ok()).unwrap_or_default()
    }

    /// Stores `value`, or removes the entry if it is the default (as Substrate's
    /// `ValueQuery` storage does).
    fn set<T: Encode + Default + PartialEq>(&mut self, key: Vec<u8>, value: T) {
        if value == T::default() {
            self.0.remove(&key);
        } else {
            self.0.insert(key, value.encode());
        }
    }
}

/// The token contract.
struct Ledger {
    storage: Storage,
}

impl Ledger {
    fn new(minter: AccountId) -> Self {
        let mut storage = Storage::default();
        storage.0.insert(MINTER.to_vec(), minter.encode());
        Ledger { storage }
    }

    fn balance(&self, account: &AccountId) -> u128 {
        self.storage.get(&Storage::key(BALANCES, &[account]))
    }

    fn allowance(&self, owner: &AccountId, spender: &AccountId) -> u128 {
        self.storage.get(&Storage::key(ALLOWANCES, &[owner, spender]))
    }

    /// Moves `amount` from `from` to `to`, after checking both balances.
    fn transfer(&mut self, from: &AccountId, to: &AccountId, amount: u128) -> Result<Event, Error> {
        let from_balance = self.balance(from).checked_sub(amount).ok_or(Error::InsufficientBalance)?;
        if from != to {
            let to_balance = self.balance(to).checked_add(amount).ok_or(Error::Overflow)?;
            self.storage.set(Storage::key(BALANCES, &[from]), from_balance);
            self.storage.set(Storage::key(BALANCES, &[to]), to_balance);
        }
        Ok(Event::Transferred { from: *from, to: *to, amount })
    }

    /// Decodes and applies one transaction.
    fn apply(&mut self, transaction: &Transaction) -> Result<Event, Error> {
        let sender = &transaction.sender;
        let nonce_key = Storage::key(NONCES, &[sender]);
        let nonce: u64 = self.storage.get(&nonce_key);
        if transaction.nonce != nonce {
            return Err(Error::BadNonce);
        }
        self.storage.set(nonce_key, nonce + 1);
        match &transaction.call {
            Call::Mint { to, amount } => {
                let minter: AccountId =
                    AccountId::decode(&mut &self.storage.0[MINTER][..]).map_err(|_| Error::NotMinter)?;
                if minter != *sender {
                    return Err(Error::NotMinter);
                }
                let supply = self.storage.get::<u128>(SUPPLY).checked_add(*amount).ok_or(Error::Overflow)?;
                let balance = self.balance(to).checked_add(*amount).ok_or(Error::Overflow)?;
                self.storage.set(SUPPLY.to_vec(), supply);
                self.storage.set(Storage::key(BALANCES, &[to]), balance);
                Ok(Event::Minted { to: *to, amount: *amount })
            }
            Call::Transfer { to, amount } => self.transfer(sender, to, *amount),
            Call::Approve { spender, amount } => {
                self.storage.set(Storage::key(ALLOWANCES, &[sender, spender]), *amount);
                Ok(Event::Approved { owner: *sender, spender: *spender, amount: *amount })
            }
            Call::TransferFrom { from, to, amount } => {
                let allowance =
                    self.allowance(from, sender).checked_sub(*amount).ok_or(Error::InsufficientAllowance)?;
                let event = self.transfer(from, to, *amount)?;
                self.storage.set(Storage::key(ALLOWANCES, &[from, sender]), allowance);
                Ok(event)
            }
            Call::Burn { amount } => {
                let balance = self.balance(sender).checked_sub(*amount).ok_or(Error::InsufficientBalance)?;
                let supply = self.storage.get::<u128>(SUPPLY) - amount;
                self.storage.set(Storage::key(BALANCES, &[sender]), balance);
                self.storage.set(SUPPLY.to_vec(), supply);
                Ok(Event::Burned { from: *sender, amount: *amount })
            }
        }
    }
}

/// `count` accounts.
fn accounts(rng: &mut Rng, count: usize) -> Vec<AccountId> {
    (0..count)
        .map(|_| {
            let mut account = [0; 32];
            rng.fill(&mut account);
            AccountId(account)
        })
        .collect()
}

/// A block of `n` transactions among 16 accounts, most of them valid, SCALE-encoded.
pub fn block(n: u32) -> Vec<u8> {
    let mut rng = Rng::new(n, 13);
    let accounts = accounts(&mut rng, 16);
    let mut nonces = [0u64; 16];
    let transactions: Vec<Transaction> = (0..n)
        .map(|index| {
            // The minter mints first, to give everybody tokens.
            let sender = if index < 16 { 0 } else { rng.below(16) as usize };
            let amount = |rng: &mut Rng| u128::from(rng.below(1 << 20)) << rng.below(40);
            let call = match (index, rng.below(10)) {
                (0..16, _) => Call::Mint { to: accounts[index as usize], amount: 1 << 50 },
                (_, 0) => Call::Mint { to: *rng.pick(&accounts), amount: amount(&mut rng) },
                (_, 1..=5) => Call::Transfer { to: *rng.pick(&accounts), amount: amount(&mut rng) },
                (_, 6) => Call::Approve { spender: *rng.pick(&accounts), amount: amount(&mut rng) << 8 },
                (_, 7 | 8) => Call::TransferFrom {
                    from: *rng.pick(&accounts),
                    to: *rng.pick(&accounts),
                    amount: amount(&mut rng),
                },
                _ => Call::Burn { amount: amount(&mut rng) },
            };
            // One transaction in 20 has a stale nonce.
            let nonce = if rng.below(20) == 0 { nonces[sender].wrapping_sub(1) } else { nonces[sender] };
            if nonce == nonces[sender] {
                nonces[sender] += 1;
            }
            let memo_len = rng.below(48) as usize;
            let memo = rng.bytes(memo_len);
            Transaction { sender: accounts[sender], nonce, call, memo }
        })
        .collect();
    transactions.encode()
}

/// Processes the block of [`block`]`(n)` as the token contract: decodes it, applies
/// every transaction and encodes its event. Panics if the supply does not equal the
/// sum of the balances afterwards. The checksum covers the events and the storage.
pub fn ledger(n: u32) -> u64 {
    let block = block(n);
    let Ok(transactions) = Vec::<Transaction>::decode(&mut &block[..]) else { panic!("the block does not decode") };
    let Some(first) = transactions.first() else { return checksum(&block) };
    let mut ledger = Ledger::new(first.sender);
    let mut events = Vec::new();
    for (index, transaction) in transactions.iter().enumerate() {
        let event = ledger.apply(transaction).unwrap_or_else(|error| Event::Failed { index: index as u32, error });
        event.encode_to(&mut events);
    }
    let mut total = 0u128;
    let mut state = Vec::new();
    for (key, value) in &ledger.storage.0 {
        if key.starts_with(BALANCES) {
            total += u128::decode(&mut &value[..]).unwrap_or_default();
        }
        state.extend_from_slice(key);
        state.extend_from_slice(value);
    }
    assert!(total == ledger.storage.get::<u128>(SUPPLY), "the balances do not add up to the supply");
    checksum(&events) ^ checksum(&state).rotate_left(32)
}
