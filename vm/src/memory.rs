//! The guest's 32-bit address space: the memory map (identical to the reference's for
//! the same blob) and the regions an instance reads and writes.
//!
//! Layout, with every region start aligned to 64 KiB and sizes rounded up to pages:
//! `[guard 64K] RO [guard] RW+heap ... [guard] stack [guard] aux [guard 64K]`.

use alloc::vec::Vec;

/// Smallest supported page size.
pub const MIN_PAGE_SIZE: u32 = 0x1000;
/// Largest supported page size; also the alignment of every region start.
pub const MAX_PAGE_SIZE: u32 = 0x10000;
/// Jumping to this address returns to the host.
pub const RETURN_TO_HOST: u32 = 0xffff_0000;

const ADDRESS_SPACE_SIZE: u64 = 1 << 32;
const ADDRESS_SPACE_TOP: u64 = ADDRESS_SPACE_SIZE - MAX_PAGE_SIZE as u64;

fn align_up(alignment: u64, value: u64) -> u64 {
    value.div_ceil(alignment) * alignment
}

/// Where each region of a program lives in the guest address space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryMap {
    /// Page size (a power of two between 4 KiB and 64 KiB).
    pub page_size: u32,
    /// Size of the RO region (page aligned); it starts at 0x10000.
    pub ro_data_size: u32,
    /// Start of the RW region.
    pub rw_data_address: u32,
    /// Initial size of the RW region (page aligned).
    pub rw_data_size: u32,
    /// Top (exclusive) of the stack.
    pub stack_address_high: u32,
    /// Size of the stack (page aligned).
    pub stack_size: u32,
    /// Start of the aux region.
    pub aux_data_address: u32,
    /// Size of the aux region (page aligned).
    pub aux_data_size: u32,
    /// Where the heap starts (right after the declared, unaligned RW size).
    pub heap_base: u32,
    /// How far the heap may grow.
    pub max_heap_size: u32,
}

impl MemoryMap {
    /// Builds the map the reference builds for these declared sizes.
    pub fn new(
        page_size: u32,
        ro_size: u32,
        rw_size: u32,
        stack_size: u32,
        aux_size: u32,
    ) -> Result<Self, &'static str> {
        if !(MIN_PAGE_SIZE..=MAX_PAGE_SIZE).contains(&page_size) || !page_size.is_power_of_two() {
            return Err("invalid page size");
        }
        let zone = u64::from(MAX_PAGE_SIZE);
        let page = u64::from(page_size);
        let page_aligned = |size: u32, what| u32::try_from(align_up(page, u64::from(size))).map_err(|_| what);
        let ro_space = align_up(zone, u64::from(ro_size));
        let rw_space = align_up(zone, u64::from(rw_size));
        let stack_space = align_up(zone, u64::from(stack_size));
        let aux_space = align_up(zone, u64::from(aux_size));

        let mut low = zone + ro_space + zone;
        let rw_data_address = low;
        let heap_base = low + u64::from(rw_size);
        low += rw_space;
        let heap_slack = low - heap_base;
        low += zone;

        let mut high = ADDRESS_SPACE_TOP as i64 - aux_space as i64;
        let aux_data_address = high;
        high -= zone as i64;
        let stack_address_high = high;
        high -= stack_space as i64;
        if (low as i64) > high {
            return Err("maximum memory size exceeded");
        }
        Ok(MemoryMap {
            page_size,
            ro_data_size: page_aligned(ro_size, "the size of read-only data is too big")?,
            rw_data_address: rw_data_address as u32,
            rw_data_size: page_aligned(rw_size, "the size of read-write data is too big")?,
            stack_address_high: stack_address_high as u32,
            stack_size: page_aligned(stack_size, "the size of the stack is too big")?,
            aux_data_address: aux_data_address as u32,
            aux_data_size: page_aligned(aux_size, "the size of the aux data is too big")?,
            heap_base: heap_base as u32,
            max_heap_size: (high as u64 - low + heap_slack) as u32,
        })
    }

    /// The start of the RO region.
    pub fn ro_data_address(&self) -> u32 {
        MAX_PAGE_SIZE
    }

    /// The bottom of the stack.
    pub fn stack_address_low(&self) -> u32 {
        self.stack_address_high - self.stack_size
    }
}

/// Why an access failed.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Fault {
    /// The first byte that could not be accessed.
    pub address: u32,
    /// Whether the access was a write (to an unmapped or read-only page).
    pub is_write: bool,
}

/// One accessible range of the address space. Only a part of it (`resident`) is
/// backed by memory; the rest reads as zeros and is allocated on first write, so a
/// large declared stack or heap costs nothing until it is used.
#[derive(Clone, Debug, Default)]
struct Region {
    start: u32,
    len: u32,
    writable: bool,
    /// Grows downwards (the stack): the resident part is a suffix, not a prefix.
    grows_down: bool,
    /// Guest address of `data[0]`.
    resident_start: u32,
    data: Vec<u8>,
}

impl Region {
    fn new(start: u32, len: u32, writable: bool, grows_down: bool, data: Vec<u8>) -> Self {
        let resident_start = if grows_down { start + len - data.len() as u32 } else { start };
        Region { start, len, writable, grows_down, resident_start, data }
    }

    /// Offset into the region if `[address, address + size)` lies inside it.
    #[inline(always)]
    fn offset_of(&self, address: u32, size: u32) -> Option<u32> {
        let offset = address.wrapping_sub(self.start);
        (u64::from(offset) + u64::from(size) <= u64::from(self.len)).then_some(offset)
    }

    /// Makes `[offset, offset + size)` resident.
    fn make_resident(&mut self, offset: u32, size: u32) {
        let needed =
            if self.grows_down { u64::from(self.len) - u64::from(offset) } else { u64::from(offset) + u64::from(size) }
                as usize;
        if needed <= self.data.len() {
            return;
        }
        let target = needed.next_power_of_two().min(self.len as usize).max(needed);
        let old = self.data.len();
        if self.grows_down {
            // The stack's size is fixed, so this happens at most log2(size) times.
            let mut data = alloc::vec![0u8; target];
            data[target - old..].copy_from_slice(&self.data);
            self.data = data;
            self.resident_start = self.start + self.len - target as u32;
        } else if target / 2 > self.data.capacity() {
            // A jump far beyond what is backed (a store high in a large heap): a zeroed
            // allocation is backed lazily by the host, so this costs memory for the pages
            // written, not for the whole range, and only the old contents are copied.
            let mut data = alloc::vec![0u8; target];
            data[..old].copy_from_slice(&self.data);
            self.data = data;
        } else {
            // Growth step by step (a heap that `sbrk` grows a little at a time): room
            // for as much again, so the copying stays amortised linear, but at most
            // 256 MiB of it, so that a heap of gigabytes does not reserve twice that.
            let headroom = old.min(MAX_HEADROOM);
            if self.data.capacity() < target {
                self.data.reserve_exact(target + headroom - old);
            }
            self.data.resize(target, 0);
        }
    }
}

/// The most spare capacity a growing region reserves beyond what it needs.
const MAX_HEADROOM: usize = 256 << 20;

/// How many regions a memory has at most: RO, RW + heap, stack and aux for programs;
/// JAM test vectors use fewer.
const MAX_REGIONS: usize = 4;

/// An instance's memory.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    regions: [Region; MAX_REGIONS],
    /// Index of the RW region that `sbrk` grows, if any.
    heap_region: Option<usize>,
    heap_base: u32,
    heap_size: u32,
    heap_limit: u32,
    page_size: u32,
    /// Whether `sbrk` was refused because of the heap limit: a guest's allocation then
    /// fails, which usually ends in a trap that this explains.
    sbrk_refused: bool,
}

const RW: usize = 0;
const STACK: usize = 1;
const RO: usize = 2;
const AUX: usize = 3;

impl Memory {
    /// The standard memory of a program: RO and RW initialised from the blob, a zeroed
    /// stack and aux region, and a heap that `sbrk` grows up to `heap_limit` bytes.
    pub fn standard(map: &MemoryMap, ro_data: &[u8], rw_data: &[u8], heap_limit: u32) -> Self {
        let mut regions: [Region; MAX_REGIONS] = Default::default();
        regions[RW] = Region::new(map.rw_data_address, map.rw_data_size, true, false, rw_data.to_vec());
        regions[STACK] = Region::new(map.stack_address_low(), map.stack_size, true, true, Vec::new());
        regions[RO] = Region::new(map.ro_data_address(), map.ro_data_size, false, false, ro_data.to_vec());
        regions[AUX] = Region::new(map.aux_data_address, map.aux_data_size, false, false, Vec::new());
        Memory {
            regions,
            heap_region: Some(RW),
            heap_base: map.heap_base,
            heap_size: 0,
            heap_limit: heap_limit.min(map.max_heap_size),
            page_size: map.page_size,
            sbrk_refused: false,
        }
    }

    /// A memory made of the given `(address, length, writable)` ranges and nothing
    /// else (the JAM test vectors' page map). At most four ranges; adjacent ranges with
    /// the same access are merged.
    pub fn from_ranges(ranges: &[(u32, u32, bool)]) -> Result<Self, &'static str> {
        let mut sorted: Vec<(u32, u32, bool)> = ranges.to_vec();
        sorted.sort_unstable();
        let mut merged: Vec<(u32, u32, bool)> = Vec::new();
        for (address, length, writable) in sorted {
            if address.checked_add(length).is_none() {
                return Err("range wraps around the address space");
            }
            match merged.last_mut() {
                Some(last) if last.0 + last.1 == address && last.2 == writable => last.1 += length,
                _ => merged.push((address, length, writable)),
            }
        }
        if merged.len() > MAX_REGIONS {
            return Err("too many disjoint memory ranges");
        }
        let mut regions: [Region; MAX_REGIONS] = Default::default();
        for (slot, (address, length, writable)) in merged.into_iter().enumerate() {
            regions[slot] = Region::new(address, length, writable, false, Vec::new());
        }
        Ok(Memory { regions, heap_region: None, page_size: MIN_PAGE_SIZE, ..Memory::default() })
    }

    /// The page size used to report faults.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// Loads `N` bytes.
    #[inline(always)]
    pub fn load<const N: usize>(&self, address: u32) -> Result<[u8; N], Fault> {
        for region in &self.regions {
            let offset = address.wrapping_sub(region.resident_start);
            // 64-bit arithmetic: no overflow on 32-bit hosts either.
            if u64::from(offset) + N as u64 <= region.data.len() as u64 {
                let offset = offset as usize;
                let mut out = [0u8; N];
                out.copy_from_slice(&region.data[offset..offset + N]);
                return Ok(out);
            }
        }
        self.load_slow(address)
    }

    #[cold]
    fn load_slow<const N: usize>(&self, address: u32) -> Result<[u8; N], Fault> {
        let mut out = [0u8; N];
        self.read(address, &mut out)?;
        Ok(out)
    }

    /// Stores `N` bytes.
    #[inline(always)]
    pub fn store<const N: usize>(&mut self, address: u32, bytes: [u8; N]) -> Result<(), Fault> {
        for region in &mut self.regions {
            let offset = address.wrapping_sub(region.resident_start);
            if region.writable && u64::from(offset) + N as u64 <= region.data.len() as u64 {
                let offset = offset as usize;
                region.data[offset..offset + N].copy_from_slice(&bytes);
                return Ok(());
            }
        }
        self.write_slow(address, &bytes, true)
    }

    /// Reads guest memory into `buffer`.
    pub fn read(&self, address: u32, buffer: &mut [u8]) -> Result<(), Fault> {
        let size = u32::try_from(buffer.len()).map_err(|_| Fault { address, is_write: false })?;
        let region = &self.regions[self.region_for(address, size, false)?];
        buffer.fill(0);
        // Copy the resident overlap; everything else reads as zero.
        let lo = address.max(region.resident_start);
        let hi =
            (u64::from(address) + u64::from(size)).min(u64::from(region.resident_start) + region.data.len() as u64);
        if u64::from(lo) < hi {
            let src = (lo - region.resident_start) as usize;
            let dst = (lo - address) as usize;
            let n = (hi - u64::from(lo)) as usize;
            buffer[dst..dst + n].copy_from_slice(&region.data[src..src + n]);
        }
        Ok(())
    }

    /// Writes `bytes` into guest memory. With `check_access`, read-only regions fault
    /// (guest stores); without, the host may initialise any mapped region.
    pub fn write(&mut self, address: u32, bytes: &[u8], check_access: bool) -> Result<(), Fault> {
        self.write_slow(address, bytes, check_access)
    }

    #[cold]
    fn write_slow(&mut self, address: u32, bytes: &[u8], check_access: bool) -> Result<(), Fault> {
        let size = u32::try_from(bytes.len()).map_err(|_| Fault { address, is_write: true })?;
        let index = self.region_for(address, size, check_access).map_err(|fault| Fault { is_write: true, ..fault })?;
        let region = &mut self.regions[index];
        let offset = address - region.start;
        region.make_resident(offset, size);
        let start = (address - region.resident_start) as usize;
        region.data[start..start + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// The region that holds all of `[address, address + size)` (and is writable if
    /// `for_writing`), or the fault at the first byte that cannot be accessed (its
    /// `is_write` is `for_writing`). An access may not straddle two regions.
    pub(crate) fn region_for(&self, address: u32, size: u32, for_writing: bool) -> Result<usize, Fault> {
        self.regions
            .iter()
            .position(|r| r.offset_of(address, size).is_some() && (r.writable || !for_writing))
            .ok_or(Fault { address: self.first_inaccessible(address, size, for_writing), is_write: for_writing })
    }

    /// The writable region that holds `address`, and how many bytes from `address` on
    /// it holds.
    pub(crate) fn writable_run(&self, address: u32) -> Option<(usize, u32)> {
        let index = self.regions.iter().position(|r| r.writable && r.offset_of(address, 1).is_some())?;
        let region = &self.regions[index];
        Some((index, region.len - (address - region.start)))
    }

    /// Every accessible region as `(start, length, writable)`.
    #[cfg_attr(not(pvm_compiler), allow(dead_code))]
    pub(crate) fn spans(&self) -> impl Iterator<Item = (u32, u32, bool)> + '_ {
        self.regions.iter().filter(|r| r.len > 0).map(|r| (r.start, r.len, r.writable))
    }

    /// The first byte of `[address, address + size)` that cannot be accessed.
    fn first_inaccessible(&self, address: u32, size: u32, is_write: bool) -> u32 {
        let mut cursor = address;
        let end = u64::from(address) + u64::from(size);
        while u64::from(cursor) < end {
            let inside = self
                .regions
                .iter()
                .find(|r| r.len > 0 && r.offset_of(cursor, 1).is_some() && (r.writable || !is_write));
            match inside {
                Some(r) => {
                    let region_end = u64::from(r.start) + u64::from(r.len);
                    if region_end >= end || region_end > u64::from(u32::MAX) {
                        break;
                    }
                    cursor = region_end as u32;
                }
                None => return cursor,
            }
        }
        address
    }

    /// Fills up to `count` bytes at `address` with `value`, stopping at the first byte
    /// that cannot be written. Returns how many bytes were written and the fault, if any.
    pub fn fill(&mut self, address: u32, value: u8, count: u32) -> (u32, Option<Fault>) {
        let mut written = 0u32;
        while written < count {
            let cursor = address.wrapping_add(written);
            let Some((index, run)) = self.writable_run(cursor) else {
                return (written, Some(Fault { address: cursor, is_write: true }));
            };
            let chunk = (count - written).min(run);
            let region = &mut self.regions[index];
            let offset = cursor - region.start;
            region.make_resident(offset, chunk);
            let start = (cursor - region.resident_start) as usize;
            region.data[start..start + chunk as usize].fill(value);
            written += chunk;
        }
        (written, None)
    }

    /// Grows the heap by `size` bytes; returns the new heap top, or `None` when the
    /// limit would be exceeded (the heap is then unchanged).
    pub fn sbrk(&mut self, size: u32) -> Option<u32> {
        let index = self.heap_region?;
        let new_size = match self.heap_size.checked_add(size) {
            Some(new_size) if new_size <= self.heap_limit => new_size,
            _ => {
                self.sbrk_refused = true;
                return None;
            }
        };
        self.heap_size = new_size;
        let heap_top = self.heap_base + new_size;
        let region = &mut self.regions[index];
        let region_end = u64::from(region.start) + u64::from(region.len);
        if u64::from(heap_top) > region_end {
            let page = u64::from(self.page_size);
            let aligned = u64::from(heap_top).div_ceil(page) * page;
            region.len = (aligned - u64::from(region.start)) as u32;
        }
        Some(heap_top)
    }

    /// The end of the region the heap grows in (`sbrk` moves it in whole pages).
    #[cfg_attr(not(pvm_compiler), allow(dead_code))]
    pub(crate) fn heap_region_end(&self) -> Option<u64> {
        let region = &self.regions[self.heap_region?];
        Some(u64::from(region.start) + u64::from(region.len))
    }

    /// Current heap size in bytes.
    pub fn heap_size(&self) -> u32 {
        self.heap_size
    }

    /// Whether `sbrk` was ever refused because the heap would have grown past its limit.
    pub fn sbrk_refused(&self) -> bool {
        self.sbrk_refused
    }

    /// Bytes of host memory currently backing the guest's memory.
    pub fn resident_bytes(&self) -> usize {
        self.regions.iter().map(|r| r.data.len()).sum()
    }
}

/// Where guest memory can be filled: the interpreter's [`Memory`] and the compiler's
/// mapped memory.
pub(crate) trait Fill {
    /// Fills up to `count` bytes at `address` with `value`, stopping at the first byte
    /// that cannot be written; returns how many were written and the fault, if any.
    fn fill(&mut self, address: u32, value: u8, count: u32) -> (u32, Option<Fault>);
}

impl Fill for Memory {
    fn fill(&mut self, address: u32, value: u8, count: u32) -> (u32, Option<Fault>) {
        Memory::fill(self, address, value, count)
    }
}

/// Why a `memset` stopped before its end.
pub(crate) enum MemsetStop {
    /// The gas ran out: `a0` and `a2` say how far it got, and resuming continues it.
    NotEnoughGas,
    /// A byte could not be written.
    Fault(Fault),
}

/// Executes `memset` (`a2` bytes of value `a1` from address `a0`), the same for every
/// backend: each byte costs one unit of gas when metered, the registers advance as
/// bytes are written (so running out of gas or faulting leaves them where it stopped),
/// and on 32-bit instruction sets they stay sign-extended.
pub(crate) fn memset(
    memory: &mut impl Fill,
    regs: &mut [u64; 16],
    gas: &mut crate::gas::Gas,
    metering: bool,
    is_64_bit: bool,
) -> Result<(), MemsetStop> {
    let mut address = regs[7] as u32;
    let value = regs[8] as u8;
    let mut count = regs[9] as u32;
    let mut result = Ok(());
    while count > 0 {
        if metering && *gas <= 0 {
            result = Err(MemsetStop::NotEnoughGas);
            break;
        }
        let allowed = if metering { count.min(u32::try_from(*gas).unwrap_or(u32::MAX)) } else { count };
        let (written, fault) = memory.fill(address, value, allowed);
        address = address.wrapping_add(written);
        count -= written;
        if metering {
            *gas -= crate::gas::Gas::from(written);
        }
        if let Some(fault) = fault {
            result = Err(MemsetStop::Fault(fault));
            break;
        }
    }
    // On 32-bit instruction sets every register holds a sign-extended 32-bit value; the
    // 64-bit-wide comparisons of `maximum`, signed branches and the like rely on it.
    let widen = if is_64_bit { u64::from } else { crate::semantics::sext32 };
    regs[7] = widen(address);
    regs[9] = widen(count);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_map_matches_the_reference_example() {
        let map = MemoryMap::new(0x4000, 1, 1, 1, 0).unwrap();
        assert_eq!(map.ro_data_address(), 0x10000);
        assert_eq!(map.ro_data_size, 0x4000);
        assert_eq!(map.rw_data_address, 0x30000);
        assert_eq!(map.rw_data_size, 0x4000);
        assert_eq!(map.heap_base, 0x30001);
        assert_eq!(map.stack_address_high, 0xfffe0000);
        assert_eq!(map.stack_address_low(), 0xfffdc000);
    }

    #[test]
    fn too_much_memory_is_an_error() {
        assert!(MemoryMap::new(0x1000, u32::MAX, u32::MAX, 0, 0).is_err());
    }

    #[test]
    fn lazy_regions_read_zero_and_grow_on_write() {
        let map = MemoryMap::new(0x1000, 0, 16, 0x10000, 0).unwrap();
        let mut memory = Memory::standard(&map, &[], &[1, 2, 3], u32::MAX);
        assert_eq!(memory.load::<4>(map.rw_data_address).unwrap(), [1, 2, 3, 0]);
        let top = map.stack_address_high - 8;
        assert_eq!(memory.load::<8>(top).unwrap(), [0; 8]);
        memory.store::<8>(top, [9; 8]).unwrap();
        assert_eq!(memory.load::<8>(top).unwrap(), [9; 8]);
        memory.store::<2>(map.stack_address_low(), [7, 7]).unwrap();
        assert_eq!(memory.load::<8>(top).unwrap(), [9; 8]);
        assert!(memory.resident_bytes() <= 0x10000 + 16);
    }

    #[test]
    fn writes_to_read_only_and_unmapped_memory_fault() {
        let map = MemoryMap::new(0x1000, 8, 0, 0x1000, 0).unwrap();
        let mut memory = Memory::standard(&map, &[5; 8], &[], u32::MAX);
        assert_eq!(memory.load::<1>(0x10000).unwrap(), [5]);
        assert_eq!(memory.store::<1>(0x10000, [0]), Err(Fault { address: 0x10000, is_write: true }));
        assert_eq!(memory.load::<4>(0x10ffe), Err(Fault { address: 0x11000, is_write: false }));
        assert_eq!(memory.load::<1>(0), Err(Fault { address: 0, is_write: false }));
    }

    /// A store at the top of a 2 GiB heap allocates it zeroed (backed lazily by the
    /// host); growing it a page further reserves a bounded headroom, not twice the heap
    /// (a fuzzer finding: a 4 GiB allocation). Step-by-step growth stays amortised.
    #[test]
    fn heap_growth_reserves_bounded_headroom() {
        let map = MemoryMap::new(0x1000, 0, 0x1000, 0x1000, 0).unwrap();
        let mut memory = Memory::standard(&map, &[], &[], u32::MAX);
        let top = memory.sbrk(0x7fff_0000).unwrap();
        memory.store::<1>(top - 1, [1]).unwrap();
        let top = memory.sbrk(0x1000).unwrap();
        memory.store::<1>(top - 1, [2]).unwrap();
        let data = &memory.regions[RW].data;
        assert!(data.capacity() <= data.len() + MAX_HEADROOM, "capacity {:#x} for {:#x}", data.capacity(), data.len());
        assert_eq!(memory.load::<1>(top - 1), Ok([2]));

        let mut memory = Memory::standard(&map, &[], &[], u32::MAX);
        let mut reallocations = 0;
        for _ in 0..4096 {
            let top = memory.sbrk(0x1000).unwrap();
            let before = memory.regions[RW].data.capacity();
            memory.store::<1>(top - 1, [3]).unwrap();
            reallocations += usize::from(memory.regions[RW].data.capacity() != before);
        }
        assert!(reallocations <= 16, "{reallocations} reallocations for 4096 steps");
    }

    #[test]
    fn sbrk_grows_the_rw_region_to_whole_pages() {
        let map = MemoryMap::new(0x1000, 0, 1, 0x1000, 0).unwrap();
        let mut memory = Memory::standard(&map, &[], &[], 0x10000);
        assert_eq!(memory.sbrk(0), Some(map.heap_base));
        let top = memory.sbrk(0x1000).unwrap();
        assert_eq!(top, map.heap_base + 0x1000);
        memory.store::<1>(top - 1, [1]).unwrap();
        assert!(memory.store::<1>(map.rw_data_address + 0x2000, [1]).is_err());
        assert!(!memory.sbrk_refused());
        assert_eq!(memory.sbrk(0x10000), None);
        assert!(memory.sbrk_refused(), "the refusal is remembered");
        assert_eq!(memory.heap_size(), 0x1000, "and the heap is unchanged");
    }
}
