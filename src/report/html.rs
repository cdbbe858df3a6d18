//! `report.html`: one self-contained page (inline SVG charts and CSS, no script, nothing
//! fetched from the network) with the scenario's description, the manifest, every chart, the
//! tables and the assumptions ledger. Every text that comes from the scenario file is escaped:
//! scenario files are untrusted.

use std::fmt::Write;

use super::charts::{Chart, HEIGHT, WIDTH, amount, percent};
use super::describe::ledger;
use crate::analysis::Summary;
use crate::model::Model;
use crate::scenario::param::fmt_num;
use crate::stats::Interval;

/// Escapes a text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1060px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:1.7em;margin:0.2em 0 0.4em}
h2{font-size:1.25em;margin:1.8em 0 0.5em;border-bottom:1px solid #ddd;padding-bottom:0.2em}
p.lead{font-size:1.05em;line-height:1.5;white-space:pre-line}
nav a{margin-right:1em;color:#1f5fa8}
table{border-collapse:collapse;margin:0.5em 0 1em;font-size:0.92em}
th,td{border-bottom:1px solid #e4e4e4;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f2f2f2;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1em 0 2em}
figure svg{width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:0.9em;margin-top:0.3em}
code{font-family:'DejaVu Sans Mono',monospace;font-size:0.9em;word-break:break-all}
.muted{color:#666}
";

/// An SVG chart made inline: the outer tag replaced by one that scales with the page (the
/// namespace is implied in HTML).
fn inline_svg(svg: &str, title: &str) -> String {
    let body = match (svg.find("<svg"), svg.find('>')) {
        (Some(start), Some(end)) if start < end => &svg[end + 1..],
        _ => svg,
    };
    format!(
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">{}",
        escape(title),
        body.trim_start()
    )
}

struct Html {
    o: String,
}

impl Html {
    fn table(&mut self, header: &[&str], numeric: &[bool], rows: &[Vec<String>]) {
        self.o += "<table>\n";
        if header.iter().any(|h| !h.is_empty()) {
            self.o += "<tr>";
            for h in header {
                let _ = write!(self.o, "<th>{}</th>", escape(h));
            }
            self.o += "</tr>\n";
        }
        for r in rows {
            self.o += "<tr>";
            for (i, cell) in r.iter().enumerate() {
                let class = if numeric.get(i).copied().unwrap_or(false) {
                    " class=\"n\""
                } else {
                    ""
                };
                let _ = write!(self.o, "<td{class}>{}</td>", escape(cell));
            }
            self.o += "</tr>\n";
        }
        self.o += "</table>\n";
    }

    fn h2(&mut self, id: &str, title: &str) {
        let _ = writeln!(self.o, "<h2 id=\"{id}\">{}</h2>", escape(title));
    }

    fn p(&mut self, class: &str, text: &str) {
        if class.is_empty() {
            let _ = writeln!(self.o, "<p>{}</p>", escape(text));
        } else {
            let _ = writeln!(self.o, "<p class=\"{class}\">{}</p>", escape(text));
        }
    }
}

fn interval(i: &Interval) -> String {
    format!("{} – {}", percent(i.low), percent(i.high))
}

/// The report page.
pub fn report(model: &Model, s: &Summary, charts: &[Chart]) -> String {
    let sc = &s.scenario;
    let m = &s.manifest;
    let mut h = Html { o: String::new() };
    h.o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h.o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    let _ = writeln!(h.o, "<title>{} — brink report</title>", escape(&sc.name));
    let _ = writeln!(h.o, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(h.o, "<h1>{}</h1>", escape(&sc.name));
    if !sc.description.trim().is_empty() {
        h.p("lead", sc.description.trim());
    }
    let unit_plural = if sc.step_unit.ends_with('s') {
        sc.step_unit.clone()
    } else {
        format!("{}s", sc.step_unit)
    };
    let mut facts = format!(
        "{} runs of {} {}",
        super::charts::group_thousands(m.runs),
        sc.horizon,
        unit_plural
    );
    if let Some(d) = &sc.start_date {
        facts += &format!(" from {d}");
    }
    facts += &format!(
        "; focal pair {} and {}; costs in {}.",
        sc.focal.0, sc.focal.1, sc.cost_unit
    );
    if let Some(v) = &m.variant {
        facts += &format!(" Variant: {v}.");
    }
    if !m.complete {
        facts += " Incomplete: not every requested run is in these results.";
    }
    h.p("", &facts);

    h.o += "<nav>";
    for (id, name) in [
        ("manifest", "Manifest"),
        ("charts", "Charts"),
        ("outcomes", "Outcomes"),
        ("rungs", "Rungs"),
        ("costs", "Costs"),
        ("ledger", "Assumptions"),
    ] {
        let _ = write!(h.o, "<a href=\"#{id}\">{name}</a>");
    }
    h.o += "</nav>\n";

    h.h2("manifest", "Manifest");
    let rows = vec![
        vec!["tool".into(), format!("{} {}", m.tool, m.version)],
        vec!["scenario".into(), m.scenario.clone()],
        vec!["scenario file".into(), m.scenario_file.clone()],
        vec!["scenario file SHA-256".into(), m.scenario_hash.clone()],
        vec!["seed".into(), m.seed.to_string()],
        vec!["runs".into(), m.runs.to_string()],
        vec![
            "variant".into(),
            m.variant.clone().unwrap_or_else(|| "(none)".into()),
        ],
        vec!["runs per chunk".into(), m.chunk_runs.to_string()],
        vec![
            "complete".into(),
            if m.complete { "yes" } else { "no" }.into(),
        ],
        vec!["command".into(), m.command.join(" ")],
    ];
    h.table(&["", ""], &[], &rows);
    h.p(
        "muted",
        "The same scenario file, seed, runs and variant give the same numbers on any machine and any number of threads.",
    );

    h.h2("charts", "Charts");
    if charts.is_empty() {
        h.p("muted", "Charts were not drawn.");
    }
    for c in charts {
        let _ = writeln!(
            h.o,
            "<figure id=\"chart-{}\">\n{}\n<figcaption>{} — also as {}.png and {}.svg</figcaption>\n</figure>",
            c.name,
            inline_svg(&c.svg, &c.title),
            escape(&c.title),
            c.name,
            c.name
        );
    }

    h.h2("outcomes", "Outcomes");
    if s.outcomes.is_empty() {
        h.p("muted", "The scenario names no outcomes.");
    } else {
        let date = |t: f64| {
            let mut x = fmt_num(t);
            if let Some(d) = s.date_of_step(t.max(0.0) as u32) {
                x += &format!(" ({d})");
            }
            x
        };
        let rows: Vec<Vec<String>> = s
            .outcomes
            .iter()
            .map(|o| {
                vec![
                    o.name.clone(),
                    o.label.clone(),
                    percent(o.probability.estimate),
                    interval(&o.probability),
                    o.runs_hit.to_string(),
                    o.first_step_quartiles.map_or("-".into(), |q| date(q[1])),
                    o.first_step_quartiles.map_or("-".into(), |q| {
                        format!("{} – {}", fmt_num(q[0]), fmt_num(q[2]))
                    }),
                ]
            })
            .collect();
        h.table(
            &[
                "outcome",
                "description",
                "probability",
                "95% interval (Wilson)",
                "runs",
                &format!("median first {}", sc.step_unit),
                "middle half",
            ],
            &[false, false, true, true, true, true, true],
            &rows,
        );
    }

    h.h2("rungs", "Rungs of the escalation ladder");
    let rows: Vec<Vec<String>> = sc
        .rungs
        .iter()
        .enumerate()
        .map(|(r, name)| {
            let from = model
                .rung_thresholds
                .get(r)
                .map_or(String::new(), |&t| fmt_num(t));
            let get = |v: &[Interval]| v.get(r).copied();
            vec![
                name.clone(),
                from,
                get(&s.peak_rung).map_or("-".into(), |i| percent(i.estimate)),
                get(&s.peak_rung).map_or("-".into(), |i| interval(&i)),
                get(&s.final_rung).map_or("-".into(), |i| percent(i.estimate)),
                get(&s.final_rung).map_or("-".into(), |i| interval(&i)),
                s.mean_steps_on_rung
                    .get(r)
                    .map_or("-".into(), |x| format!("{x:.1}")),
            ]
        })
        .collect();
    h.table(
        &[
            "rung",
            "H from",
            "P(highest rung reached)",
            "95% interval",
            "P(rung at the end)",
            "95% interval",
            &format!("mean {unit_plural} on it"),
        ],
        &[false, true, true, true, true, true, true],
        &rows,
    );
    let _ = writeln!(
        h.o,
        "<p class=\"muted\">Dyad index H at its peak: mean {} (95% interval {} – {}); at the end: mean {} ({} – {}).</p>",
        amount(s.peak_index.estimate),
        amount(s.peak_index.low),
        amount(s.peak_index.high),
        amount(s.final_index.estimate),
        amount(s.final_index.low),
        amount(s.final_index.high)
    );

    h.h2("costs", &format!("Costs ({})", sc.cost_unit));
    let rows: Vec<Vec<String>> = s
        .costs
        .iter()
        .filter(|c| c.max > 0.0)
        .map(|c| {
            // Quantiles come from log-scale bins (about 5% accurate): never above the largest.
            let q = c.q.map(|v| v.clamp(0.0, c.max));
            vec![
                c.actor.clone(),
                amount(c.mean.estimate),
                format!("{} – {}", amount(c.mean.low), amount(c.mean.high)),
                amount(q[0]),
                amount(q[1]),
                amount(q[2]),
                amount(q[3]),
                amount(q[4]),
                amount(c.max),
            ]
        })
        .collect();
    if rows.is_empty() {
        h.p("muted", "No actor bears any cost in any run.");
    } else {
        h.table(
            &[
                "actor",
                "mean",
                "95% interval of the mean",
                "5th pct",
                "25th pct",
                "median",
                "75th pct",
                "95th pct",
                "largest",
            ],
            &[false, true, true, true, true, true, true, true, true],
            &rows,
        );
        h.p(
            "muted",
            "Total cost over the whole run. Actors that bear no cost in any run are left out.",
        );
    }

    if !s.levers.is_empty() {
        h.h2("levers", "Measures: highest level reached");
        let rows: Vec<Vec<String>> = s
            .levers
            .iter()
            .map(|l| {
                let levels = l
                    .levels
                    .iter()
                    .zip(&l.highest_level)
                    .map(|(name, p)| format!("{name} {}", percent(*p)))
                    .collect::<Vec<_>>()
                    .join(" · ");
                vec![
                    l.name.clone(),
                    format!("{} → {}", l.owner, l.target),
                    levels,
                ]
            })
            .collect();
        h.table(
            &[
                "measure",
                "owner → target",
                "share of runs by highest level",
            ],
            &[],
            &rows,
        );
    }

    if !s.events.is_empty() {
        h.h2("events", "Events");
        let rows: Vec<Vec<String>> = s
            .events
            .iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    percent(e.probability.estimate),
                    interval(&e.probability),
                    e.median_first_step.map_or("-".into(), fmt_num),
                ]
            })
            .collect();
        h.table(
            &[
                "event",
                "probability",
                "95% interval",
                &format!("median first {}", sc.step_unit),
            ],
            &[false, true, true, true],
            &rows,
        );
    }

    h.h2("ledger", "Assumptions ledger");
    let rows: Vec<Vec<String>> = ledger(&model.scenario)
        .into_iter()
        .map(|(path, dist, src)| vec![path, dist, src])
        .collect();
    if rows.is_empty() {
        h.p(
            "muted",
            "Every number in the scenario is fixed: nothing is sampled.",
        );
    } else {
        h.p(
            "muted",
            "Every uncertain number in the scenario (with the variant applied): each run draws one value from its distribution.",
        );
        h.table(&["parameter", "distribution", "source"], &[], &rows);
    }
    let _ = writeln!(
        h.o,
        "<p class=\"muted\">Made by {} {}.</p>\n</main>\n</body>\n</html>",
        escape(&m.tool),
        escape(&m.version)
    );
    h.o
}
