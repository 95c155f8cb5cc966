//! The pallets' configurations.

use frame_support::{
    derive_impl,
    dispatch::DispatchClass,
    parameter_types,
    traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
    weights::{
        constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
        ConstantMultiplier, IdentityFee, Weight,
    },
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::{
    AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
    RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System, Timestamp,
    EXISTENTIAL_DEPOSIT, MICRO_UNIT, SLOT_DURATION, VERSION,
};

/// The share of a block's weight and length that normal (not operational or
/// mandatory) extrinsics may use.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
    /// How many block hashes `frame_system` keeps (for mortal transactions).
    pub const BlockHashCount: BlockNumber = 2400;
    /// The runtime's version, for `frame_system`.
    pub const Version: RuntimeVersion = VERSION;
    /// Two seconds of compute per block, with a six-second block time; no proof-size
    /// limit (a solo chain has no relay chain to send proofs to).
    pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
        Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
        NORMAL_DISPATCH_RATIO,
    );
    /// Blocks of at most 5 MiB, 75 % of it for normal extrinsics.
    pub RuntimeBlockLength: BlockLength = BlockLength::builder()
        .max_length(5 * 1024 * 1024)
        .modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
        .build();
    /// The generic Substrate SS58 prefix.
    pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
    type Block = Block;
    type BlockWeights = RuntimeBlockWeights;
    type BlockLength = RuntimeBlockLength;
    type AccountId = AccountId;
    type Nonce = Nonce;
    type Hash = Hash;
    type BlockHashCount = BlockHashCount;
    type DbWeight = RocksDbWeight;
    type Version = Version;
    type AccountData = pallet_balances::AccountData<Balance>;
    type SS58Prefix = SS58Prefix;
    type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
    type AuthorityId = AuraId;
    type DisabledValidators = ();
    type MaxAuthorities = ConstU32<32>;
    type AllowMultipleBlocksPerSlot = ConstBool<false>;
    type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type MaxAuthorities = ConstU32<32>;
    type MaxNominators = ConstU32<0>;
    type MaxSetIdSessionEntries = ConstU64<0>;
    // No equivocation reports: there is no staking to slash.
    type KeyOwnerProof = sp_core::Void;
    type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
    /// Milliseconds since the Unix epoch.
    type Moment = u64;
    type OnTimestampSet = Aura;
    // Aura's slot duration is twice this.
    type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
    type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
    type Balance = Balance;
    type DustRemoval = ();
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
    type ReserveIdentifier = [u8; 8];
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxLocks = ConstU32<50>;
    type MaxReserves = ();
    type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
    type DoneSlashHandler = ();
}

parameter_types! {
    /// Fees do not follow congestion: a constant multiplier of one.
    pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    // Fees are burnt (the imbalance is dropped).
    type OnChargeTransaction = FungibleAdapter<Balances, ()>;
    // One picosecond of weight costs one plank: a second of compute costs one UNIT,
    // a token deploy's 65,000 gas (6.5 * 10^8 ps) less than a thousandth of a UNIT.
    type WeightToFee = IdentityFee<Balance>;
    // A micro unit per byte: a 10 KiB contract blob costs about a hundredth of a UNIT.
    type LengthToFee = ConstantMultiplier<Balance, ConstU128<MICRO_UNIT>>;
    type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
    type OperationalFeeMultiplier = ConstU8<5>;
    type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// Storage deposit per byte of code, contract info and contract storage: a micro unit,
/// so a 10 KiB blob holds a hundredth of a UNIT.
pub const DEPOSIT_PER_BYTE: Balance = MICRO_UNIT;
/// Storage deposit per stored item (code blob, contract, storage entry): 100 micro
/// units, so many small entries cost more than their bytes alone.
pub const DEPOSIT_PER_ITEM: Balance = 100 * MICRO_UNIT;
/// The contracts pallet's weights, measured by its benchmarks on this runtime
/// (`scripts/weights.sh`).
pub type ContractsWeights = pallet_pvm_contracts::weights::SubstrateWeight<Runtime>;
/// Reference time (picoseconds) of one unit of gas, from the `instructions` benchmark.
pub type WeightPerGas = pallet_pvm_contracts::MeasuredWeightPerGas<ContractsWeights>;

impl pallet_pvm_contracts::Config for Runtime {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type Time = Timestamp;
    type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
    type DepositPerItem = ConstU128<DEPOSIT_PER_ITEM>;
    type WeightPerGas = WeightPerGas;
    type Schedule = pallet_pvm_contracts::MeasuredSchedule<ContractsWeights>;
    type MaxCodeLen = ConstU32<{ 256 * 1024 }>;
    type MaxMemory = ConstU32<{ 1024 * 1024 }>;
    type MaxHeapSize = ConstU32<{ 256 * 1024 }>;
    type MaxBasicBlockLen = ConstU32<1000>;
    type MaxCallDepth = ConstU32<5>;
    type MaxValueLen = ConstU32<{ 16 * 1024 }>;
    type MaxDebugBufferLen = ConstU32<{ 16 * 1024 }>;
    type WeightInfo = ContractsWeights;
}
