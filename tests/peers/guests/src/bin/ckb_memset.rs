//! `bench-memset` as a CKB-VM program (see `peers_guests::ckb`).
#![no_std]
#![no_main]

#[no_mangle]
extern "C" fn _start() -> ! {
    peers_guests::ckb::main(&peers_guests::MEMSET)
}
