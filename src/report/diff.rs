//! `brink diff` for the reader (a table with the outcomes' labels) and for machines (JSON).

use crate::analysis::diff::{Diff, Method, Side};
use crate::error::{Error, Result};
use crate::report::charts::fit_chars;
use crate::report::describe::Table;

/// A difference of probabilities in percentage points, signed: "+5.2".
fn points(x: f64) -> String {
    super::signed_points(x)
}

fn side_line(which: &str, s: &Side) -> String {
    let variant = s
        .variant
        .as_deref()
        .map_or(String::new(), |v| format!(", variant {v}"));
    // Folders and files as the file system names them: on one line whatever they hold.
    let one_line = |t: &str| crate::text::escape(t, false).into_owned();
    // Two results of one scenario, seed and runs may differ by their --set alone: said, or
    // the difference reads as chance.
    let variant = if s.set.is_empty() {
        variant
    } else {
        format!(
            "{variant}, {}",
            one_line(&crate::scenario::overrides::args(&s.set))
        )
    };
    // A result stopped before its end holds the first runs of its command: said, so that
    // its figures are not read as the whole command's.
    let stopped = match (s.complete, &s.stop_reason) {
        (true, _) => String::new(),
        (false, Some(why)) => format!(", stopped before its end ({})", one_line(why)),
        (false, None) => ", stopped before its end".to_string(),
    };
    // Another version may play the same seed otherwise: said, so that a difference is not
    // read as the scenario's alone.
    let version = if s.version == env!("CARGO_PKG_VERSION") {
        String::new()
    } else {
        format!(", written by brink {}", one_line(&s.version))
    };
    format!(
        "{which}: {} — {} ({}{variant}), seed {}, {}{stopped}{version}\n",
        one_line(&s.dir),
        one_line(&s.scenario),
        one_line(&s.scenario_file),
        s.seed,
        crate::report::charts::n_runs(s.runs)
    )
}

/// The comparison as text: both results, the method and why, then one row per outcome.
pub fn text(d: &Diff) -> String {
    let mut out = side_line("A", &d.a) + &side_line("B", &d.b);
    if !d.same_scenario {
        out += "The two results come from different scenario files (or different versions of \
                one: their SHA-256 differ); outcomes are matched by name.\n";
    }
    out += &format!("Intervals are {}.\n\n", d.why);
    let mut t = Table::new(&["outcome", "A", "B", "B − A (points)", "95% interval"]);
    for o in &d.outcomes {
        t.row(vec![
            // One line: a label read from a summary.json re-sealed by hand may hold a newline
            // (a scenario's may not), which broke the table.
            fit_chars(&crate::text::escape(&o.label, false), 48),
            crate::report::charts::probability(o.a),
            crate::report::charts::probability(o.b),
            points(o.difference.estimate),
            format!(
                "{} to {}",
                super::signed_points_end(o.difference.low),
                super::signed_points_end(o.difference.high)
            ),
        ]);
    }
    out += &t.render();
    // Many intervals at 95%: some exclude 0 by chance alone (said as a sensitivity says it;
    // a lone one among 17 outcomes read as a finding: an attacking helper).
    let excluding = (d.outcomes.iter())
        .filter(|o| o.difference.low > 0.0 || o.difference.high < 0.0)
        .count();
    if d.outcomes.len() >= 10 && excluding > 0 {
        out += &format!(
            "\n{excluding} of {} intervals exclude 0. Were nothing different, about 1 in 20 \
             would by chance alone: read a lone one with care.\n",
            d.outcomes.len()
        );
    }
    if !d.only_in_a.is_empty() {
        out += &format!("\nonly in A (not compared): {}\n", d.only_in_a.join(", "));
    }
    if !d.only_in_b.is_empty() {
        out += &format!("\nonly in B (not compared): {}\n", d.only_in_b.join(", "));
    }
    if d.method == Method::Independent {
        out +=
            "\n(For paired intervals, run both with the same --seed and --runs and --per-run.)\n";
    }
    out
}

/// The comparison as JSON.
pub fn json(d: &Diff) -> Result<String> {
    serde_json::to_string_pretty(d).map_err(|e| Error::encode("diff JSON", e))
}
