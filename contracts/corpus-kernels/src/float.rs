//! Floating-point math with `libm` (the Rust port of musl's libm, which `core` also
//! uses where a target has no math library): in the guest every operation is software
//! floating point (the PolkaVM targets have no FPU), natively it is the host's FPU,
//! and the results agree bit for bit (IEEE 754 arithmetic is correctly rounded).

use crate::checksum;

/// Evaluates 20 functions (f64 and f32) at `64 n` points spread over ±1000; the
/// checksum covers every result's bits.
pub fn libm(n: u32) -> u64 {
    let mut hash = checksum(b"libm");
    let mut add = |value: f64| {
        hash ^= value.to_bits();
        hash = hash.wrapping_mul(0x0100_0000_01b3).rotate_left(7);
    };
    let points = 64 * n;
    for i in 0..points {
        let x = (f64::from(i) - f64::from(points) / 2.0) * (2000.0 / f64::from(points.max(1))) + 0.123;
        let small = x / 1000.0;
        let positive = libm::fabs(x) + 0.5;
        add(libm::sin(x));
        add(libm::cos(x));
        add(libm::tan(small));
        add(libm::exp(small * 20.0));
        add(libm::expm1(small));
        add(libm::log(positive));
        add(libm::log1p(positive));
        add(libm::log10(positive));
        add(libm::pow(positive, 1.7));
        add(libm::sqrt(positive));
        add(libm::cbrt(x));
        add(libm::atan2(x, 3.0));
        add(libm::asin(small));
        add(libm::tanh(small * 5.0));
        add(libm::hypot(x, 7.5));
        add(libm::fmod(x, 3.7));
        let xf = x as f32;
        add(f64::from(libm::sinf(xf)));
        add(f64::from(libm::expf(xf / 100.0)));
        add(f64::from(libm::logf(positive as f32)));
        add(f64::from(libm::powf(positive as f32, 0.3)));
    }
    hash
}
