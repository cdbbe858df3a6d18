//! What the analyst reads: tables, CSV and JSON files, charts and the HTML report.

pub mod artifact;
pub mod backtest;
pub mod calibrate;
pub mod calibrated;
pub mod charts;
pub mod combined;
pub mod compare;
pub mod crossval;
pub mod csv;
pub mod describe;
pub mod dictionary;
pub mod diff;
pub mod experiment;
pub mod graph;
pub mod history;
pub mod html;
pub mod pages;
pub mod parquet;
pub mod per_run;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod table;
pub mod trace;

pub use artifact::Artifact;

/// Whether a character reorders a line (see [`crate::text::reorders_text`]).
pub use crate::text::reorders_text;

/// A signed number with `digits` decimals, its sign the value's: a difference below zero that
/// rounds to nothing reads "-0.0", one above or at zero "+0.0". (Both read "+0.0" once: an
/// interval −0.4 .. −0.0002, which excludes 0, printed "-0.4 to +0.0", and a loss of a third
/// of a point "+0.0 points".)
///
/// ```
/// use brink::report::signed;
/// assert_eq!(signed(-0.04, 1), "-0.0");
/// assert_eq!(signed(0.04, 1), "+0.0");
/// assert_eq!(signed(0.0, 1), "+0.0");
/// assert_eq!(signed(-0.0, 1), "+0.0");
/// assert_eq!(signed(-0.06, 1), "-0.1");
/// assert_eq!(signed(0.1234, 3), "+0.123");
/// ```
pub fn signed(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        // "NaN", "+inf", "-inf", as before.
        return format!("{v:+.digits$}");
    }
    let s = decimal(v, digits);
    match s.strip_prefix('-') {
        Some(rest) if v >= 0.0 => format!("+{rest}"),
        Some(_) => s,
        None => format!("+{s}"),
    }
}

/// An interval's end, as [`signed`] with `digits` decimals, or with up to four more when it
/// is not zero but rounds to it: an interval that excludes 0 must not read as reaching it (a
/// reviewing helper: a PRCC's interval −0.094 .. −0.000163 printed "-0.094 .. -0.000").
///
/// ```
/// use brink::report::signed_end;
/// assert_eq!(signed_end(-0.000163, 3), "-0.0002");
/// assert_eq!(signed_end(0.0004, 3), "+0.0004");
/// assert_eq!(signed_end(-0.094, 3), "-0.094");
/// assert_eq!(signed_end(0.0, 3), "+0.000");
/// assert_eq!(signed_end(-1e-12, 3), "-0.000");
/// ```
pub fn signed_end(v: f64, digits: usize) -> String {
    if v != 0.0 && v.is_finite() {
        for d in digits..=digits + 4 {
            let s = signed(v, d);
            if s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
                return s;
            }
        }
    }
    signed(v, digits)
}

/// An interval's end in percentage points, as [`signed_points`], or with more decimals
/// (as [`signed_end`]) when it is not zero but rounds to it.
///
/// ```
/// use brink::report::signed_points_end;
/// assert_eq!(signed_points_end(-0.0004), "-0.04");
/// assert_eq!(signed_points_end(-0.0046), "-0.5");
/// assert_eq!(signed_points_end(0.0), "+0.0");
/// assert_eq!(signed_points_end(-1e-9), "-0.0");
/// ```
pub fn signed_points_end(v: f64) -> String {
    let s = signed_points(v);
    let shows = |t: &str| t.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if v != 0.0 && !shows(&s) {
        let more = signed_end(100.0 * v, 2);
        if shows(&more) {
            return more;
        }
    }
    s
}

/// `v` with `digits` decimals, rounded half away from zero from the shortest decimal that
/// reads back as `v` (the number as the CSV tables and JSON files print it): 641 of 2,000
/// runs (0.3205) reads 0.321 and 59 of 2,000 (0.0295) 0.030, as a reader of the table rounds
/// them by hand. (Rounding the binary value itself, as `format!("{:.3}")` does, decided such
/// ties by the float's representation error: 0.3205 up, 0.0295 and 0.6795 down.)
///
/// ```
/// use brink::report::decimal;
/// assert_eq!(decimal(0.3205, 3), "0.321");
/// assert_eq!(decimal(0.0295, 3), "0.030");
/// assert_eq!(decimal(67.95, 1), "68.0");
/// assert_eq!(decimal(-0.0295, 3), "-0.030");
/// assert_eq!(decimal(0.9995, 3), "1.000");
/// assert_eq!(decimal(2.0, 1), "2.0");
/// ```
pub fn decimal(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return format!("{v:.digits$}");
    }
    // Display prints the shortest decimal that reads back as `v`, never in exponent form.
    let shortest = format!("{}", v.abs());
    let (int, frac) = shortest.split_once('.').unwrap_or((&shortest, ""));
    let mut kept: Vec<u8> = int.bytes().chain(frac.bytes().take(digits)).collect();
    kept.resize(int.len() + digits, b'0');
    if frac.as_bytes().get(digits).is_some_and(|&d| d >= b'5') {
        // Carry the one up through the kept digits ("0.9995" → "1.000").
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let split = kept.len() - digits;
    let (whole, part) = kept.split_at(split);
    let whole = String::from_utf8_lossy(whole);
    let body = if digits == 0 {
        whole.into_owned()
    } else {
        format!("{whole}.{}", String::from_utf8_lossy(part))
    };
    if v.is_sign_negative() {
        format!("-{body}")
    } else {
        body
    }
}

/// A mean number of steps and its 95% interval as text: to one decimal, or to as many more
/// (up to three) as keep the interval's two ends apart. A rung few runs reach had 0.086 steps
/// on it, 0.051 to 0.121: one decimal showed "0.1" and "0.1 – 0.1", an interval of no width.
/// The interval is `-` where there is none.
///
/// ```
/// use brink::report::steps_text;
/// use brink::stats::Interval;
/// let i = Interval { estimate: 0.086, low: 0.051, high: 0.121 };
/// assert_eq!(steps_text(0.086, Some(&i)), ("0.09".to_string(), "0.05 – 0.12".to_string()));
/// let i = Interval { estimate: 13.888, low: 12.48, high: 15.29 };
/// assert_eq!(steps_text(13.888, Some(&i)), ("13.9".to_string(), "12.5 – 15.3".to_string()));
/// assert_eq!(steps_text(1.0, None), ("1.0".to_string(), "-".to_string()));
/// ```
pub fn steps_text(mean: f64, interval: Option<&crate::stats::Interval>) -> (String, String) {
    let decimals = interval
        .filter(|i| i.is_bounded() && i.low < i.high)
        .map_or(1, |i| {
            (1..=3)
                .find(|&d| format!("{:.d$}", i.low) != format!("{:.d$}", i.high))
                .unwrap_or(3)
        });
    (
        format!("{mean:.decimals$}"),
        interval.map_or("-".into(), |i| i.text(|x| format!("{x:.decimals$}"), " – ")),
    )
}

/// A difference of probabilities in percentage points with one decimal, signed as [`signed`]:
/// the digits of the fraction to three decimals, moved two places, so that a table in
/// points and one in fractions round alike (0.3205 reads 0.321 and 32.1, where
/// `signed(100.0 * v, 1)` read 32.0: 100 × 0.3205 is 32.04999… in binary).
///
/// ```
/// use brink::report::signed_points;
/// assert_eq!(signed_points(0.3205), "+32.1");
/// assert_eq!(signed_points(-0.0004), "-0.0");
/// assert_eq!(signed_points(-0.0046), "-0.5");
/// assert_eq!(signed_points(1.0), "+100.0");
/// ```
pub fn signed_points(v: f64) -> String {
    let s = signed(v, 3);
    shift_two_places(&s[1..]).map_or_else(|| signed(100.0 * v, 1), |d| format!("{}{d}", &s[..1]))
}

/// "0.321" → "32.1": a non-negative decimal with three decimals, in hundredths of itself
/// (`None` for anything else, such as "NaN" or "inf").
pub(crate) fn shift_two_places(s: &str) -> Option<String> {
    let (int, frac) = s.split_once('.')?;
    if frac.len() != 3 || !(int.chars().chain(frac.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole = format!("{int}{}", &frac[..2]);
    let whole = whole.trim_start_matches('0');
    Some(format!(
        "{}.{}",
        if whole.is_empty() { "0" } else { whole },
        &frac[2..]
    ))
}
