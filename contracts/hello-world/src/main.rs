//! The basic PolkaVM guest program: adds two numbers and a third one that is
//! provided by the host through an imported function.
#![no_std]
#![no_main]

pvm_guest::panic_handler!();

#[pvm_guest::polkavm_import]
extern "C" {
    fn get_third_number() -> u32;
}

#[pvm_guest::polkavm_export]
fn add_numbers(a: u32, b: u32) -> u32 {
    // SAFETY: the host function takes no arguments and has no preconditions.
    a + b + unsafe { get_third_number() }
}
