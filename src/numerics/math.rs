//! Every transcendental function whose result reaches a table or a JSON number: sampling, the
//! step, the statistics and the analyses call these, never `f64::ln`, `f64::powf` and the like.
//!
//! The standard library's methods call the platform's C library (or LLVM intrinsics that end
//! there), and C libraries differ in the last bit of `exp`, `log`, `pow`, `tanh`…, which would
//! break bit-identical results across machines. Here `exp` is brink's own (it inlines into the
//! loops, where a call costs as much as the arithmetic) and the rest come from the `libm` crate,
//! a pure-Rust port of musl's libm: the same Rust code, made of exactly rounded IEEE-754
//! operations, on every platform, hence the same bits. (Its only architecture-specific paths are
//! `sqrt` and `fma`, both exactly rounded, and an x87 `exp` for 32-bit x86 without SSE2, where
//! f64 arithmetic is not IEEE double anyway.) `sqrt`, `abs`, `floor` and the like are exactly
//! rounded IEEE operations and are called directly. Chart pixel geometry (src/report/charts)
//! reaches no number and is outside this rule.

/// Adding and subtracting 1.5·2^52 rounds a number below 2^51 to the nearest integer (ties
/// to even), which then sits in the low bits of the sum: no float-to-int conversion needed.
const SHIFT: f64 = 6_755_399_441_055_744.0;

/// e^x, within 1 ulp of the exact value. x = (64k + j)·ln2/64 + r with |r| ≤ ln2/128; then
/// e^x = 2^k · 2^(j/64) · e^r, with 2^(j/64) from a table (as a sum of two doubles, generated
/// with 60-digit decimals) and e^r from its Taylor polynomial of degree 5 (truncation error
/// below 4·10^-17). Outside |x| < 708 (near overflow or underflow) and for NaN it defers to
/// `libm::exp`.
///
/// ```
/// let e = brink::numerics::math::exp(1.0);
/// assert!((e - std::f64::consts::E).abs() <= f64::EPSILON * e);
/// ```
#[inline]
pub fn exp(x: f64) -> f64 {
    // 64/ln2, and ln2/64 split so that k·HI is exact for the |k| < 2^17 that occur here.
    const INV: f64 = 92.33248261689366;
    const HI: f64 = 0.010830424696223417;
    const LO: f64 = 2.572804622327669e-14;
    if x.is_nan() || x.abs() >= 708.0 {
        return libm::exp(x);
    }
    // The integer sits in the low bits of the shifted sum: no float-to-int conversion needed.
    let shifted = x * INV + SHIFT;
    let kd = shifted - SHIFT;
    let ki = shifted.to_bits() as i64 - SHIFT.to_bits() as i64;
    let r = (x - kd * HI) - kd * LO;
    let (th, tl) = TWO_TO_J_64[(ki & 63) as usize];
    let p = r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0))));
    let y = th + (tl + th * p);
    // ki >> 6 is the floor of ki / 64, within ±1022 here, so 2^k is a normal number.
    y * f64::from_bits((((ki >> 6) + 1023) as u64) << 52)
}

/// A power of two at least 2^2.5·e^x, so at least 5.6 times [`exp`]`(x)` (whose error is a few
/// units in the last place): a bound for a quick "no" before an `exp` is worth computing.
/// Infinite where there is no quick bound (|x| ≥ 700, or NaN).
///
/// ```
/// use brink::numerics::math::{exp, exp_above};
/// assert!(exp_above(1.0) >= 5.6 * exp(1.0));
/// ```
#[inline]
pub fn exp_above(x: f64) -> f64 {
    // Selects, not branches: the events' quick filter computes this for every event every
    // step, and a branch per event cost more than the arithmetic.
    let bounded = x.abs() < 700.0; // false for NaN
    let x = if bounded { x } else { 0.0 };
    // round(x·log2 e) + 3 ≥ x·log2 e + 2.5, and lies in −1008 ..= 1014: a normal number. The
    // rounding as in `exp` (no call of `floor`, which baseline x86-64 has no instruction for).
    let shifted = x * std::f64::consts::LOG2_E + SHIFT;
    let k = shifted.to_bits() as i64 - SHIFT.to_bits() as i64 + 3;
    let bound = f64::from_bits(((k + 1023) as u64) << 52);
    if bounded { bound } else { f64::INFINITY }
}

/// The natural logarithm, `libm::log` (within 1 ulp of `f64::ln` in the tests; `ln(0) = −∞`,
/// NaN below 0).
///
/// ```
/// assert_eq!(brink::numerics::math::ln(1.0), 0.0);
/// ```
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// P(X ≥ k) for X binomial with `n` trials and success probability `p`: the upper tail, summed
/// term by term from k in log space (each term from `libm::lgamma`), so that it neither
/// overflows nor underflows for the million trials of a large experiment. 1 for k = 0, 0 for
/// k > n.
///
/// ```
/// use brink::numerics::math::binomial_tail;
/// // Two heads or more in two fair tosses.
/// assert!((binomial_tail(2, 2, 0.5) - 0.25).abs() < 1e-15);
/// assert!((binomial_tail(1, 2, 0.5) - 0.75).abs() < 1e-15);
/// ```
pub fn binomial_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (ln(p), libm::log1p(-p));
    let lnf = |m: u64| libm::lgamma(m as f64 + 1.0);
    let log_term = |i: u64| lnf(n) - lnf(i) - lnf(n - i) + i as f64 * lp + (n - i) as f64 * lq;
    // The terms fall away from the mode; stop once they no longer change the sum.
    let mut sum = 0.0;
    let top = log_term(k.max(((n as f64 + 1.0) * p).floor() as u64).min(n));
    for i in k..=n {
        let t = exp(log_term(i) - top);
        sum += t;
        if i as f64 > n as f64 * p && t < sum * 1e-17 {
            break;
        }
    }
    (exp(top) * sum).min(1.0)
}

/// The base-10 logarithm, `libm::log10` (within 2 ulp of `f64::log10` in the tests, where
/// glibc is the less accurate of the two).
///
/// ```
/// assert_eq!(brink::numerics::math::log10(1000.0), 3.0);
/// ```
#[inline]
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// x^y, `libm::pow` (within 1 ulp of `f64::powf` in the tests; the same special cases).
///
/// ```
/// assert_eq!(brink::numerics::math::pow(2.0, 10.0), 1024.0);
/// ```
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// The hyperbolic tangent, `libm::tanh` (within 2 ulp of `f64::tanh` in the tests).
///
/// ```
/// assert_eq!(brink::numerics::math::tanh(0.0), 0.0);
/// ```
#[inline]
pub fn tanh(x: f64) -> f64 {
    libm::tanh(x)
}

/// The inverse hyperbolic tangent, `libm::atanh` (within 2 ulp of `f64::atanh` on [0, 1) in the
/// tests, and odd; ±∞ at ±1, NaN outside). Unlike `f64::atanh`, which loses thousands of ulp
/// as x → −1, it is accurate for negative x too.
///
/// ```
/// assert_eq!(brink::numerics::math::atanh(0.0), 0.0);
/// ```
#[inline]
pub fn atanh(x: f64) -> f64 {
    libm::atanh(x)
}

/// 2^(j/64) for j = 0..64, as (nearest double, remainder).
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const TWO_TO_J_64: [(f64, f64); 64] = [
    (1.0, 0.0),
    (1.0108892860517005, -1.5234778603368577e-17),
    (1.0218971486541166, 5.109225028973444e-17),
    (1.0330248790212284, 7.600838874027088e-18),
    (1.0442737824274138, 8.551889705537965e-17),
    (1.0556451783605572, 1.759325738772092e-18),
    (1.0671404006768237, -7.899853966841582e-17),
    (1.0787607977571199, -6.656660436056593e-17),
    (1.0905077326652577, -3.046782079812471e-17),
    (1.102382583307841, 5.2660368715706944e-17),
    (1.1143867425958924, 1.0410278456845571e-16),
    (1.1265216186082418, 5.165856758795457e-17),
    (1.1387886347566916, 8.912812676025408e-17),
    (1.1511892299529827, 3.250710218863827e-17),
    (1.1637248587775775, 3.8292048369240935e-17),
    (1.1763969916502812, 5.554203254218079e-17),
    (1.189207115002721, 3.982015231465646e-17),
    (1.202156731452703, 6.644981499252301e-17),
    (1.215247359980469, -7.712630692681488e-17),
    (1.22848053610687, -1.89878163130253e-17),
    (1.241857812073484, 4.658027591836937e-17),
    (1.255380757024691, -6.7113898212968784e-18),
    (1.2690509571917332, 2.667932131342186e-18),
    (1.2828700160787783, 1.713594918243561e-17),
    (1.2968395546510096, 2.5382502794888315e-17),
    (1.3109612115247644, -7.181536135519454e-17),
    (1.3252366431597413, -2.8587312100388614e-17),
    (1.339667524053303, 8.927282594831732e-17),
    (1.3542555469368927, 7.70094837980299e-17),
    (1.3690024229745905, 9.593797919118849e-17),
    (1.383909881963832, -6.770511658794786e-17),
    (1.3989796725383112, -9.614213209051323e-17),
    (1.4142135623730951, -9.667293313452913e-17),
    (1.42961333839197, -1.2031642489053655e-17),
    (1.4451808069770467, -3.0237581349939873e-17),
    (1.460917794180647, -5.600377186075216e-17),
    (1.4768261459394993, -3.483994556892796e-17),
    (1.4929077282912648, 1.4192920154284036e-17),
    (1.5091644275934228, -1.016455327754295e-16),
    (1.5255981507445384, -1.1024941712342561e-16),
    (1.5422108254079407, 7.949834809697621e-17),
    (1.559004400237837, 3.7812070533575275e-17),
    (1.5759808451078865, -1.0136916471278304e-17),
    (1.593142151342267, -1.0094406542311964e-16),
    (1.6104903319492543, 2.4707192569797888e-17),
    (1.6280274218573478, -6.712955084707084e-17),
    (1.645755478153965, -1.0125679913674773e-16),
    (1.6636765803267364, 5.8909926967131e-17),
    (1.681792830507429, 8.199010020581497e-17),
    (1.7001063537185235, -8.0237193703977e-18),
    (1.718619298122478, -1.851380418263111e-17),
    (1.7373338352737062, 3.164389299292957e-17),
    (1.7562521603732995, 2.960140695448873e-17),
    (1.7753764925265212, 6.429731796556572e-17),
    (1.7947090750031072, 1.8227458427912087e-17),
    (1.8142521755003989, -9.969531538920349e-17),
    (1.8340080864093424, 3.283107224245627e-17),
    (1.8539791250833855, 9.761887490727594e-17),
    (1.8741676341103, -6.122763413004143e-17),
    (1.8945759815869656, 3.4034035352165297e-17),
    (1.9152065613971474, -1.0619946056195963e-16),
    (1.9360617934922943, 1.0332385960676326e-16),
    (1.9571441241754002, 8.960767791036668e-17),
    (1.978456026387951, 4.0388753109278167e-17),
];

#[cfg(test)]
mod tests {
    use super::{atanh, binomial_tail, exp, exp_above, ln, log10, pow, tanh};

    #[test]
    fn exp_above_bounds_exp_by_a_factor_of_five() {
        let mut x = -699.9f64;
        while x < 699.9 {
            for y in [x, x.next_up(), x.next_down()] {
                let b = exp_above(y);
                assert!(b >= 5.6 * exp(y) && b <= 11.4 * exp(y), "{y}");
            }
            x += 0.0137;
        }
        assert_eq!(exp_above(0.0), 8.0);
        assert_eq!(exp_above(-0.0), 8.0);
        assert_eq!(exp_above(f64::NAN), f64::INFINITY);
        assert_eq!(exp_above(-800.0), f64::INFINITY);
    }

    #[test]
    fn binomial_tail_sums_the_binomial_terms() {
        // Against the terms computed directly (exact enough at n = 30).
        let (n, p) = (30u64, 0.3f64);
        let choose =
            |n: u64, k: u64| (0..k).fold(1.0f64, |c, i| c * (n - i) as f64 / (i + 1) as f64);
        for k in 0..=n + 1 {
            let direct: f64 = (k..=n)
                .map(|i| choose(n, i) * p.powi(i as i32) * (1.0 - p).powi((n - i) as i32))
                .sum();
            let got = binomial_tail(k, n, p);
            assert!((got - direct).abs() < 1e-13, "k {k}: {got} vs {direct}");
        }
        // A million trials: P(X ≥ n/2) at p = 1/2 is 1/2 plus half the central term,
        // 1/sqrt(2πn·p(1−p))/2.
        let n = 1_000_000u64;
        let want = 0.5 + 0.5 / (2.0 * std::f64::consts::PI * n as f64 * 0.25).sqrt();
        let got = binomial_tail(n / 2, n, 0.5);
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        // Far in the tail: tiny, not zero, not NaN.
        let far = binomial_tail(900, 1000, 0.5);
        assert!(far > 0.0 && far < 1e-100, "{far}");
    }

    /// Distance in units in the last place.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn within_one_ulp_of_the_standard_library() {
        let mut worst = 0;
        // Dense where the model uses it (logit weights are e^{<=0}), sparse up to the limits.
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
        // The standard library is itself within about 0.5 ulp of exact.
        assert!(worst <= 1, "worst {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
    }

    /// The worst distance in ulp between `f` and `g` at `xs`.
    fn worst(xs: impl Iterator<Item = f64>, f: impl Fn(f64) -> f64, g: impl Fn(f64) -> f64) -> u64 {
        xs.map(|x| ulps(f(x), g(x))).max().unwrap_or(0)
    }

    /// `n` points spread evenly on [lo, hi].
    fn grid(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..=n).map(move |i| lo + (hi - lo) * i as f64 / n as f64)
    }

    /// The libm wrappers are sane: within 1 or 2 ulp of the standard library over the ranges
    /// brink uses and beyond. Their bits, unlike the standard library's, do not depend on the
    /// platform (tests/bits.rs pins them).
    #[test]
    fn libm_wrappers_agree_with_the_standard_library() {
        // Positive numbers from 1e-300 to 1e300 (log-spaced), and densely on (0, 2].
        let wide = || grid(-690.0, 690.0, 200_000).map(f64::exp);
        let near = || grid(0.0, 2.0, 200_000).skip(1);
        assert!(worst(wide(), ln, f64::ln) <= 1, "ln");
        assert!(worst(near(), ln, f64::ln) <= 1, "ln near 1");
        // glibc's log10 is off by up to 1.5 ulp on (0.5, 1) (musl's within 0.5 there).
        assert!(worst(wide(), log10, f64::log10) <= 2, "log10");
        assert!(worst(near(), log10, f64::log10) <= 2, "log10 near 1");
        // Bases over (0, 100], exponents over [-10, 10]; and 10^e as the log histogram uses it.
        let mut w = 0;
        for x in grid(0.0, 100.0, 1000).skip(1) {
            w = w.max(worst(grid(-10.0, 10.0, 400), |y| pow(x, y), |y| x.powf(y)));
        }
        w = w.max(worst(
            grid(-4.0, 17.0, 21 * 400),
            |e| pow(10.0, e),
            |e| 10f64.powf(e),
        ));
        assert!(w <= 1, "pow {w} ulp");
        assert!(
            worst(grid(-25.0, 25.0, 400_000), tanh, f64::tanh) <= 2,
            "tanh"
        );
        // The standard library's atanh is 0.5·ln_1p(2x/(1−x)), which loses thousands of ulp as
        // x → −1 (musl's works on |x|): compare on [0, 1) and check that atanh is odd.
        let half_open = || grid(0.0, 1.0, 400_000).take(400_000);
        assert!(worst(half_open(), atanh, f64::atanh) <= 2, "atanh");
        assert!(half_open().all(|x| atanh(-x) == -atanh(x)), "atanh odd");
        // Special values as in the standard library.
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan() && log10(-1.0).is_nan());
        assert_eq!(pow(0.0, 0.0), 1.0);
        assert_eq!(pow(10.0, 2.0), 100.0);
        assert_eq!(atanh(1.0), f64::INFINITY);
        assert_eq!(tanh(f64::INFINITY), 1.0);
    }
}
