//! Guest memory for compiled code: one address-space reservation per instance,
//! `[context page][4 GiB guest address space][guard]`, inaccessible except where the
//! memory map opens it. Generated code addresses guest byte `a` (a 32-bit value) as
//! `base + a`, so no guest address reaches outside the reservation, and an access the
//! memory map forbids faults in hardware (see `signal`). The context page below `base`
//! holds what generated code and the host exchange ([`Context`]); guest addresses
//! cannot reach it, since they are never negative.
//!
//! Reservations are pooled twice: a module keeps a few set up for its memory layout
//! ([`ModulePool`]; reusing one costs copying the RW data, no system call), and a
//! process-wide pool keeps blank ones, so that no instance maps or unmaps 4 GiB.
#![allow(unsafe_code)]

use core::ptr::NonNull;
use std::sync::Mutex;

/// The bytes below `base` that hold the [`Context`].
pub(crate) const CONTEXT_SIZE: usize = 4096;
const ADDRESS_SPACE: usize = 1 << 32;
/// After the guest address space: an access of up to 8 bytes at `0xffff_ffff` stays
/// inside the reservation.
const GUARD_SIZE: usize = 1 << 16;
const RESERVATION_SIZE: usize = CONTEXT_SIZE + ADDRESS_SPACE + GUARD_SIZE;
/// Host page size the protections are made of (checked when the backend starts).
pub(crate) const HOST_PAGE_SIZE: u32 = 4096;
/// How many idle reservations the pool keeps.
const POOL_LIMIT: usize = 64;

/// What generated code and the host exchange: at the end of the context page, right
/// below `base`, so that the fields generated code touches most (last here) are a
/// one-byte displacement from the base register.
#[repr(C)]
#[derive(Default)]
pub(crate) struct Context {
    /// Guest registers (13 used); loaded on entry, stored on exit.
    pub regs: [u64; 16],
    /// The host's stack pointer while guest code runs; exits restore it.
    pub host_rsp: u64,
    /// The host's GS base while guest code runs (GS points at guest memory then).
    pub host_gs: u64,
    /// Why the code stopped (an `exit::*` constant).
    pub exit_reason: u32,
    /// The operation at which it stopped.
    pub exit_op: u32,
    /// A detail of the stop: the host call number, the bad jump target.
    pub exit_arg: u32,
    _padding: u32,
    /// Set by the signal handler: where in the code a memory access faulted.
    pub fault_rip: u64,
    /// The code being run (for the signal handler to recognise its faults), and where
    /// the handler resumes it to return to the host.
    pub code_start: u64,
    pub code_end: u64,
    pub fault_exit: u64,
    /// Scratch space for instruction sequences short of registers.
    pub scratch: u64,
    /// Charged at every block start.
    pub gas: i64,
}

/// Where the context starts, below `base`.
pub(crate) const CONTEXT_OFFSET: usize = core::mem::size_of::<Context>();

const _: () = assert!(core::mem::size_of::<Context>() <= CONTEXT_SIZE);

/// How guest code may access a range.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Access {
    None,
    Read,
    ReadWrite,
}

impl Access {
    fn prot(self) -> libc::c_int {
        match self {
            Access::None => libc::PROT_NONE,
            Access::Read => libc::PROT_READ,
            Access::ReadWrite => libc::PROT_READ | libc::PROT_WRITE,
        }
    }
}

/// Why memory could not be set up.
#[derive(Copy, Clone, Debug)]
pub(crate) struct MapError;

/// One instance's address space. Dropping it returns it to the pool: the ranges it
/// opened are discarded (zero again on next use) and made inaccessible.
pub(crate) struct Reservation {
    start: NonNull<u8>,
    /// The guest ranges made accessible so far, to reset when recycled.
    opened: Vec<(u32, u32)>,
}

/// An idle reservation in the pool: mapped, everything but the zeroed context page
/// inaccessible.
struct Idle(NonNull<u8>);

// SAFETY: a reservation is plain memory owned by one instance (or by the pool); nothing
// in it is tied to the thread that mapped it.
unsafe impl Send for Reservation {}
// SAFETY: shared references to a reservation only read through it.
unsafe impl Sync for Reservation {}
// SAFETY: as for `Reservation`.
unsafe impl Send for Idle {}

static POOL: Mutex<Vec<Idle>> = Mutex::new(Vec::new());

/// Reservations set up for one module's layout: its regions open as a new instance
/// has them, read-only contents in place, writable regions zero.
#[derive(Default)]
pub(crate) struct ModulePool {
    idle: Mutex<Vec<Reservation>>,
}

/// How many idle reservations a module keeps.
const MODULE_POOL_LIMIT: usize = 8;

impl ModulePool {
    pub fn take(&self) -> Option<Reservation> {
        self.idle.lock().ok()?.pop()
    }

    /// Keeps `reservation` (reset by the caller) if there is room.
    pub fn give(&self, reservation: Reservation) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MODULE_POOL_LIMIT {
                idle.push(reservation);
            }
        }
    }
}

impl Reservation {
    /// A reservation with only the context page accessible (zeroed) and every guest
    /// page inaccessible and zero.
    pub fn take() -> Result<Reservation, MapError> {
        let pooled = POOL.lock().ok().and_then(|mut pool| pool.pop());
        let start = match pooled {
            Some(Idle(start)) => start,
            None => Self::map()?,
        };
        Ok(Reservation { start, opened: Vec::new() })
    }

    fn map() -> Result<NonNull<u8>, MapError> {
        // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing
        // touches no existing memory.
        let start = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                RESERVATION_SIZE,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return Err(MapError);
        }
        // SAFETY: the context page is the first page of the mapping just made.
        let result = unsafe { libc::mprotect(start, CONTEXT_SIZE, libc::PROT_READ | libc::PROT_WRITE) };
        if result != 0 {
            // SAFETY: unmapping the mapping just made, which nothing refers to.
            unsafe { libc::munmap(start, RESERVATION_SIZE) };
            return Err(MapError);
        }
        NonNull::new(start.cast()).ok_or(MapError)
    }

    /// The context page.
    pub fn context(&self) -> *mut Context {
        // SAFETY: the context lies inside the context page, which the reservation's
        // first `CONTEXT_SIZE` bytes are.
        unsafe { self.base().sub(CONTEXT_OFFSET).cast() }
    }

    /// Where guest address 0 is.
    pub fn base(&self) -> *mut u8 {
        // SAFETY: the reservation is larger than its context page.
        unsafe { self.start.as_ptr().add(CONTEXT_SIZE) }
    }

    /// Sets how guest code may access `[address, address + len)`, widened to host pages.
    pub fn protect(&mut self, address: u32, len: u32, access: Access) -> Result<(), MapError> {
        self.set_protection(address, len, access)?;
        if access != Access::None && len > 0 {
            self.opened.push((address, len));
        }
        Ok(())
    }

    /// How many ranges have been opened so far.
    pub fn opened_count(&self) -> usize {
        self.opened.len()
    }

    /// Makes the ranges opened after the first `keep` inaccessible again, their
    /// contents discarded.
    pub fn close_after(&mut self, keep: usize) -> Result<(), MapError> {
        while self.opened.len() > keep {
            if let Some((address, len)) = self.opened.pop() {
                self.discard(address, len)?;
                self.set_protection(address, len, Access::None)?;
            }
        }
        Ok(())
    }

    /// Discards the contents of `[address, address + len)` (widened to host pages):
    /// they read as zero again, and the host memory behind them is freed.
    pub fn discard(&mut self, address: u32, len: u32) -> Result<(), MapError> {
        if len == 0 {
            return Ok(());
        }
        let (start, host_len) = page_range(address, len);
        // SAFETY: the range lies inside this reservation's guest address space, and no
        // reference into it exists while `self` is borrowed mutably.
        let result = unsafe { libc::madvise(self.base().add(start as usize).cast(), host_len, libc::MADV_DONTNEED) };
        if result == 0 {
            Ok(())
        } else {
            Err(MapError)
        }
    }

    /// Writes into a read-only range, as the host may: opens it for writing for the
    /// time of the copy.
    ///
    /// # Safety
    /// `[address, address + data.len())` must be readable.
    pub unsafe fn write_read_only(&mut self, address: u32, data: &[u8]) -> Result<(), MapError> {
        let len = u32::try_from(data.len()).map_err(|_| MapError)?;
        self.set_protection(address, len, Access::ReadWrite)?;
        // SAFETY: just made writable; the caller guarantees it is inside the guest's
        // accessible memory.
        unsafe { self.write(address, data) };
        self.set_protection(address, len, Access::Read)
    }

    fn set_protection(&self, address: u32, len: u32, access: Access) -> Result<(), MapError> {
        if len == 0 {
            return Ok(());
        }
        let (start, host_len) = page_range(address, len);
        // SAFETY: the range lies inside this reservation's guest address space.
        let result = unsafe { libc::mprotect(self.base().add(start as usize).cast(), host_len, access.prot()) };
        if result == 0 {
            Ok(())
        } else {
            Err(MapError)
        }
    }

    /// Copies guest memory out.
    ///
    /// # Safety
    /// `[address, address + buffer.len())` must be readable (the memory map says so
    /// and the protections follow it).
    pub unsafe fn read(&self, address: u32, buffer: &mut [u8]) {
        // SAFETY: the caller guarantees the range is mapped readable; it lies inside
        // the reservation, which `buffer` (host memory) does not overlap.
        unsafe { core::ptr::copy_nonoverlapping(self.base().add(address as usize), buffer.as_mut_ptr(), buffer.len()) }
    }

    /// Copies into guest memory.
    ///
    /// # Safety
    /// `[address, address + data.len())` must be writable.
    pub unsafe fn write(&mut self, address: u32, data: &[u8]) {
        // SAFETY: the caller guarantees the range is mapped writable; `data` is host
        // memory outside the reservation.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), self.base().add(address as usize), data.len()) }
    }

    /// Fills guest memory.
    ///
    /// # Safety
    /// `[address, address + count)` must be writable.
    pub unsafe fn fill(&mut self, address: u32, value: u8, count: u32) {
        // SAFETY: the caller guarantees the range is mapped writable.
        unsafe { core::ptr::write_bytes(self.base().add(address as usize), value, count as usize) }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut clean = true;
        for &(address, len) in &self.opened {
            let (address, len) = page_range(address, len);
            // SAFETY: the range lies inside this reservation's guest address space;
            // discarding and protecting it affects no other memory, and nothing refers
            // into it any more.
            unsafe {
                let pointer = self.base().add(address as usize).cast();
                clean &= libc::madvise(pointer, len, libc::MADV_DONTNEED) == 0;
                clean &= libc::mprotect(pointer, len, libc::PROT_NONE) == 0;
            }
        }
        if clean {
            // SAFETY: the context page is mapped read-write and owned by `self`.
            unsafe { self.context().write(Context::default()) };
            if let Ok(mut pool) = POOL.lock() {
                if pool.len() < POOL_LIMIT {
                    pool.push(Idle(self.start));
                    return;
                }
            }
        }
        // SAFETY: the mapping was made by `map` with this size and nothing refers to
        // it any more.
        unsafe { libc::munmap(self.start.as_ptr().cast(), RESERVATION_SIZE) };
    }
}

/// `[address, address + len)` widened to whole host pages, as an offset and a length
/// inside the guest address space.
fn page_range(address: u32, len: u32) -> (u32, usize) {
    let page = u64::from(HOST_PAGE_SIZE);
    let start = u64::from(address) / page * page;
    let end = (u64::from(address) + u64::from(len)).div_ceil(page) * page;
    (start as u32, (end.min(ADDRESS_SPACE as u64) - start) as usize)
}
