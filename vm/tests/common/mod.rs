//! Runs each VM test on every backend: `backend_test! { fn name() { ... } }` makes
//! `name::interpreter` and `name::compiler`, and the test body's modules come from
//! [`engine`], which follows the backend of the test that is running.

use std::cell::Cell;

use pvm::{Backend, Config, Engine};

thread_local! {
    static BACKEND: Cell<Backend> = const { Cell::new(Backend::Interpreter) };
}

/// The engine of the backend under test.
pub fn engine() -> Engine {
    Engine::new(&Config { backend: BACKEND.with(Cell::get) }).expect("the backend under test is available")
}

/// Runs `test` with `backend`'s engine; says so and passes where the backend cannot
/// run on this machine (the compiler off x86-64 Linux).
pub fn run_on(backend: Backend, test: fn()) {
    if !backend.is_available() {
        eprintln!("skipped: the {backend} backend is not available on this machine");
        return;
    }
    BACKEND.with(|current| current.set(backend));
    test();
}

/// Declares a test that runs on each backend.
#[macro_export]
macro_rules! backend_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body() $body

            #[test]
            fn interpreter() {
                $crate::common::run_on(pvm::Backend::Interpreter, body)
            }

            #[test]
            fn compiler() {
                $crate::common::run_on(pvm::Backend::Compiler, body)
            }
        }
    };
}
