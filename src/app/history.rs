//! `brink backtest` and `brink calibrate`: scenarios against observed timelines.

use brink::text::ShowPath;
use std::path::{Path, PathBuf};
use std::time::Instant;

use brink::analysis::backtest::{self, Case, ParticleDraws, RunSpec};
use brink::analysis::calibrate::{self, Generation, Settings};
use brink::error::{Error, Result};
use brink::report::calibrated::Takes;
use brink::report::history::{CaseContext, HistoryContext};
use brink::report::html::ReportOptions;
use brink::scenario::overrides::{self, Override};
use brink::scenario::timeline::{
    LoadedTimeline, check_timeline, load_timeline, read_timeline, self_checked,
};
use brink::scenario::{self, LoadOptions, LoadedScenario};

use crate::app::output::Staging;

/// A case as loaded: the scenario, its text (calibrated files are edited from it) and the
/// timeline.
pub struct CaseInput {
    pub loaded: LoadedScenario,
    pub text: String,
    pub timeline: LoadedTimeline,
}

/// The file's code after any comments and RON extension attributes (`#![enable(...)]`).
fn first_code(path: &Path, opts: LoadOptions) -> Result<String> {
    // As `load` reads it: a link to the file is followed (`read_bounded` refused one).
    let bytes = scenario::load::read_bytes(path, opts, true)?;
    let text = String::from_utf8_lossy(&bytes);
    let code = without_comments_and_strings(text.trim_start_matches('\u{feff}'));
    let mut rest = code.as_str();
    loop {
        rest = rest.trim_start();
        match rest.strip_prefix("#![") {
            Some(r) => rest = r.split_once(']').map_or("", |(_, b)| b),
            None => break,
        }
    }
    Ok(rest.to_string())
}

/// Whether a file holds no code at all (empty, blank, or only comments).
pub fn is_blank(path: &Path, opts: LoadOptions) -> Result<bool> {
    Ok(first_code(path, opts)?.is_empty())
}

/// Whether a file holds a timeline (`Timeline(` after any comments) rather than a scenario;
/// a record name nearer `Timeline` than `Scenario` (`Timelin(`) counts as a misspelt timeline,
/// so that its error says what a timeline expects.
pub fn is_timeline(path: &Path, opts: LoadOptions) -> Result<bool> {
    let code = first_code(path, opts)?;
    let rest = code.as_str();
    if rest.starts_with('(') {
        // A record without its name (RON allows it): a timeline if it reads as one, as
        // `calibrate --timelines` reads it; one with an error, if it has the field every
        // timeline has (`facts`) and not the one every scenario has (`actors`), so that its
        // error is a timeline's, not "unknown field `label` in Scenario".
        let code = rest;
        let field = |name: &str| {
            code.match_indices(name).any(|(i, _)| {
                let before = code[..i].chars().next_back();
                let after = code[i + name.len()..].trim_start();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after.starts_with(':')
            })
        };
        return Ok(load_timeline(path, opts).is_ok() || (field("facts") && !field("actors")));
    }
    let name: String = (rest.chars())
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase();
    let distance = overrides::distance;
    let to_timeline = distance(&name, "timeline");
    Ok(rest.starts_with("Timeline")
        || (!name.is_empty() && to_timeline <= 2 && to_timeline < distance(&name, "scenario")))
}

/// RON text with its comments and the contents of its strings blanked, so that a field's name
/// is found only where it is a field (`// the actors: …` or `source: "facts: …"` name none).
fn without_comments_and_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, b)| b);
            out.push('\n');
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = after_block_comment(r);
            out.push(' ');
        } else if let Some(r) = rest.strip_prefix('"') {
            // To the closing quote, past escaped ones (a raw string's quotes count as ends:
            // only the field names outside strings matter).
            let mut end = r.len();
            let mut escaped = false;
            for (i, ch) in r.char_indices() {
                match ch {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = i + 1;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            rest = &r[end..];
            out.push_str("\"\"");
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The text after a block comment whose opening `/*` has been read: RON's block comments
/// nest, so `/* a /* b */ c */` ends after `c */` (the first `*/` left ` c */` to read).
fn after_block_comment(mut rest: &str) -> &str {
    let mut depth = 1;
    while depth > 0 {
        let (open, close) = (rest.find("/*"), rest.find("*/"));
        match (open, close) {
            (Some(o), Some(c)) if o < c => {
                depth += 1;
                rest = &rest[o + 2..];
            }
            (_, Some(c)) => {
                depth -= 1;
                rest = &rest[c + 2..];
            }
            (_, None) => return "",
        }
    }
    rest
}

fn load_scenario(path: &Path, opts: LoadOptions) -> Result<(LoadedScenario, String)> {
    crate::app::output::note_input(path);
    let loaded = scenario::load(path, opts)?;
    let bytes = scenario::load::read_bytes(path, opts, false)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Input(format!("{} changed while it was read", path.shown())))?;
    Ok((loaded, text))
}

fn case_of(
    scenario: Option<&(LoadedScenario, String)>,
    tpath: &Path,
    opts: LoadOptions,
) -> Result<CaseInput> {
    crate::app::output::note_input(tpath);
    let timeline = read_timeline(tpath, opts)?;
    // The timeline's own problems and its problems against the scenario are told together
    // (`check_timeline`); when the scenario cannot be had, its own come first.
    let own_first = |e: Error| -> Error {
        match (self_checked(&timeline), e) {
            (Ok(()), e) => e,
            // Both located: one list, in the order the files are read.
            (Err(mut own), Error::Scenario(theirs)) => {
                own.0.extend(theirs.0);
                Error::Scenario(own)
            }
            // The other error first: the command prints it after "error: ", and each of the
            // timeline's located problems carries its own (before, "error: error: fact …").
            (Err(own), e) => Error::Input(format!("{e}\n\n{own}")),
        }
    };
    // Given on the command line, a scenario whose steps have no dates is named itself, not at
    // the timeline's `scenario:` line, which names a file not used.
    if let Some((l, _)) = scenario {
        let s = &l.scenario;
        let why = match (
            &s.start_date,
            brink::scenario::timeline::days_per_step(&s.step_unit),
        ) {
            (None, _) => Some("has no start_date".to_string()),
            (_, None) => Some(format!("counts its steps in {:?}", s.step_unit)),
            _ => None,
        };
        if let Some(why) = why {
            return Err(own_first(Error::Input(format!(
                "the scenario {} ({:?}) {why}, so the dates of the timeline {} have no step; \
                 expected a scenario with a start_date (\"YYYY-MM-DD\") and a step_unit of \
                 \"week\" or \"day\"",
                l.path.shown(),
                s.name,
                tpath.shown()
            ))));
        }
    }
    let (loaded, text) = match scenario {
        Some((l, t)) => (l.clone(), t.clone()),
        None => {
            let path = timeline.scenario_path();
            // Followed through links, as the scenario is read; a folder or a FIFO has no
            // line to point at either.
            match std::fs::metadata(&path) {
                Err(e) => {
                    return Err(own_first(
                        timeline.scenario_unreadable(&e.to_string()).into(),
                    ));
                }
                Ok(m) if !m.is_file() => {
                    return Err(own_first(
                        timeline.scenario_unreadable("not a plain file").into(),
                    ));
                }
                Ok(_) => {}
            }
            // A plain file that fails when read (`/proc/self/mem`) is the field's mistake too:
            // its error was located at the unreadable file's own first line.
            if let Err(e) = std::fs::File::open(&path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut [0u8; 1]))
            {
                return Err(own_first(
                    timeline.scenario_unreadable(&e.to_string()).into(),
                ));
            }
            if is_timeline(&path, opts).map_err(own_first)? {
                return Err(own_first(timeline.scenario_is_a_timeline().into()));
            }
            load_scenario(&path, opts).map_err(own_first)?
        }
    };
    check_timeline(&timeline, &loaded.scenario)?;
    Ok(CaseInput {
        loaded,
        text,
        timeline,
    })
}

/// The cases of `brink backtest FILES...`: a scenario applies to the timelines after it (until
/// the next scenario); a timeline with no scenario before it tests the scenario it names.
pub fn cases_from_files(files: &[PathBuf], opts: LoadOptions) -> Result<Vec<CaseInput>> {
    let mut cases = vec![];
    let mut current: Option<(LoadedScenario, String)> = None;
    let mut pending_scenario: Option<PathBuf> = None;
    for (k, f) in files.iter().enumerate() {
        // A blank last file stands where a timeline must: its error says a timeline is
        // expected ("expected a scenario" read as if the command wanted another scenario).
        let last_blank = k + 1 == files.len() && is_blank(f, opts)?;
        if last_blank || is_timeline(f, opts)? {
            cases.push(case_of(current.as_ref(), f, opts)?);
            pending_scenario = None;
        } else {
            if let Some(p) = pending_scenario.take() {
                return Err(Error::Input(format!(
                    "{} is a scenario with no timeline after it (the next file, {}, is \
                     another scenario); expected SCENARIO TIMELINE (or timelines, which name \
                     their scenario)",
                    p.shown(),
                    f.shown()
                )));
            }
            current = Some(load_scenario(f, opts)?);
            pending_scenario = Some(f.clone());
        }
    }
    if let Some(f) = pending_scenario {
        return Err(Error::Input(format!(
            "{} is a scenario with no timeline after it; expected SCENARIO TIMELINE (or \
             timelines, which name their scenario)",
            f.shown()
        )));
    }
    check_cases(&cases)?;
    Ok(cases)
}

/// The cases of `brink calibrate SCENARIO... --timelines T,...`: the i-th scenario with the
/// i-th timeline, or, with no scenarios, each timeline's own.
pub fn cases_from_lists(
    scenarios: &[PathBuf],
    timelines: &[PathBuf],
    opts: LoadOptions,
) -> Result<Vec<CaseInput>> {
    if !scenarios.is_empty() && scenarios.len() != timelines.len() {
        return Err(Error::Input(format!(
            "{} scenarios for {} timelines; expected one scenario per timeline, in the same \
             order, or none (each timeline names its scenario)",
            scenarios.len(),
            timelines.len()
        )));
    }
    let mut cases = vec![];
    for (i, t) in timelines.iter().enumerate() {
        let s = match scenarios.get(i) {
            Some(p) => Some(load_scenario(p, opts)?),
            None => None,
        };
        cases.push(case_of(s.as_ref(), t, opts)?);
    }
    check_cases(&cases)?;
    Ok(cases)
}

fn check_cases(cases: &[CaseInput]) -> Result<()> {
    if cases.is_empty() {
        return Err(Error::Input(
            "no timeline given; expected SCENARIO TIMELINE or timeline files".into(),
        ));
    }
    for (i, c) in cases.iter().enumerate() {
        let name = &c.timeline.timeline.name;
        // A case's charts are files named after it: names that differ only in case would be
        // one file where names are case-insensitive (macOS, Windows).
        if let Some(d) = cases[..i]
            .iter()
            .find(|d| d.timeline.timeline.name.eq_ignore_ascii_case(name))
        {
            let other = &d.timeline.timeline.name;
            return Err(Error::Input(if other == name {
                format!("two timelines are named {name:?}; each case needs its own name")
            } else {
                format!(
                    "two timelines are named {other:?} and {name:?}, which differ only in case \
                     (their charts' files would be one where file names ignore case); each \
                     case needs its own name"
                )
            }));
        }
    }
    Ok(())
}

/// What the pages show of the cases besides their results: each scenario and timeline with
/// its file and SHA-256, the command, and `--report-title` with the date.
fn context<'a>(
    inputs: &'a [CaseInput],
    command: &[String],
    options: &ReportOptions,
) -> HistoryContext<'a> {
    HistoryContext {
        cases: inputs
            .iter()
            .map(|c| CaseContext {
                scenario: &c.loaded.scenario,
                timeline: &c.timeline.timeline,
                scenario_file: c.loaded.path.display().to_string(),
                scenario_hash: c.loaded.hash.clone(),
                timeline_file: c.timeline.path.display().to_string(),
                timeline_hash: c.timeline.hash.clone(),
            })
            .collect(),
        command: command.to_vec(),
        options: options.clone(),
        set: inputs
            .first()
            .map(|c| c.loaded.overrides.iter().map(Into::into).collect())
            .unwrap_or_default(),
    }
}

/// The cases' names, in the order given: what their default output folder is named after.
fn case_names(inputs: &[CaseInput]) -> Vec<&str> {
    inputs
        .iter()
        .map(|c| c.timeline.timeline.name.as_str())
        .collect()
}

/// The cases with the `--set` overrides applied to each case's scenario (checked there; an
/// error names the case).
fn with_overrides(inputs: Vec<CaseInput>, set: &[Override]) -> Result<Vec<CaseInput>> {
    inputs
        .into_iter()
        .map(|mut c| {
            c.loaded = overrides::apply(&c.loaded, set, &[None]).map_err(|e| {
                Error::Input(format!(
                    "case {:?} (scenario {}): {e}",
                    c.timeline.timeline.name,
                    c.loaded.path.shown()
                ))
            })?;
            Ok(c)
        })
        .collect()
}

/// Compiles every case.
pub fn compile(cases: &[CaseInput]) -> Result<Vec<Case>> {
    cases
        .iter()
        .map(|c| backtest::compile_case(&c.loaded.scenario, &c.timeline.timeline))
        .collect()
}

/// Prints a generation's figures on stderr.
pub fn progress_line(prefix: &str, g: &Generation, started: Instant) {
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let tol = if g.tolerance.is_finite() {
        format!("{:.4}", g.tolerance)
    } else {
        "∞ (prior)".into()
    };
    let acc = g
        .acceptance
        .map_or(String::new(), |a| format!(", acceptance {:.0}%", 100.0 * a));
    tell!(
        "{prefix}generation {:>2}: tolerance {tol}, ESS {:.0}{acc}{}, {} simulations ({:.0}/s)",
        g.index,
        g.ess,
        if g.resampled { ", resampled" } else { "" },
        g.simulations,
        g.simulations as f64 / secs
    );
}

/// What `brink backtest` was asked.
pub struct BacktestRequest {
    pub files: Vec<PathBuf>,
    pub runs: u64,
    pub seed: u64,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub charts: bool,
    pub cross_validate: bool,
    pub params: Vec<String>,
    pub settings: Settings,
    pub command: Vec<String>,
    pub opts: LoadOptions,
    /// `--report-title` and the analysis date, for report.html.
    pub report: ReportOptions,
    /// `--set` overrides, applied to every case's scenario.
    pub set: Vec<Override>,
}

/// Runs `brink backtest`; returns the text to print and the folder written.
pub fn backtest_command(req: BacktestRequest) -> Result<(String, PathBuf)> {
    let inputs = with_overrides(cases_from_files(&req.files, req.opts)?, &req.set)?;
    let cases = compile(&inputs)?;
    let ctx = context(&inputs, &req.command, &req.report);
    let spec = RunSpec {
        seed: req.seed,
        runs: req.runs,
        threads: req.threads,
        command: req.command.clone(),
    };
    let stop = crate::app::interrupt::stop_flag();
    if req.cross_validate {
        if req.params.is_empty() {
            return Err(Error::Input(
                "--cross-validate needs --params: the numbers to calibrate".into(),
            ));
        }
        // Every asked number must exist somewhere before any work.
        calibrate::targets(&cases, &req.params)?;
        calibrate::check_cross_validation(&cases, &req.params)?;
        let out = req.out.clone().unwrap_or_else(|| {
            crate::app::run::history_default_out(
                &case_names(&inputs),
                "cross-validation",
                &req.params,
                &req.set,
            )
        });
        let staging = Staging::begin_as(&out, "backtest", "backtest --cross-validate")?;
        let loaded: Vec<LoadedScenario> = inputs.iter().map(|c| c.loaded.clone()).collect();
        // Each fold counts its simulations from 0, so its rate runs on its own clock (on the
        // command's, the second fold's rate was its count over both folds' time).
        let mut started = Instant::now();
        let cv = calibrate::cross_validate(
            &loaded,
            &cases,
            &req.params,
            &req.settings,
            &spec,
            stop,
            |case, g| match g {
                None => started = Instant::now(),
                Some(g) => progress_line(&format!("[leave out {case}] "), g, started),
            },
        )?;
        let mut files =
            brink::report::backtest::files(&cv.calibrated, Some(&cv), &ctx, req.charts)?;
        files.extend(brink::report::crossval::files(&cv)?);
        staging.write_all(&files)?;
        let dir = staging.commit()?;
        let text = format!(
            "{}\n{}",
            brink::report::crossval::text(&cv),
            brink::report::backtest::text(&cv.calibrated)
        );
        return Ok((text, dir));
    }
    let out = req.out.clone().unwrap_or_else(|| {
        crate::app::run::history_default_out(&case_names(&inputs), "backtest", &[], &req.set)
    });
    let staging = Staging::begin(&out, "backtest")?;
    // A case of many facts over a long horizon may take minutes: a bar on a terminal, as
    // `brink run` draws one.
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let b = indicatif::ProgressBar::new(req.runs.saturating_mul(cases.len() as u64));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs of the cases {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut results = vec![];
    for (input, case) in inputs.iter().zip(&cases) {
        results.push(backtest::backtest_case_telling(
            &input.loaded,
            case,
            &ParticleDraws::default(),
            &spec,
            stop,
            &|runs| {
                if let Some(b) = &bar {
                    b.inc(runs);
                }
            },
        )?);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let b = backtest::combine(results, None);
    staging.write_all(&brink::report::backtest::files(&b, None, &ctx, req.charts)?)?;
    let dir = staging.commit()?;
    // The sentence the report's setup line gives (of several cases, the path as written: one
    // path may name a lever of each case).
    let text = brink::report::backtest::text(&b);
    // A calibrated copy says so under the header, as its report does: its heading alone
    // ("scenario NAME") read as the priors' back-test.
    // Of several cases, the sentence names each case: before the first case's header, not
    // under it.
    let text = if ctx.any_calibrated() {
        format!("{}\n\n{text}", ctx.drawn_words())
    } else {
        text
    };
    Ok((
        crate::app::cli::under_header(text, ctx.set_words().trim_start()),
        dir,
    ))
}

/// What `brink calibrate` was asked.
pub struct CalibrateRequest {
    pub scenarios: Vec<PathBuf>,
    pub timelines: Vec<PathBuf>,
    pub params: Vec<String>,
    pub settings: Settings,
    pub out: Option<PathBuf>,
    pub charts: bool,
    pub command: Vec<String>,
    pub opts: LoadOptions,
    /// Scenarios outside the calibration that take its shared numbers.
    pub apply_to: Vec<PathBuf>,
    /// `--report-title` and the analysis date, for report.html.
    pub report: ReportOptions,
    /// `--set` overrides, applied to every case's scenario.
    pub set: Vec<Override>,
}

/// Runs `brink calibrate`; returns the text to print and the folder written.
pub fn calibrate_command(req: CalibrateRequest) -> Result<(String, PathBuf)> {
    let inputs = with_overrides(
        cases_from_lists(&req.scenarios, &req.timelines, req.opts)?,
        &req.set,
    )?;
    let cases = compile(&inputs)?;
    let targets = calibrate::targets(&cases, &req.params)?;
    for input in &inputs {
        brink::report::calibrated::check_sets(
            &input.text,
            &input.loaded.scenario,
            &input.timeline.timeline.name,
            &req.set,
        )?;
    }
    // Scenarios outside the calibration that take its shared numbers (the flagship): read and
    // checked now, not after the last generation.
    // Each with the range its prior's draws take in the runs (clamped to the model's).
    let shared: Vec<(&str, (f64, f64))> = targets
        .iter()
        .filter(|t| !t.spec.contains(':'))
        .map(|t| {
            let (lo, hi) = t.prior.range();
            (t.path.as_str(), (lo.max(t.range.0), hi.min(t.range.1)))
        })
        .collect();
    let mut apply_to = vec![];
    for path in &req.apply_to {
        let (loaded, text) = load_scenario(path, req.opts)?;
        brink::report::calibrated::check_apply_to(path, &text, &loaded.scenario, &shared)?;
        apply_to.push((path, loaded, text));
    }
    let out = req.out.clone().unwrap_or_else(|| {
        crate::app::run::history_default_out(
            &case_names(&inputs),
            "calibration",
            &req.params,
            &req.set,
        )
    });
    // The handler before the claim, as in `backtest`: a stop between the two would kill the
    // process with the staging folder made (the next command removes it, but no leftover at
    // all is better).
    let stop = crate::app::interrupt::stop_flag();
    let staging = Staging::begin(&out, "calibrate")?;
    let started = Instant::now();
    let c = calibrate::calibrate(&cases, &targets, &req.settings, stop, |g| {
        progress_line("", g, started)
    })?;
    let secs = started.elapsed().as_secs_f64();
    // The command a calibrated number's source gives, as a reader would type it: `brink`, not
    // the path the program was started by (`/tmp/…/release/brink` from a script's build).
    // On one line and without control characters (a scenario's text refuses them): a path
    // holding ESC made the calibrated file fail its own check after every generation.
    // Quoted for a shell, as the report's manifest is: `relations.russia->turkey.initial`
    // pasted unquoted redirected the output to a file.
    // Without `--threads`: the calibrated files are the same bits on any number of threads,
    // and so is the command in their sources (a reviewing helper found the files differing
    // there alone).
    let mut words: Vec<String> = vec!["brink".to_string()];
    let mut rest = req.command.iter().skip(1);
    while let Some(w) = rest.next() {
        if w == "--threads" {
            rest.next();
        } else if !w.starts_with("--threads=") {
            words.push(w.clone());
        }
    }
    let command = brink::text::shell_command(&words);
    let command = brink::text::escape(&command, false).into_owned();
    let mut calibrated = vec![];
    for input in &inputs {
        let name = input
            .loaded
            .path
            .file_name()
            .map_or("scenario.ron".into(), |n| n.to_string_lossy().into_owned());
        let (text, _) = brink::report::calibrated::calibrated_scenario(
            &input.text,
            &input.loaded.scenario,
            &c,
            Takes::Case(&input.timeline.timeline.name),
            &command,
            &req.set,
        )?;
        // The calibrated file must itself be a valid scenario.
        scenario::load::parse_text(Path::new(&name), &text)?;
        calibrated.push((
            format!("calibrated-{}", crate::app::run::sanitize(&name)),
            text,
        ));
    }
    let mut applied = vec![];
    for (path, loaded, text) in &apply_to {
        let (new, replaced) = brink::report::calibrated::calibrated_scenario(
            text,
            &loaded.scenario,
            &c,
            Takes::Shared,
            &command,
            &[],
        )?;
        let name = path
            .file_name()
            .map_or("scenario.ron".into(), |n| n.to_string_lossy().into_owned());
        scenario::load::parse_text(Path::new(&name), &new)?;
        let lacks = (c.params.iter())
            .filter(|p| !p.spec.contains(':') && !replaced.contains(&p.path))
            .map(|p| p.path.clone())
            .collect();
        applied.push(brink::report::calibrate::Applied {
            file: path.shown().to_string(),
            written: String::new(),
            took: replaced,
            lacks,
        });
        calibrated.push((
            format!("calibrated-{}", crate::app::run::sanitize(&name)),
            new,
        ));
    }
    // Each file given with --apply-to is told with the name it is written under.
    let written = brink::report::calibrate::written_names(&calibrated)?;
    let first_applied = calibrated.len() - applied.len();
    for (a, name) in applied.iter_mut().zip(&written[first_applied..]) {
        a.written = name.clone();
    }
    let ctx = context(&inputs, &req.command, &req.report);
    staging.write_all(&brink::report::calibrate::files_applied(
        &c,
        &calibrated,
        &applied,
        &ctx,
        req.charts,
    )?)?;
    let dir = staging.commit()?;
    // A file at the size limit grows by its posterior and its note: valid, but refused by a
    // command reading it without the limit raised.
    for (name, text) in &calibrated {
        if text.len() as u64 > scenario::limits::MAX_FILE_BYTES {
            tell!(
                "note: {} is {} bytes, more than the default limit of {} bytes for a \
                 scenario file: read it with --max-file-size {}",
                crate::app::terminal::path(&dir.join(name)),
                text.len(),
                scenario::limits::MAX_FILE_BYTES,
                text.len()
            );
        }
    }
    let text = format!(
        "{}{}\n{} simulations in {:.1} s ({:.0} simulations/s on {} thread{})\n",
        brink::report::calibrate::text(&c),
        applied
            .iter()
            .map(|a| format!("{}\n", a.words()))
            .collect::<String>(),
        c.simulations,
        secs,
        c.simulations as f64 / secs.max(1e-9),
        req.settings.threads,
        if req.settings.threads == 1 { "" } else { "s" }
    );
    Ok((text, dir))
}
