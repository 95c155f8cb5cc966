//! The x86-64 recompiler backend: each program is translated once into machine code
//! ([`emit`]) that runs in-process on the host's registers, with guest memory in a
//! per-instance address-space reservation ([`sandbox`]) whose protections follow the
//! memory map, so loads and stores need no software bounds check: an access the map
//! forbids faults, and a signal handler ([`signal`]) turns the fault into the trap (or
//! page fault) the interpreter reports. Gas is charged per basic block before it runs,
//! like the interpreter, and `memset`, `sbrk` and host calls return to Rust
//! ([`instance`]), which runs them with the interpreter's own code and resumes.
//!
//! Built with `std` on x86-64 Linux (see `build.rs`); available when the CPU has the
//! instructions the generated code uses and the host's pages are 4 KiB.

mod emit;
mod instance;
mod sandbox;
mod signal;

pub(crate) use emit::Program;
pub(crate) use instance::Instance;

/// Whether compiled code can run on this machine: the CPU features the code uses
/// (BMI1 for `tzcnt`, BMI2 for `shlx`/`shrx`/`sarx`, LZCNT, POPCNT, FSGSBASE enabled by
/// the kernel for guest memory addressing), 4 KiB host pages and the fault handler
/// installed.
pub(crate) fn is_supported() -> bool {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        let cpu = std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("bmi2")
            && std::is_x86_feature_detected!("lzcnt")
            && std::is_x86_feature_detected!("popcnt");
        cpu && fsgsbase_enabled() && host_page_size() == sandbox::HOST_PAGE_SIZE as usize && signal::install()
    })
}

/// Whether user code may set the GS base (`wrgsbase`): the CPU has FSGSBASE and the
/// kernel enabled it (Linux 5.9 and later), as `AT_HWCAP2` says.
fn fsgsbase_enabled() -> bool {
    const HWCAP2_FSGSBASE: u64 = 1 << 1;
    #[allow(unsafe_code)]
    // SAFETY: `getauxval` only reads the process's auxiliary vector.
    let hwcap2 = unsafe { libc::getauxval(libc::AT_HWCAP2) };
    hwcap2 & HWCAP2_FSGSBASE != 0
}

fn host_page_size() -> usize {
    #[allow(unsafe_code)]
    // SAFETY: `sysconf` only reads a system constant.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(0)
}

/// Whether a page-map instance's ranges can be protected page by page here.
pub(crate) fn supports_ranges(ranges: &[(u32, u32, bool)]) -> bool {
    let page = sandbox::HOST_PAGE_SIZE;
    ranges.iter().all(|&(address, len, _)| address % page == 0 && len % page == 0)
}
