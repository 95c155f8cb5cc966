//! The command line: the `sc-cli` node flags and subcommands.

/// The node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
    /// A subcommand; without one the node runs.
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    /// The flags for running the node (`--dev`, `--chain`, `--validator`, `--alice`, ...).
    #[clap(flatten)]
    pub run: sc_cli::RunCmd,

    /// Where contracts run: `node` (this node's pvm compiler, through the runtime's
    /// pvm-host interface) or `runtime` (the interpreter inside the runtime's Wasm).
    /// Results and gas are the same either way.
    #[arg(long, value_enum, global = true, default_value_t = crate::service::ContractsExecution::Node)]
    pub contracts_execution: crate::service::ContractsExecution,
}

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
    /// Key management: generate, inspect, insert keys.
    #[command(subcommand)]
    Key(sc_cli::KeySubcommand),

    /// Build a chain specification (as zombienet calls it; see also `export-chain-spec`).
    BuildSpec(sc_cli::BuildSpecCmd),

    /// Export the chain specification.
    ExportChainSpec(sc_cli::ExportChainSpecCmd),

    /// Validate blocks.
    CheckBlock(sc_cli::CheckBlockCmd),

    /// Export blocks.
    ExportBlocks(sc_cli::ExportBlocksCmd),

    /// Export the state of a given block into a chain spec.
    ExportState(sc_cli::ExportStateCmd),

    /// Import blocks.
    ImportBlocks(sc_cli::ImportBlocksCmd),

    /// Remove the whole chain.
    PurgeChain(sc_cli::PurgeChainCmd),

    /// Revert the chain to a previous state.
    Revert(sc_cli::RevertCmd),

    /// Information about the database's columns.
    ChainInfo(sc_cli::ChainInfoCmd),
}
