//! The corpus programs' global allocator (PolkaVM targets only): `dlmalloc`, the
//! allocator of Rust's own Wasm targets, over a static arena.
//!
//! The workloads allocate and free a lot, and `vm-bench` calls them thousands of times
//! on one instance, so `pvm_guest::LeakingAllocator` would run out of memory; dlmalloc
//! reuses what is freed. The arena is a zero-initialised static, so it costs no blob
//! bytes, and the programs need no `sbrk` (which ReviveV1 does not have).
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: corpus_kernels::heap::Heap = corpus_kernels::heap::Heap::new();
//! ```

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};

use dlmalloc::Dlmalloc;

/// The arena's size: enough for every workload at its benchmark input, with a margin.
pub const ARENA_SIZE: usize = 4 << 20;

/// The memory dlmalloc takes its segments from.
#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; ARENA_SIZE]>);

// SAFETY: PolkaVM guests are single-threaded.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_SIZE]));

/// Hands the arena to dlmalloc, front to back, as its "system memory"; nothing is ever
/// given back.
struct ArenaSystem {
    /// How many bytes of the arena dlmalloc has.
    used: Cell<usize>,
}

// SAFETY: `alloc` returns distinct, unused parts of the arena, which stay valid for
// the program's lifetime; every other operation is refused.
unsafe impl dlmalloc::Allocator for ArenaSystem {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let used = self.used.get();
        if size > ARENA_SIZE - used {
            return (core::ptr::null_mut(), 0, 0);
        }
        self.used.set(used + size);
        // SAFETY: `used + size <= ARENA_SIZE`, so the pointer stays inside the arena.
        (unsafe { ARENA.0.get().cast::<u8>().add(used) }, size, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old_size: usize, _new_size: usize, _can_move: bool) -> *mut u8 {
        core::ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old_size: usize, _new_size: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        // The arena starts zeroed, and each part is handed out once.
        true
    }

    fn page_size(&self) -> usize {
        4096
    }
}

/// The global allocator: dlmalloc over the arena.
pub struct Heap(UnsafeCell<Dlmalloc<ArenaSystem>>);

// SAFETY: PolkaVM guests are single-threaded, so the allocator is never used
// concurrently.
unsafe impl Sync for Heap {}

impl Heap {
    /// The allocator, with the whole arena free.
    pub const fn new() -> Self {
        Heap(UnsafeCell::new(Dlmalloc::new_with_allocator(ArenaSystem { used: Cell::new(0) })))
    }

    #[allow(clippy::mut_from_ref)]
    fn dlmalloc(&self) -> &mut Dlmalloc<ArenaSystem> {
        // SAFETY: the guest is single-threaded and no `GlobalAlloc` method re-enters
        // the allocator, so this is the only borrow.
        unsafe { &mut *self.0.get() }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: forwarded to dlmalloc, whose methods have `GlobalAlloc`'s contracts.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { self.dlmalloc().malloc(layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        unsafe { self.dlmalloc().calloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { self.dlmalloc().free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { self.dlmalloc().realloc(ptr, layout.size(), layout.align(), new_size) }
    }
}
