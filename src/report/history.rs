//! What the pages of `brink backtest` and `brink calibrate` need beyond their results: each
//! case's scenario and timeline (labels, assumptions ledger, sources) and the files they came
//! from, with the command and the page's title and date. The application builds it from the
//! files it loaded; the analyses themselves keep only names.

use super::html::{LedgerRow, ReportOptions, shown};
use crate::scenario::Scenario;
use crate::scenario::timeline::Timeline;

/// One case as its page shows it: the scenario and the observed timeline, and the files (with
/// their SHA-256) they were read from.
pub struct CaseContext<'a> {
    /// The scenario the case runs.
    pub scenario: &'a Scenario,
    /// The observed timeline; its name is the case's name in the results.
    pub timeline: &'a Timeline,
    /// The scenario file, as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes, in hex.
    pub scenario_hash: String,
    /// The timeline file, as given.
    pub timeline_file: String,
    /// SHA-256 of the timeline file's bytes, in hex.
    pub timeline_hash: String,
}

impl CaseContext<'_> {
    /// The case's name (the timeline's identifier).
    pub fn name(&self) -> &str {
        &self.timeline.name
    }

    /// The case's label: the timeline's, else its name.
    pub fn label(&self) -> &str {
        shown(&self.timeline.label, &self.timeline.name)
    }
}

/// Everything a back-test's or calibration's page shows besides its results.
pub struct HistoryContext<'a> {
    /// Every case given, in the order given.
    pub cases: Vec<CaseContext<'a>>,
    /// The command line as typed (for the manifest).
    pub command: Vec<String>,
    /// `--report-title` and the analysis date.
    pub options: ReportOptions,
    /// The numbers `--set` replaced in every case's scenario; empty with none.
    pub set: Vec<crate::scenario::overrides::Setting>,
}

/// A case's input files as a result records them: the scenario and the observed timeline,
/// each with the SHA-256 of its bytes, so that a back-test or calibration written without its
/// page still says which facts it scored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaseInputs {
    /// The case (the timeline's name).
    pub case: String,
    /// The scenario file, as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file, in hex.
    pub scenario_sha256: String,
    /// The timeline file, as given.
    pub timeline_file: String,
    /// SHA-256 of the timeline file, in hex.
    pub timeline_sha256: String,
}

/// A result written with the input files it was made from ([`HistoryContext::inputs`]) after
/// its own fields.
#[derive(serde::Serialize)]
pub struct WithInputs<'a, T: serde::Serialize> {
    /// The result.
    #[serde(flatten)]
    pub result: &'a T,
    /// Each case's files.
    pub inputs: Vec<CaseInputs>,
}

impl<'a> HistoryContext<'a> {
    /// Each case's input files with their SHA-256, in the order given.
    pub fn inputs(&self) -> Vec<CaseInputs> {
        self.cases
            .iter()
            .map(|c| CaseInputs {
                case: c.name().to_string(),
                scenario_file: c.scenario_file.clone(),
                scenario_sha256: c.scenario_hash.clone(),
                timeline_file: c.timeline_file.clone(),
                timeline_sha256: c.timeline_hash.clone(),
            })
            .collect()
    }

    /// The case named `name`, if it was given.
    pub fn case(&self, name: &str) -> Option<&CaseContext<'a>> {
        self.cases.iter().find(|c| c.name() == name)
    }

    /// A case's label by its name (the name itself for a case not given).
    pub fn label<'b>(&'b self, name: &'b str) -> &'b str {
        self.case(name).map_or(name, |c| c.label())
    }

    /// Every case's assumptions ledger, each row's parameter prefixed with its case's label;
    /// a scenario used by several cases is listed once per case (each case is its own run).
    pub(crate) fn ledger(&self) -> Vec<LedgerRow> {
        self.cases
            .iter()
            .flat_map(|c| {
                LedgerRow::all(c.scenario).into_iter().map(|mut row| {
                    row.parameter = format!("{} › {}", c.label(), row.parameter);
                    row
                })
            })
            .collect()
    }

    /// The bibliography: every scenario's `sources` and every timeline's, in the order of the
    /// cases (scenario first), each text once.
    pub fn sources(&self) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for c in &self.cases {
            for s in c.scenario.sources.iter().chain(&c.timeline.sources) {
                let s = s.trim();
                if !s.is_empty() && !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
        }
        out
    }

    /// Where the numbers were drawn from, in words, for a back-test's setup line: of a case
    /// whose scenario is a calibrated copy (`brink calibrate --apply-to`), which numbers a
    /// calibration's posterior replaced; a file of priors alone, its priors. (A calibrated copy
    /// read "Every number was drawn from its prior", so its back-test read as the priors'.)
    pub fn drawn_words(&self) -> String {
        // A number `--set` replaced is told by the set sentence, not as calibrated.
        let calibrated: Vec<(String, Vec<String>)> = (self.cases.iter())
            .map(|c| {
                let paths = calibrated_paths(c.scenario);
                let paths = (paths.into_iter())
                    .filter(|p| !self.set.iter().any(|x| &x.path == p))
                    .collect::<Vec<_>>();
                (c.label().to_string(), paths)
            })
            .filter(|(_, paths)| !paths.is_empty())
            .collect();
        if calibrated.is_empty() {
            return "Every number was drawn from its prior, as the scenario writes it.".into();
        }
        let each: Vec<String> = (calibrated.iter())
            .map(|(case, paths)| {
                let of = if self.cases.len() > 1 {
                    format!(" in {case}")
                } else {
                    String::new()
                };
                format!("{}{of} ({})", count(paths.len()), paths.join(", "))
            })
            .collect();
        let one = calibrated.len() == 1 && calibrated[0].1.len() == 1;
        let others = if self.set.is_empty() {
            "the others are the priors"
        } else {
            "the others are the priors, but for those set on the command line"
        };
        let cases = if self.cases.len() > calibrated.len() {
            " (the other cases' scenarios hold priors alone)"
        } else {
            ""
        };
        format!(
            "Every number was drawn as the scenario writes it: {} {} a calibration's posterior \
             written into the file ({} the calibration); {others}{cases}.",
            each.join("; "),
            if one { "is" } else { "are" },
            if one {
                "its source names"
            } else {
                "each one's source names"
            }
        )
    }

    /// Whether any case's scenario is a calibrated copy (holds numbers a calibration wrote).
    pub fn any_calibrated(&self) -> bool {
        (self.cases.iter()).any(|c| !calibrated_paths(c.scenario).is_empty())
    }

    /// The numbers `--set` replaced, in words, for the setup line (after a space); empty with
    /// none.
    pub fn set_words(&self) -> String {
        // Of several cases, a path may name a lever of each (`levers.ru_ambassador_recall`
        // is Russia's recall from Baku in one case and from Ankara in another): the path as
        // written, not the first case's label (found by a reviewing helper).
        if self.cases.len() > 1 && !self.set.is_empty() {
            let items: Vec<String> = (self.set.iter())
                .map(|x| format!("{} = {}", x.path, x.value))
                .collect();
            return format!(
                " Set on the command line, in every case that has the number: {}.",
                items.join("; ")
            );
        }
        self.cases
            .first()
            .and_then(|c| super::html::set_sentence(c.scenario, &self.set))
            .map(|x| format!(" {x}"))
            .unwrap_or_default()
    }

    /// The manifest's rows of files: each case's scenario and timeline file with its SHA-256
    /// (and the `--set` arguments, when there are any).
    pub(crate) fn file_rows(&self) -> Vec<(String, String)> {
        let mut rows = vec![];
        if !self.set.is_empty() {
            rows.push((
                "set on the command line (every case)".into(),
                crate::scenario::overrides::args(&self.set),
            ));
        }
        for c in &self.cases {
            let who = c.name();
            // Escaped as the command row is: a U+202E in a file's name would show another.
            let file = |f: &str| crate::text::escape(f, false).into_owned();
            rows.push((format!("{who}: scenario file"), file(&c.scenario_file)));
            rows.push((
                format!("{who}: scenario file SHA-256"),
                c.scenario_hash.clone(),
            ));
            rows.push((format!("{who}: timeline file"), file(&c.timeline_file)));
            rows.push((
                format!("{who}: timeline file SHA-256"),
                c.timeline_hash.clone(),
            ));
        }
        rows
    }

    /// The title of the page: the single case's label, or "N cases".
    pub(crate) fn title(&self, count: usize) -> String {
        match self.cases.as_slice() {
            [one] => one.label().to_string(),
            _ => format!("{count} case{}", if count == 1 { "" } else { "s" }),
        }
    }

    /// The line under the title: the cases by label.
    pub(crate) fn subject(&self, names: &[&str]) -> String {
        let labels: Vec<&str> = names.iter().map(|n| self.label(n)).collect();
        format!(
            "Case{} {}",
            if labels.len() == 1 { "" } else { "s" },
            labels.join(" · ")
        )
    }
}

/// The paths of the numbers of a scenario that a calibration wrote into it: those whose source
/// begins as [`super::calibrated::CALIBRATED_BY`].
pub fn calibrated_paths(scenario: &Scenario) -> Vec<String> {
    let mut s = scenario.clone();
    let mut out = vec![];
    crate::scenario::paths::for_each_param(&mut s, &mut |site, p| {
        if p.source()
            .is_some_and(|x| x.starts_with(super::calibrated::CALIBRATED_BY))
        {
            out.push(site.path.clone());
        }
    });
    out
}

/// "one number", "3 numbers".
fn count(n: usize) -> String {
    if n == 1 {
        "one number".into()
    } else {
        format!("{n} numbers")
    }
}
