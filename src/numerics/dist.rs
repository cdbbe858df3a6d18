//! Quantile functions and random variates that scenario distributions are sampled with: the
//! normal CDF and quantile, Beta quantile tables and a Gamma-based Beta sampler.

use super::math::{exp, ln, pow};

/// Points of a quantile table (the table has `TABLE_POINTS + 1` entries).
const TABLE_POINTS: usize = 1024;

/// Whether a Beta shape is sampled from a quantile table: 1 ≤ a, b ≤ 8 (every PERT is). Outside
/// it the density is unbounded or so peaked that a 1024-point table loses accuracy in the tail,
/// and the Gamma sampler is used instead.
pub fn beta_uses_table(a: f64, b: f64) -> bool {
    (1.0..=8.0).contains(&a) && (1.0..=8.0).contains(&b)
}

/// The quantile function of Beta(a, b) on [0, 1] as a table of `TABLE_POINTS + 1` values at
/// p = 0, 1/1024, …, 1, for shapes where [`beta_uses_table`] holds. Built once per shape (cached) from the
/// CDF integrated with the trapezoid rule on 8192 intervals; sampling then takes one uniform
/// and a linear interpolation, like every other distribution, instead of a rejection sampler.
pub fn beta_quantile_table(a: f64, b: f64) -> std::sync::Arc<QuantileTable> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<(u64, u64), Arc<QuantileTable>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (a.to_bits(), b.to_bits());
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(t) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return t;
    }
    const GRID: usize = 8192;
    let pdf = |x: f64| {
        let l = (a - 1.0) * if a == 1.0 { 0.0 } else { ln(x) }
            + (b - 1.0) * if b == 1.0 { 0.0 } else { ln(1.0 - x) };
        exp(l)
    };
    let mut cdf = vec![0.0; GRID + 1];
    let mut prev = pdf(0.0);
    for i in 1..=GRID {
        let f = pdf(i as f64 / GRID as f64);
        cdf[i] = cdf[i - 1] + 0.5 * (prev + f) / GRID as f64;
        prev = f;
    }
    let total = cdf[GRID];
    let mut table = Vec::with_capacity(TABLE_POINTS + 1);
    let mut i = 0;
    for j in 0..=TABLE_POINTS {
        let target = j as f64 / TABLE_POINTS as f64 * total;
        while i < GRID && cdf[i + 1] < target {
            i += 1;
        }
        let x = if i >= GRID {
            1.0
        } else {
            let (c0, c1) = (cdf[i], cdf[i + 1]);
            let frac = if c1 > c0 {
                ((target - c0) / (c1 - c0)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (i as f64 + frac) / GRID as f64
        };
        table.push(x);
    }
    let q = table
        .into_boxed_slice()
        .try_into()
        .expect("TABLE_POINTS + 1 points, by construction");
    let t = Arc::new(QuantileTable { q, a, b });
    if let Ok(mut c) = cache.lock() {
        c.insert(key, t.clone());
    }
    t
}

/// A Beta quantile function as a table (see [`beta_quantile_table`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileTable {
    // A fixed length, so that the interpolation's reads need no bounds checks.
    q: Box<[f64; TABLE_POINTS + 1]>,
    a: f64,
    b: f64,
}

impl QuantileTable {
    /// The quantile at `u` in [0, 1): linear between table points, except in the first and
    /// last interval, where the density behaves like x^(a−1) (resp. (1−x)^(b−1)) and the
    /// quantile like a power of p, which a straight line would misplace.
    #[inline]
    pub fn at(&self, u: f64) -> f64 {
        let t = &*self.q;
        let n = TABLE_POINTS;
        let x = u * n as f64;
        let i = (x as usize).min(n - 1);
        let f = (x - i as f64).clamp(0.0, 1.0);
        if i == 0 && self.a > 1.0 {
            t[1] * pow(f, 1.0 / self.a)
        } else if i == n - 1 && self.b > 1.0 {
            1.0 - (1.0 - t[n - 1]) * pow(1.0 - f, 1.0 / self.b)
        } else {
            t[i] + (t[i + 1] - t[i]) * f
        }
    }
}

/// A Beta(a, b) draw: from the quantile table at `u` where [`beta_uses_table`], else from
/// the Gamma sampler seeded with `aux_seed`.
pub fn beta_draw(a: f64, b: f64, u: f64, aux_seed: u64) -> f64 {
    if beta_uses_table(a, b) {
        beta_quantile_table(a, b).at(u)
    } else {
        beta_sample(a, b, aux_seed)
    }
}

/// The regularized incomplete beta function I_x(a, b), P(X ≤ x) for X ~ Beta(a, b): the
/// continued fraction of Numerical Recipes (§6.4) by Lentz's method, from `libm`'s `lgamma`,
/// `log` and `exp` and IEEE operations only, so the same bits on every platform.
///
/// ```
/// use brink::numerics::dist::beta_cdf;
/// assert!((beta_cdf(2.0, 3.0, 0.5) - 0.6875).abs() < 1e-12);
/// ```
pub fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        exp(libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * ln(x) + b * ln(1.0 - x));
    // The fraction converges fast on the side of the mean it is taken on.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of [`beta_cdf`] (Numerical Recipes' `betacf`).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let nonzero = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / nonzero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / nonzero(1.0 + aa * d);
        c = nonzero(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / nonzero(1.0 + aa * d);
        c = nonzero(1.0 + aa / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The quantile of Beta(a, b) at `u`: the smallest double x with [`beta_cdf`] ≥ u, by
/// bisection to the last bit. For the shapes the quantile table does not cover, where
/// `calibrate` needs a prior's quantile function (a posterior it fitted may have shapes above
/// 8, or a little below 1).
///
/// ```
/// use brink::numerics::dist::beta_quantile;
/// assert!((beta_quantile(1.0, 1.0, 0.25) - 0.25).abs() < 1e-12);
/// ```
pub fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    // Halving the doubles from 0 to 1 by their bits (in order for positive numbers), not the
    // interval: a quantile of 10^-40 (shapes below 1 put it there) is found as exactly as 0.5.
    let (mut lo, mut hi) = (0u64, 1f64.to_bits());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if beta_cdf(a, b, f64::from_bits(mid)) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    f64::from_bits(hi)
}

/// Beta(a, b) from two Gamma draws (Marsaglia–Tsang) of a private SplitMix64 generator. Seeding
/// a ChaCha generator per draw would cost more than the rest of a run's sampling together.
fn beta_sample(a: f64, b: f64, seed: u64) -> f64 {
    let mut g = SplitMix64(seed);
    let x = gamma_sample(a, &mut g);
    let y = gamma_sample(b, &mut g);
    if x + y > 0.0 {
        x / (x + y)
    } else {
        // Both draws underflowed (shapes far below 1, where nearly all the mass is at 0 and
        // 1): the same draws again in logarithms, whose ratio does not underflow. (Returning
        // the mean here made Beta(1e-6, 1e-6) always 0.5.)
        let mut g = SplitMix64(seed);
        let lx = ln_gamma_sample(a, &mut g);
        let ly = ln_gamma_sample(b, &mut g);
        let x = 1.0 / (1.0 + exp(ly - lx));
        // Shapes below ~1e-307 make both logarithms −∞ (no number to compare): the mean
        // rather than NaN. A scenario cannot ask for them: its shapes are at least
        // `scenario::param::MIN_BETA_SHAPE` (1e-300).
        if x.is_nan() { a / (a + b) } else { x }
    }
}

/// The logarithm of [`gamma_sample`]'s draw from the same generator state (the same uniforms
/// in the same order), finite where the draw itself underflows to 0.
fn ln_gamma_sample(shape: f64, g: &mut SplitMix64) -> f64 {
    if shape < 1.0 {
        let u = g.open01();
        return ln_gamma_sample(shape + 1.0, g) + ln(u) / shape;
    }
    ln(gamma_sample(shape, g))
}

/// A small generator for the variable number of draws of rejection sampling.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn open01(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
}

/// Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 by the boost
/// Gamma(a) = Gamma(a + 1)·U^(1/a).
fn gamma_sample(shape: f64, g: &mut SplitMix64) -> f64 {
    if shape < 1.0 {
        let u = g.open01();
        return gamma_sample(shape + 1.0, g) * pow(u, 1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    // The acceptance rate is above 95% for every shape; the cap only guards against a
    // pathological generator state.
    for _ in 0..1000 {
        let x = norm_inv(g.open01());
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = g.open01();
        if u < 1.0 - 0.0331 * x * x * x * x || ln(u) < 0.5 * x * x + d * (1.0 - v + ln(v)) {
            return d * v;
        }
    }
    shape
}

/// The standard normal CDF, via the complementary error function (Numerical Recipes erfc,
/// relative error below 1.2e-7, enough for truncation bounds).
pub fn norm_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t * exp(-z * z - 1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398
                                + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    if x >= 0.0 { 1.0 - 0.5 * r } else { 0.5 * r }
}

/// Below it (and above 1 − it), [`norm_inv`] takes its tail formula.
const NORM_INV_LOW: f64 = 0.02425;

/// The uniform [`norm_inv_of32`] makes of a 32-bit word.
#[inline(always)]
const fn unit_of32(b: u32) -> f64 {
    (b as f64 + 0.5) * (1.0 / (1u64 << 32) as f64)
}

/// The words whose uniforms [`norm_inv`] takes its central formula for, `.0 ..= .1`: a test
/// of the word itself (one subtraction and comparison, no conversion) finds the tails.
const CENTRAL_WORDS: (u32, u32) = {
    let mut lo = (NORM_INV_LOW * (1u64 << 32) as f64) as u32;
    while unit_of32(lo) < NORM_INV_LOW {
        lo += 1;
    }
    while unit_of32(lo - 1) >= NORM_INV_LOW {
        lo -= 1;
    }
    let mut hi = ((1.0 - NORM_INV_LOW) * (1u64 << 32) as f64) as u32;
    while unit_of32(hi) > 1.0 - NORM_INV_LOW {
        hi -= 1;
    }
    while unit_of32(hi + 1) <= 1.0 - NORM_INV_LOW {
        hi += 1;
    }
    (lo, hi)
};

/// The central part of [`norm_inv`] (for `NORM_INV_LOW <= p <= 1 − NORM_INV_LOW`): a rational
/// function without a branch, so that a loop of it vectorises ([`norm_inv_of32`]).
#[inline(always)]
fn norm_inv_central(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    let q = p - 0.5;
    let r = q * q;
    (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
        / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
}

/// [`norm_inv`] of the uniforms `(bits + 0.5) / 2^32`, into `out`: the same numbers as a call
/// per value, for less. The central formula is computed for every value in one loop, which the
/// compiler vectorises (it has no branch, and the same operations in the same order give the
/// same bits in every lane); the few values in the tails (4.85%) are then redone one by one.
/// On x86-64 the loop is compiled again for AVX-512 and AVX2 and the widest the processor has
/// is taken: wider lanes, the same operations (Rust never fuses a multiply and an add), so the
/// same bits.
pub fn norm_inv_of32(bits: &[u32], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F (checked on the line above).
            return unsafe { norm_inv_of32_avx512(bits, out) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked on the line above).
            return unsafe { norm_inv_of32_avx2(bits, out) };
        }
    }
    norm_inv_of32_any(bits, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn norm_inv_of32_avx512(bits: &[u32], out: &mut [f64]) {
    norm_inv_of32_any(bits, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn norm_inv_of32_avx2(bits: &[u32], out: &mut [f64]) {
    norm_inv_of32_any(bits, out)
}

/// [`norm_inv_of32`]'s body, inlined into each instruction set's copy.
#[inline(always)]
fn norm_inv_of32_any(bits: &[u32], out: &mut [f64]) {
    for (x, &b) in out.iter_mut().zip(bits) {
        *x = norm_inv_central(unit_of32(b));
    }
    let (lo, hi) = CENTRAL_WORDS;
    for (x, &b) in out.iter_mut().zip(bits) {
        if b.wrapping_sub(lo) > hi - lo {
            *x = norm_inv(unit_of32(b));
        }
    }
}

/// The standard normal quantile (Acklam's rational approximation, relative error below
/// 1.2e-9). One uniform in, one normal out: this is what keeps draws per step fixed.
pub fn norm_inv(p: f64) -> f64 {
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p < NORM_INV_LOW {
        let q = (-2.0 * ln(p)).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - NORM_INV_LOW {
        norm_inv_central(p)
    } else {
        let q = (-2.0 * ln(1.0 - p)).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Student's t quantile: the `t` with P(T ≤ t) = `p` for `df` degrees of freedom, for
/// `0.5 ≤ p < 1` (a mean's interval takes p = 0.975). Up to 200 degrees of freedom it solves the
/// exact CDF for integer `df` (Abramowitz and Stegun 26.7.3–4) by bisection, to the last few
/// bits; beyond, the Cornish–Fisher expansion in 1/df (A&S 26.7.5, four terms), whose error
/// there is below 1e-10. Made of `libm` and IEEE operations only: the same bits everywhere.
///
/// ```
/// let t = brink::numerics::dist::student_t_inv(0.975, 10);
/// assert!((t - 2.228_138_85).abs() < 1e-7);
/// ```
pub fn student_t_inv(p: f64, df: u64) -> f64 {
    debug_assert!((0.5..1.0).contains(&p) && df >= 1);
    if df > 200 {
        // The normal quantile to the last bits: one Newton step on `libm::erfc` from Acklam's.
        let x = norm_inv(p);
        let density = exp(-0.5 * x * x) / (2.0 * std::f64::consts::PI).sqrt();
        let x = x - (0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p) / density;
        let v = df as f64;
        let x2 = x * x;
        let g1 = (x2 + 1.0) * x / 4.0;
        let g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
        let g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
        let g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
        return x + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v;
    }
    // P(|T| ≤ t), the A&S form, rises with t; the quantile is where it reaches 2p − 1.
    let target = 2.0 * p - 1.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while student_t_central(hi, df) < target {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if student_t_central(mid, df) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// P(|T| ≤ t) for Student's t with integer `df` (Abramowitz and Stegun 26.7.3 for odd `df`,
/// 26.7.4 for even), from θ = atan(t / √df).
fn student_t_central(t: f64, df: u64) -> f64 {
    let theta = libm::atan(t / (df as f64).sqrt());
    let (s, c) = (libm::sin(theta), libm::cos(theta));
    let c2 = c * c;
    // The series' terms: each the last times cos²θ and the next ratio of the double factorials.
    let mut sum = 1.0;
    let mut term = 1.0;
    if df % 2 == 1 {
        if df == 1 {
            return 2.0 * theta / std::f64::consts::PI;
        }
        // 1 + (2/3)cos²θ + (2·4)/(3·5)cos⁴θ + … up to cos^(df−3)θ, times sinθ·cosθ.
        let mut k = 2;
        while k + 1 < df {
            term *= c2 * k as f64 / (k + 1) as f64;
            sum += term;
            k += 2;
        }
        2.0 / std::f64::consts::PI * (theta + s * c * sum)
    } else {
        // 1 + (1/2)cos²θ + (1·3)/(2·4)cos⁴θ + … up to cos^(df−2)θ, times sinθ.
        let mut k = 1;
        while k + 1 < df {
            term *= c2 * k as f64 / (k + 1) as f64;
            sum += term;
            k += 2;
        }
        s * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Student's t quantiles against published tables (SciPy's `t.ppf`, to 9 digits), on both sides
    /// of the switch from the exact CDF to the expansion at 200 degrees of freedom.
    #[test]
    fn student_t_quantiles_match_the_tables() {
        let table = [
            (0.975, 1, 12.706_204_736),
            (0.975, 2, 4.302_652_730),
            (0.975, 3, 3.182_446_305),
            (0.975, 4, 2.776_445_105),
            (0.975, 5, 2.570_581_836),
            (0.975, 10, 2.228_138_852),
            (0.975, 29, 2.045_229_642),
            (0.975, 30, 2.042_272_456),
            (0.975, 100, 1.983_971_519),
            (0.975, 200, 1.971_896_224),
            (0.975, 201, 1.971_836_507),
            (0.975, 1000, 1.962_339_081),
            (0.975, 1_000_000, 1.959_966_357),
            (0.95, 7, 1.894_578_605),
            (0.995, 12, 3.054_539_589),
            (0.5, 9, 0.0),
        ];
        for (p, df, want) in table {
            let t = student_t_inv(p, df);
            assert!(
                (t - want).abs() < 1e-9,
                "t({p}, {df}) = {t}, the table {want}"
            );
        }
        // The 97.5% quantile falls with the degrees of freedom towards the normal's.
        let qs: Vec<f64> = (1..400).map(|df| student_t_inv(0.975, df)).collect();
        assert!(qs.windows(2).all(|w| w[1] < w[0]), "not decreasing");
        assert!(qs[398] > 1.959_963_984_540_054);
    }

    #[test]
    fn the_central_words_are_those_of_the_central_uniforms() {
        let (lo, hi) = CENTRAL_WORDS;
        let central = |b: u32| (NORM_INV_LOW..=1.0 - NORM_INV_LOW).contains(&unit_of32(b));
        for b in (lo - 3..lo + 3).chain(hi - 3..hi + 3) {
            assert_eq!((lo..=hi).contains(&b), central(b), "word {b}");
        }
        assert!(central(lo) && !central(lo - 1) && central(hi) && !central(hi + 1));
    }

    #[test]
    fn every_instruction_set_gives_the_same_normals() {
        // Words over the whole range, the tails' edges and the extremes.
        let edge = (NORM_INV_LOW * (1u64 << 32) as f64) as u32;
        let mut bits: Vec<u32> = (0..4_099u64).map(|i| (i * 1_048_573) as u32).collect();
        bits.extend(edge - 3..edge + 3);
        bits.extend(u32::MAX - edge - 3..u32::MAX - edge + 3);
        bits.extend([0, 1, u32::MAX - 1, u32::MAX]);
        let want: Vec<u64> = bits
            .iter()
            .map(|&b| norm_inv((b as f64 + 0.5) * (1.0 / (1u64 << 32) as f64)).to_bits())
            .collect();
        let bits_of = |f: &dyn Fn(&[u32], &mut [f64])| {
            let mut out = vec![0.0; bits.len()];
            f(&bits, &mut out);
            out.iter().map(|x| x.to_bits()).collect::<Vec<u64>>()
        };
        assert_eq!(bits_of(&norm_inv_of32_any), want, "baseline");
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: checked on the line above.
                assert_eq!(
                    bits_of(&|b, o| unsafe { norm_inv_of32_avx2(b, o) }),
                    want,
                    "AVX2"
                );
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: checked on the line above.
                let got = bits_of(&|b, o| unsafe { norm_inv_of32_avx512(b, o) });
                assert_eq!(got, want, "AVX-512");
            }
        }
    }

    #[test]
    fn beta_quantiles_agree_with_the_table_and_invert_the_cdf() {
        for (a, b) in [(1.0, 1.0), (2.0, 5.0), (8.0, 8.0), (1.5, 7.0)] {
            let t = beta_quantile_table(a, b);
            for k in 1..100 {
                let u = k as f64 / 100.0;
                let (x, y) = (beta_quantile(a, b, u), t.at(u));
                assert!(
                    (x - y).abs() < 2e-4,
                    "Beta({a}, {b}) at {u}: {x} against {y}"
                );
            }
        }
        // Beyond the table: a calibrated posterior's shapes, and a U shape.
        for (a, b) in [
            (19.39, 8.959),
            (681.7, 268.9),
            (0.9614, 0.9587),
            (0.05, 3.0),
        ] {
            let mut last = 0.0;
            for k in 1..100 {
                let u = k as f64 / 100.0;
                let x = beta_quantile(a, b, u);
                assert!(x >= last, "Beta({a}, {b}) not increasing at {u}");
                let c = beta_cdf(a, b, x);
                assert!(
                    (c - u).abs() < 1e-9 * u.max(1e-3),
                    "Beta({a}, {b}) at {u}: {c}"
                );
                last = x;
            }
            // The median of a peaked Beta is near its mean.
            if a > 10.0 {
                let m = beta_quantile(a, b, 0.5);
                assert!((m - a / (a + b)).abs() < 0.01, "{m}");
            }
        }
    }

    #[test]
    fn norm_inv_inverts_cdf() {
        for &p in &[1e-6, 0.01, 0.1, 0.3, 0.5, 0.77, 0.975, 0.999_99] {
            let x = norm_inv(p);
            assert!((norm_cdf(x) - p).abs() < 2e-7 * p.max(1e-3), "p {p} x {x}");
        }
        assert!((norm_inv(0.975) - 1.959_963_985).abs() < 1e-8);
    }

    #[test]
    fn beta_table_matches_the_distribution() {
        let t = beta_quantile_table(2.0, 2.0);
        assert!((t.at(0.5) - 0.5).abs() < 1e-6);
        let x = t.at(0.1);
        assert!((3.0 * x * x - 2.0 * x * x * x - 0.1).abs() < 1e-5, "{x}");
        for &(a, b) in &[
            (2.0, 5.0),
            (1.0, 1.0),
            (1.0 + 4.0 * 0.25, 1.0 + 4.0 * 0.75),
            (8.0, 1.0),
        ] {
            let t = beta_quantile_table(a, b);
            let n = 100_000;
            let xs: Vec<f64> = (0..n).map(|i| t.at((i as f64 + 0.5) / n as f64)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!((mean - m).abs() < 1e-4, "a {a} b {b}: mean {mean} vs {m}");
            assert!(
                (var / v - 1.0).abs() < 0.01,
                "a {a} b {b}: var {var} vs {v}"
            );
        }
    }

    /// Beta draws have the right mean and variance: 20,000 draws, 5 standard errors.
    #[test]
    fn beta_moments() {
        for &(a, b) in &[(2.0, 5.0), (0.5, 0.5), (1.0 + 4.0 * 0.25, 1.0 + 4.0 * 0.75)] {
            let n = 20_000;
            let xs: Vec<f64> = (0..n)
                .map(|i| beta_sample(a, b, i as u64 * 7919 + 1))
                .collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!(
                (mean - m).abs() < 5.0 * (v / n as f64).sqrt(),
                "a {a} b {b}: mean {mean} vs {m}"
            );
            assert!(
                (var / v - 1.0).abs() < 0.05,
                "a {a} b {b}: var {var} vs {v}"
            );
        }
    }

    /// Shapes so small that both Gamma draws underflow: the draw is near 0 or near 1 (each
    /// with chance 1/2 when the shapes are equal), never the mean. P(0.01 < X < 0.99) is about
    /// 2e-6 · ln(99²) here, so 2,000 draws put none there; the share near 1 is within 4
    /// standard errors (4 · 0.0112) of 1/2.
    #[test]
    fn tiny_beta_shapes_give_draws_at_the_ends() {
        let n = 2000;
        let draws: Vec<f64> = (0..n)
            .map(|i| beta_sample(1e-6, 1e-6, i * 7919 + 1))
            .collect();
        assert!(draws.iter().all(|&x| (0.0..=1.0).contains(&x)));
        let middle = draws.iter().filter(|&&x| x > 0.01 && x < 0.99).count();
        assert_eq!(middle, 0, "{middle} draws in the middle");
        let high = draws.iter().filter(|&&x| x >= 0.99).count() as f64 / n as f64;
        assert!(
            (high - 0.5).abs() < 4.0 * (0.25 / n as f64).sqrt(),
            "{high}"
        );
        // Unequal tiny shapes: the mean a / (a + b) is the chance of the upper end.
        let draws: Vec<f64> = (0..n)
            .map(|i| beta_sample(1e-6, 3e-6, i * 7919 + 1))
            .collect();
        let high = draws.iter().filter(|&&x| x >= 0.99).count() as f64 / n as f64;
        assert!(
            (high - 0.25).abs() < 4.0 * (0.1875 / n as f64).sqrt(),
            "{high}"
        );
    }
}
