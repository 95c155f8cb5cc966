//! `hello-world`, with the guest macros of the reference (`polkavm-derive` 0.37): our
//! linker must read their metadata, and the result must behave like `hello-world`.
#![no_std]
#![no_main]

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    // SAFETY: `unimp` is an illegal instruction, which the VM turns into a trap.
    unsafe { core::arch::asm!("unimp", options(noreturn)) }
}

#[polkavm_derive::polkavm_import]
extern "C" {
    fn get_third_number() -> u32;
}

#[polkavm_derive::polkavm_export]
extern "C" fn add_numbers(a: u32, b: u32) -> u32 {
    // SAFETY: the host function takes no arguments and has no preconditions.
    a + b + unsafe { get_third_number() }
}
