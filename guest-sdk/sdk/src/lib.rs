//! SDK for PolkaVM guest programs.
//!
//! - [`macro@polkavm_export`] makes an `extern "C" fn` callable by the host, and
//!   [`macro@polkavm_import`] declares host functions the program calls;
//! - [`sbrk`], [`heap_base`] and [`LeakingAllocator`] manage the heap;
//! - [`memset`] fills memory with the VM's `memset` instruction;
//! - [`min_stack_size!`] asks for a larger stack than the linker's default (8 KiB).
//!
//! Programs are `#![no_std]` binaries built for the PolkaVM targets
//! (`riscv32emac-unknown-none-polkavm` or `riscv64emac-unknown-none-polkavm`) and then
//! linked into a `.polkavm` blob. On other targets this crate still compiles, so that
//! host tools (`cargo check`, `cargo doc`) work, but its functions do nothing useful:
//! [`sbrk`] and [`heap_base`] return null and imports are plain `extern "C"`
//! declarations.
//!
//! # Example
//!
//! A complete guest program (it only builds for the PolkaVM targets, hence not run as a
//! doctest):
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! extern crate alloc;
//!
//! use alloc::vec::Vec;
//!
//! #[global_allocator]
//! static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator;
//!
//! pvm_guest::min_stack_size!(16 * 1024);
//!
//! pvm_guest::panic_handler!();
//!
//! #[pvm_guest::polkavm_import]
//! extern "C" {
//!     fn get_third_number() -> u32;
//! }
//!
//! #[pvm_guest::polkavm_export]
//! extern "C" fn add_numbers(a: u32, b: u32) -> u32 {
//!     // SAFETY: the host function has no preconditions.
//!     a + b + unsafe { get_third_number() }
//! }
//!
//! #[pvm_guest::polkavm_export]
//! extern "C" fn sum_up_to(n: u32) -> u64 {
//!     let numbers: Vec<u64> = (1..=u64::from(n)).collect();
//!     numbers.iter().sum()
//! }
//! ```
//!
//! # ABI
//!
//! The macros generate the same metadata as `polkavm-derive` 0.37, so `polkavm-linker`
//! 0.37 links the programs; see the `pvm-guest-macros` crate for the format. Arguments
//! and results travel in registers `a0`..`a5` and `a0`/`a1`: `u64` and `i64` take two
//! registers (low word first) on 32-bit targets, every other supported type one.

#![no_std]
#![deny(missing_docs)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

pub use pvm_guest_macros::{polkavm_export, polkavm_import};

/// The raw instructions, on PolkaVM targets.
#[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))]
mod raw {
    use core::arch::asm;

    /// Grows the heap by `size` bytes (the custom-0 instruction with funct3 = 1, which
    /// the linker turns into `sbrk`). Returns the new end of the heap, or `None` if the
    /// heap cannot grow that much.
    #[inline]
    pub fn grow_heap(size: usize) -> Option<usize> {
        // The VM takes a 32-bit size; on 64-bit targets it would treat a larger one as 0.
        if u32::try_from(size).is_err() {
            return None;
        }
        let top: usize;
        // SAFETY: `sbrk` only makes more memory accessible; it does not touch the stack
        // or any memory that already belongs to the program.
        unsafe {
            asm!(
                ".insn r 0xb, 1, 0, {dst}, {size}, zero",
                dst = lateout(reg) top,
                size = in(reg) size,
                options(nostack),
            );
        }
        // Addresses are 32 bits; a 64-bit VM sign-extends the result.
        let top = top as u32 as usize;
        (top != 0).then_some(top)
    }

    /// The address where the heap starts (funct3 = 3; the linker turns it into a
    /// constant).
    #[inline]
    pub fn heap_base() -> usize {
        let base: usize;
        // SAFETY: the instruction only writes its destination register.
        unsafe {
            asm!(
                ".insn r 0xb, 3, 0, {dst}, zero, zero",
                dst = lateout(reg) base,
                options(pure, nomem, nostack),
            );
        }
        base
    }

    /// The VM's `memset` instruction (funct3 = 2): fills `count` bytes at `dst` with
    /// `value`, taking them from `a0`, `a1` and `a2`; it leaves `a0` and `a2` changed.
    ///
    /// # Safety
    ///
    /// As for [`crate::memset`].
    #[inline]
    pub unsafe fn memset(dst: *mut u8, value: u8, count: usize) {
        // SAFETY: the caller guarantees that the bytes are writable; the operands
        // describe every register the instruction reads or changes.
        unsafe {
            asm!(
                ".insn r 0xb, 2, 0, zero, zero, zero",
                inout("a0") dst => _,
                in("a1") usize::from(value),
                inout("a2") count => _,
                options(nostack),
            );
        }
    }
}

/// Stops the program with a trap (`unimp`, which the linker turns into `trap`).
#[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))]
pub(crate) fn raw_trap() -> ! {
    // SAFETY: `unimp` is an illegal instruction: it never returns, and touches nothing.
    unsafe { core::arch::asm!("unimp", options(noreturn)) }
}

/// Stand-ins for targets other than PolkaVM: there is no heap to grow.
#[cfg(not(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e")))]
mod raw {
    pub fn grow_heap(_size: usize) -> Option<usize> {
        None
    }

    pub fn heap_base() -> usize {
        0
    }

    /// # Safety
    ///
    /// As for [`crate::memset`].
    pub unsafe fn memset(dst: *mut u8, value: u8, count: usize) {
        // SAFETY: the caller guarantees that the bytes are writable.
        unsafe { core::ptr::write_bytes(dst, value, count) }
    }
}

/// Grows the heap by `size` bytes and returns the start of the new bytes (the previous
/// end of the heap), or null if the heap cannot grow that much. `sbrk(0)` returns the
/// current end of the heap.
///
/// Nothing ever shrinks the heap. Returns null on targets other than PolkaVM.
///
/// The VM's own `sbrk` instruction returns the *new* end of the heap (or 0); this
/// function subtracts `size` to give the start of the new region, like Unix `sbrk`.
#[inline]
pub fn sbrk(size: usize) -> *mut u8 {
    match raw::grow_heap(size) {
        Some(top) => (top - size) as *mut u8,
        None => core::ptr::null_mut(),
    }
}

/// The address where the heap starts, which is also where it ends before the first
/// [`sbrk`]. Returns null on targets other than PolkaVM.
#[inline]
pub fn heap_base() -> *mut u8 {
    raw::heap_base() as *mut u8
}

/// Sets `count` bytes starting at `dst` to `value` with the VM's `memset` instruction,
/// which is much cheaper in gas than a loop.
///
/// It is only available on the newer instruction sets: programs that use it do not link
/// for `ReviveV1`. On targets other than PolkaVM it is [`core::ptr::write_bytes`].
///
/// # Safety
///
/// `dst` must be valid for writes of `count` bytes.
#[inline]
pub unsafe fn memset(dst: *mut u8, value: u8, count: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { raw::memset(dst, value, count) }
}

/// Stops the program: the VM reports a trap at this instruction. On targets other than
/// PolkaVM it panics.
#[inline]
pub fn trap() -> ! {
    #[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))]
    raw_trap();
    #[cfg(not(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e")))]
    panic!("trap")
}

/// Defines the program's `#[panic_handler]` as a [`trap`], which is what a guest
/// program needs unless it wants to report the panic to its host first.
///
/// ```ignore
/// pvm_guest::panic_handler!();
/// ```
#[macro_export]
macro_rules! panic_handler {
    () => {
        #[panic_handler]
        fn panic(_info: &::core::panic::PanicInfo) -> ! {
            $crate::trap()
        }
    };
}

/// Asks for a stack of at least `size` bytes (a `u32` constant expression).
///
/// The linker gives the program the largest size any `min_stack_size!` asks for, and
/// at least its default of 8 KiB. On targets other than PolkaVM it expands to nothing.
///
/// ```
/// pvm_guest::min_stack_size!(16 * 1024);
/// ```
#[macro_export]
macro_rules! min_stack_size {
    ($size:expr) => {
        #[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))]
        ::core::arch::global_asm!(
            ".pushsection .polkavm_min_stack_size,\"R\",@note",
            ".4byte {size}",
            ".popsection",
            size = const {
                let size: u32 = $size;
                size
            },
        );
    };
}

/// A [`GlobalAlloc`] that takes memory from the heap with [`sbrk`] and never frees it.
///
/// Allocation bumps a pointer through memory obtained from [`sbrk`], so it is small and
/// fast; freeing does nothing, which suits programs whose instance is short-lived.
/// Growing the most recent allocation (a `Vec` being pushed to, say) happens in place.
/// When the heap cannot grow, allocation returns null (and `alloc`'s collections then
/// call the allocation error handler, which aborts).
///
/// Calling [`sbrk`] directly as well is allowed: the allocator notices that the heap
/// moved and continues after the memory it did not get.
///
/// ```no_run
/// #[global_allocator]
/// static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator;
/// # fn main() {}
/// ```
///
/// It is a unit struct, as in `polkavm-derive` (the seed's line above compiles as
/// written); `LeakingAllocator::new()` works too. Its state is one per program: a
/// program has one global allocator.
///
/// (On targets other than PolkaVM every allocation fails, so use it only for guests.)
pub struct LeakingAllocator;

/// The allocator's state: where the next allocation may start and the end of the
/// memory it got from [`sbrk`] (both 0 before the first allocation).
struct HeapCursor {
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: PolkaVM guests are single-threaded, so the cells are never accessed
// concurrently.
unsafe impl Sync for HeapCursor {}

static CURSOR: HeapCursor = HeapCursor { next: Cell::new(0), end: Cell::new(0) };

/// The outcome of [`LeakingAllocator::claim`].
enum Claim {
    /// The memory up to the requested address is now allocated.
    Done,
    /// The heap had moved: the new memory starts elsewhere and becomes the free region.
    Moved,
    /// The heap cannot grow enough.
    Failed,
}

impl LeakingAllocator {
    /// The allocator (the same as the unit value `LeakingAllocator`).
    pub const fn new() -> Self {
        LeakingAllocator
    }

    /// Allocates `[next, new_next)`, growing the heap if needed.
    fn claim(&self, new_next: usize) -> Claim {
        let end = CURSOR.end.get();
        if new_next <= end && end != 0 {
            CURSOR.next.set(new_next);
            return Claim::Done;
        }
        let grow = new_next.wrapping_sub(end);
        let Some(top) = raw::grow_heap(grow) else {
            return Claim::Failed;
        };
        let start = top - grow;
        CURSOR.end.set(top);
        if start == end {
            CURSOR.next.set(new_next);
            Claim::Done
        } else {
            // The first allocation, or somebody else called `sbrk`: the memory up to
            // `end` is lost, and the new memory is free.
            CURSOR.next.set(start);
            Claim::Moved
        }
    }

    /// Allocates `size` bytes aligned to `align` (a power of two).
    fn allocate(&self, size: usize, align: usize) -> Option<usize> {
        loop {
            let start = CURSOR.next.get().checked_add(align - 1)? & !(align - 1);
            let new_next = start.checked_add(size)?;
            match self.claim(new_next) {
                Claim::Done => return Some(start),
                // At most once more: the heap now ends where this allocator's memory does.
                Claim::Moved => continue,
                Claim::Failed => return None,
            }
        }
    }
}

impl Default for LeakingAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: `allocate` returns memory that is aligned as requested, lies inside the heap
// and is never handed out twice, since `next` only moves forwards past it.
unsafe impl GlobalAlloc for LeakingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.allocate(layout.size(), layout.align()).map_or(core::ptr::null_mut(), |address| address as *mut u8)
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let address = ptr as usize;
        let old_size = layout.size();
        if new_size <= old_size {
            return ptr;
        }
        // The most recent allocation grows in place.
        if address + old_size == CURSOR.next.get() {
            if let Some(new_next) = address.checked_add(new_size) {
                if let Claim::Done = self.claim(new_next) {
                    return ptr;
                }
            }
        }
        // SAFETY: the caller guarantees that `new_size`, rounded up to the alignment,
        // does not overflow `isize`, and the alignment is that of a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size (it is larger than `old_size`).
        let new_ptr = unsafe { self.alloc(new_layout) };
        if !new_ptr.is_null() {
            // SAFETY: both blocks are valid for `old_size` bytes, and a new block never
            // overlaps an existing one.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new_ptr, old_size) };
        }
        new_ptr
    }
}
