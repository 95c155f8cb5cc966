//! Minimal benchmark: each step bumps a counter by one, dispatching through a small
//! table of function pointers (so the guest's cost is mostly call overhead).

#[inline(never)]
fn add_one(value: u32) -> u32 {
    value.wrapping_add(1)
}

#[inline(never)]
fn add_two_sub_one(value: u32) -> u32 {
    value.wrapping_add(2).wrapping_sub(1)
}

#[inline(never)]
fn inc_via_sub(value: u32) -> u32 {
    value.wrapping_sub(u32::MAX)
}

#[inline(never)]
fn inc_via_xor(value: u32) -> u32 {
    // Same result as `value + 1`, computed differently so that the handlers stay distinct.
    (value ^ 0xffff_ffff).wrapping_neg()
}

static HANDLERS: [fn(u32) -> u32; 4] = [add_one, add_two_sub_one, inc_via_sub, inc_via_xor];

/// The counter and which handler runs next.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq)]
pub struct State {
    /// How many steps ran since the last reset.
    pub counter: u32,
    /// The index of the next handler, in `0..4`.
    pub next: u32,
}

impl State {
    /// The state after a reset.
    pub const fn new() -> Self {
        State { counter: 0, next: 0 }
    }

    /// One step: calls the next handler on the counter.
    #[inline(always)]
    pub fn step(&mut self) {
        let index = self.next as usize % HANDLERS.len();
        self.next = (index + 1) as u32;
        // `black_box` keeps the call indirect instead of letting LLVM resolve it.
        let handler = core::hint::black_box(HANDLERS[index]);
        self.counter = handler(self.counter);
    }
}
