//! The exponential the step uses (logit weights, hazards that depend on H).
//!
//! Written out here rather than calling the C library's `exp`: it inlines into the loops (a call
//! costs as much as the arithmetic), and it gives the same bits on every platform, whereas C
//! libraries differ in the last bit, which would break bit-identical results across machines.

/// e^x, within 1 ulp of the exact value (fdlibm's method: reduce by ln 2, a degree-5 rational
/// approximation on |r| ≤ ln2/2, scale by 2^k). Outside |x| < 708 (where the result is near
/// overflow or underflow) and for NaN it defers to the standard library.
///
/// ```
/// let e = brink::model::math::exp(1.0);
/// assert!((e - std::f64::consts::E).abs() <= f64::EPSILON * e);
/// ```
#[inline]
// The constants are fdlibm's, digit for digit.
#[allow(clippy::excessive_precision)]
pub fn exp(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const INV_LN2: f64 = std::f64::consts::LOG2_E;
    // Adding and subtracting 1.5·2^52 rounds to the nearest integer (ties to even).
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    const P1: f64 = 1.666_666_666_666_660_190_37e-1;
    const P2: f64 = -2.777_777_777_701_559_338_42e-3;
    const P3: f64 = 6.613_756_321_437_934_361_17e-5;
    const P4: f64 = -1.653_390_220_546_525_153_90e-6;
    const P5: f64 = 4.138_136_797_057_238_460_39e-8;
    if x.is_nan() || x.abs() >= 708.0 {
        return x.exp();
    }
    let kf = (x * INV_LN2 + SHIFT) - SHIFT;
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let z = r * r;
    let c = r - z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // |k| ≤ 1022 here, so 2^k is a normal number.
    let scale = f64::from_bits(((kf as i64 + 1023) as u64) << 52);
    y * scale
}

#[cfg(test)]
mod tests {
    use super::exp;

    /// Distance in units in the last place.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn within_one_ulp_of_the_standard_library() {
        let mut worst = 0;
        // Dense where the model uses it (logit weights are e^{≤0}), sparse up to the limits.
        let mut x = -40.0;
        while x < 10.0 {
            worst = worst.max(ulps(exp(x), x.exp()));
            x += 0.000_37;
        }
        let mut x = -707.9;
        while x < 707.9 {
            worst = worst.max(ulps(exp(x), x.exp()));
            x += 0.013;
        }
        // The standard library is itself within about 0.5 ulp, so ours is within 1.5 of exact.
        assert!(worst <= 1, "worst {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
    }
}
