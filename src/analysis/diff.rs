//! `brink diff`: two saved results of `brink run` compared outcome by outcome. The difference
//! B − A of each outcome's probability gets a 95% interval: paired (the per-run differences,
//! as `brink compare` does) when both results played the same runs of the same seed and kept
//! their per-run tables, independent (Newcombe's hybrid score interval) otherwise.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::summary::Manifest;
use crate::stats::{Interval, Z95, newcombe_diff_interval, paired_diff_interval};

/// One saved result, as read from its folder.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The folder, as given.
    pub dir: String,
    /// Its manifest (summary.json).
    pub manifest: Manifest,
    /// Its outcomes in order: name, label, runs in which it happened.
    pub outcomes: Vec<(String, String, u64)>,
    /// Its per-run table (runs.csv or runs.parquet), if it was written.
    pub per_run: Option<PerRun>,
}

/// The outcome columns of a per-run table.
#[derive(Debug, Clone, Default)]
pub struct PerRun {
    /// The run index of each row.
    pub runs: Vec<u64>,
    /// Each outcome's indicator, row by row, by outcome name.
    pub hits: BTreeMap<String, Vec<bool>>,
}

/// How the intervals were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// From the per-run differences on the same runs (common random numbers).
    Paired,
    /// As two independent samples (Newcombe's hybrid score interval).
    Independent,
}

/// One side of the comparison, for the reader.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The folder.
    pub dir: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file, as given to `brink run`.
    pub scenario_file: String,
    /// Its SHA-256.
    pub scenario_hash: String,
    /// The variant run, if any.
    pub variant: Option<String>,
    /// Numbers replaced by `--set` (after the variant's own): two results of one scenario,
    /// variant and seed differ by these.
    pub set: Vec<crate::scenario::overrides::Setting>,
    /// The master seed.
    pub seed: u64,
    /// The runs.
    pub runs: u64,
    /// Whether it holds every run its command asked for (false: stopped before its end, its
    /// runs kept with `--keep-partial`).
    pub complete: bool,
    /// Why it stopped where it did, when it was not simply the number of runs.
    pub stop_reason: Option<String>,
    /// The version of brink that wrote it.
    pub version: String,
}

/// One outcome in both results.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeDiff {
    /// Its name.
    pub name: String,
    /// Its label (A's, else B's).
    pub label: String,
    /// Its probability in A.
    pub a: f64,
    /// Its probability in B.
    pub b: f64,
    /// B − A, with its 95% interval.
    pub difference: Interval,
}

/// Two results compared.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The first result.
    pub a: Side,
    /// The second result.
    pub b: Side,
    /// Paired or independent intervals.
    pub method: Method,
    /// Why that method, in words.
    pub why: String,
    /// Whether both come from the same scenario file content (same SHA-256).
    pub same_scenario: bool,
    /// Outcomes present in both, in A's order.
    pub outcomes: Vec<OutcomeDiff>,
    /// Outcomes only one result has (not compared).
    pub only_in_a: Vec<String>,
    /// Outcomes only one result has (not compared).
    pub only_in_b: Vec<String>,
}

fn side(s: &Saved) -> Side {
    let m = &s.manifest;
    Side {
        dir: s.dir.clone(),
        scenario: m.scenario.clone(),
        scenario_file: m.scenario_file.clone(),
        scenario_hash: m.scenario_hash.clone(),
        variant: m.variant.clone(),
        set: m.set.clone(),
        seed: m.seed,
        runs: m.runs,
        complete: m.complete,
        stop_reason: m.stop_reason.clone(),
        version: m.version.clone(),
    }
}

/// How the two results' runs pair up, when they do.
enum Pairs {
    /// Row by row, from their per-run tables.
    Tables,
    /// Both are one configuration, complete, and agree on every count: the same runs with the
    /// same outcomes, so no run differs (the tables are not needed to know it).
    Alike,
}

/// Whether the two results are one configuration: the same scenario file content, variant,
/// `--set` numbers, seed, runs and version of brink, both complete. Such results played the
/// same runs, and brink's runs are bit-identical on any machine, so they hold the same
/// outcomes run by run.
fn one_configuration(a: &Saved, b: &Saved) -> bool {
    let (ma, mb) = (&a.manifest, &b.manifest);
    ma.scenario_hash == mb.scenario_hash
        && ma.variant == mb.variant
        && ma.set == mb.set
        && ma.seed == mb.seed
        && ma.runs == mb.runs
        && ma.version == mb.version
        && two_builds(a, b).is_none()
        && ma.complete
        && mb.complete
}

/// The builds that wrote the two results, when both recorded one and they differ: two builds
/// of one version may play the same seed differently.
fn two_builds<'a>(a: &'a Saved, b: &'a Saved) -> Option<(&'a str, &'a str)> {
    let (x, y) = (a.manifest.build.as_deref()?, b.manifest.build.as_deref()?);
    (x != y).then_some((x, y))
}

/// Whether the two results can be paired run by run, and why (not).
fn pairing(a: &Saved, b: &Saved, names: &[&str]) -> Result<Pairs, String> {
    let (ma, mb) = (&a.manifest, &b.manifest);
    if ma.seed != mb.seed {
        return Err(format!(
            "the seeds differ ({} and {}): the runs are independent samples",
            ma.seed, mb.seed
        ));
    }
    if ma.runs != mb.runs {
        return Err(format!(
            "the numbers of runs differ ({} and {})",
            ma.runs, mb.runs
        ));
    }
    let (Some(pa), Some(pb)) = (&a.per_run, &b.per_run) else {
        if one_configuration(a, b) {
            // An outcome's count in a result (128 outcomes at most: a scan is enough).
            let count = |s: &Saved, n: &str| s.outcomes.iter().find(|o| o.0 == n).map(|o| o.2);
            return match names.iter().find(|n| count(a, n) != count(b, n)) {
                None => Ok(Pairs::Alike),
                Some(n) => Err(format!(
                    "both record the same configuration (scenario file, variant, numbers, seed, \
                     runs and version of brink), yet their counts of {} differ ({} and {} \
                     runs): they were not played alike (builds of brink whose arithmetic \
                     differs under one version number, or a file changed since)",
                    crate::text::one_line(n),
                    count(a, n).unwrap_or(0),
                    count(b, n).unwrap_or(0)
                )),
            };
        }
        if let Some((x, y)) = two_builds(a, b) {
            return Err(format!(
                "they were written by two builds of brink ({} and {}), which may play the same \
                 seed differently, and not both have a per-run table (runs.csv or runs.parquet, \
                 from `brink run --per-run`)",
                crate::text::one_line(x),
                crate::text::one_line(y)
            ));
        }
        return Err(
            "not both results have a per-run table (runs.csv or runs.parquet, from `brink run \
             --per-run`)"
                .into(),
        );
    };
    if pa.runs != pb.runs || pa.runs.len() as u64 != ma.runs {
        return Err("their per-run tables do not hold the same run indices".into());
    }
    if let Some(n) = names
        .iter()
        .find(|n| !pa.hits.contains_key(**n) || !pb.hits.contains_key(**n))
    {
        return Err(format!(
            "a per-run table has no column for the outcome {}",
            crate::text::one_line(n)
        ));
    }
    Ok(Pairs::Tables)
}

/// Compares two saved results outcome by outcome (B − A).
pub fn diff(a: &Saved, b: &Saved) -> Diff {
    let in_b: BTreeMap<&str, &(String, String, u64)> =
        b.outcomes.iter().map(|o| (o.0.as_str(), o)).collect();
    let common: Vec<&str> = a
        .outcomes
        .iter()
        .map(|o| o.0.as_str())
        .filter(|n| in_b.contains_key(n))
        .collect();
    let paired = pairing(a, b, &common);
    let (na, nb) = (a.manifest.runs, b.manifest.runs);
    let outcomes = a
        .outcomes
        .iter()
        .filter_map(|(name, label, ka)| {
            let (_, label_b, kb) = in_b.get(name.as_str())?;
            let difference = match (&paired, &a.per_run, &b.per_run) {
                // No run differs: every run concordant, as `compare` reads an arm that
                // changes nothing.
                (Ok(Pairs::Alike), _, _) => paired_diff_interval(*kb, 0, 0, na, Z95),
                (Ok(Pairs::Tables), Some(pa), Some(pb)) => {
                    let (xa, xb) = (&pa.hits[name], &pb.hits[name]);
                    let gained = xa.iter().zip(xb).filter(|(x, y)| !**x && **y).count() as u64;
                    let lost = xa.iter().zip(xb).filter(|(x, y)| **x && !**y).count() as u64;
                    paired_diff_interval(*kb, gained, lost, na, Z95)
                }
                _ => newcombe_diff_interval(*ka, na, *kb, nb, Z95),
            };
            let p = |k: u64, n: u64| if n == 0 { 0.0 } else { k as f64 / n as f64 };
            Some(OutcomeDiff {
                name: name.clone(),
                label: if label.is_empty() {
                    label_b.clone()
                } else {
                    label.clone()
                },
                a: p(*ka, na),
                b: p(*kb, nb),
                difference,
            })
        })
        .collect();
    let (method, why) = match paired {
        Ok(Pairs::Alike) => (
            Method::Paired,
            format!(
                "paired: both are one configuration (the same scenario file, variant, numbers, \
                 seed {}, {} runs and version of brink), so they played the same runs with the \
                 same outcomes and no run differs",
                a.manifest.seed,
                crate::text::grouped(u128::from(na))
            ),
        ),
        Ok(Pairs::Tables) => (
            Method::Paired,
            format!(
                "paired: both played runs 0 to {} of seed {} and kept their per-run tables, so \
                 each run's outcomes are compared with the same run's",
                na.saturating_sub(1),
                a.manifest.seed
            ),
        ),
        // The same seed shares runs 0, 1, … between the two: not independent samples, but
        // without the run-by-run tables they cannot be paired; the intervals made as for
        // independent samples are then wider than a paired one, never narrower.
        Err(why) if a.manifest.seed == b.manifest.seed => (
            Method::Independent,
            format!(
                "unpaired, made as for independent samples: {why}. Both played seed {} (their \
                 first runs are the same runs), so these intervals are wider than paired ones \
                 would be; {} pairs them",
                a.manifest.seed,
                // Only the half of the advice that is missing (both had their tables, and
                // were told to keep them).
                match (a.per_run.is_some() && b.per_run.is_some(), na == nb) {
                    (true, _) => "`brink run` with the same --runs on both",
                    (false, true) => "`brink run --per-run` on both",
                    (false, false) => "`brink run --per-run` with the same --runs on both",
                }
            ),
        ),
        Err(why) => (Method::Independent, format!("independent: {why}")),
    };
    Diff {
        a: side(a),
        b: side(b),
        method,
        why,
        same_scenario: a.manifest.scenario_hash == b.manifest.scenario_hash,
        outcomes,
        only_in_a: a
            .outcomes
            .iter()
            .filter(|o| !in_b.contains_key(o.0.as_str()))
            .map(|o| o.0.clone())
            .collect(),
        only_in_b: b
            .outcomes
            .iter()
            .filter(|o| !common.contains(&o.0.as_str()))
            .map(|o| o.0.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(dir: &str, seed: u64, variant: Option<&str>, hits: &[u64]) -> Saved {
        Saved {
            dir: dir.into(),
            manifest: Manifest {
                tool: "brink".into(),
                version: "1.0.0".into(),
                build: None,
                scenario: "s".into(),
                scenario_file: "s.ron".into(),
                scenario_hash: "ab".into(),
                seed,
                runs: 50,
                variant: variant.map(String::from),
                chunk_runs: 1024,
                complete: true,
                stop_reason: None,
                command: vec![dir.into()],
                set: vec![],
            },
            outcomes: hits
                .iter()
                .enumerate()
                .map(|(i, &k)| (format!("o{i}"), String::new(), k))
                .collect(),
            per_run: None,
        }
    }

    #[test]
    fn one_configuration_pairs_without_its_tables() {
        // Two results of one configuration without per-run tables played the same runs with
        // the same outcomes: paired with no run differing, as `compare` reads an arm that
        // changes nothing (they got Newcombe's independent interval, ±18 points at 50 runs
        // for what could not differ).
        let (a, b) = (saved("a", 3, None, &[19, 0]), saved("b", 3, None, &[19, 0]));
        let d = diff(&a, &b);
        assert_eq!(d.method, Method::Paired, "{}", d.why);
        assert!(d.why.contains("one configuration"), "{}", d.why);
        for (o, k) in d.outcomes.iter().zip([19, 0]) {
            let want = paired_diff_interval(k, 0, 0, 50, Z95);
            assert_eq!(
                (o.difference.low.to_bits(), o.difference.high.to_bits()),
                (want.low.to_bits(), want.high.to_bits())
            );
            // Narrower than the independent interval where the outcome varies over the runs
            // (at 0 of 50 there is no correlation to use: the same width).
            let indep = newcombe_diff_interval(k, 50, k, 50, Z95);
            let (w, wi) = (o.difference.high - o.difference.low, indep.high - indep.low);
            assert!(if k == 0 { w <= wi } else { w < wi / 3.0 }, "{w} vs {wi}");
        }
        // Anything that makes them two configurations leaves them unpaired, as before.
        let mut other = Vec::new();
        other.push(saved("b", 3, Some("v"), &[19, 0]));
        let mut set = saved("b", 3, None, &[19, 0]);
        set.manifest.set = vec![crate::scenario::overrides::Setting {
            path: "x".into(),
            value: "1".into(),
        }];
        other.push(set);
        for edit in [
            |m: &mut Manifest| m.scenario_hash = "cd".into(),
            |m: &mut Manifest| m.version = "1.0.1".into(),
            |m: &mut Manifest| m.complete = false,
        ] {
            let mut s = saved("b", 3, None, &[19, 0]);
            edit(&mut s.manifest);
            other.push(s);
        }
        for b in &other {
            let d = diff(&a, b);
            assert_eq!(d.method, Method::Independent, "{:?}", b.manifest);
            assert!(d.why.starts_with("unpaired"), "{}", d.why);
        }
        // Two builds of one version, both recorded: not one configuration, and said; a result
        // from before builds were recorded is judged by its version alone, as before.
        let (mut x, mut y) = (a.clone(), saved("b", 3, None, &[19, 0]));
        x.manifest.build = Some("0123456789ab".into());
        y.manifest.build = Some("ba9876543210+modified".into());
        let d = diff(&x, &y);
        assert_eq!(d.method, Method::Independent, "{}", d.why);
        assert!(
            d.why
                .contains("two builds of brink (0123456789ab and ba9876543210+modified)"),
            "{}",
            d.why
        );
        y.manifest.build = None;
        assert_eq!(diff(&x, &y).method, Method::Paired);
        // One configuration whose counts differ cannot be what its manifest says: not paired,
        // and the reason names the outcome.
        let d = diff(&a, &saved("b", 3, None, &[19, 1]));
        assert_eq!(d.method, Method::Independent);
        assert!(
            d.why.contains("counts of o1 differ (0 and 1 runs)"),
            "{}",
            d.why
        );
    }
}
