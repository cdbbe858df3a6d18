//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018) of
//! `brink calibrate`: draw a number from its prior, observe a timeline from one run at that
//! value, calibrate on the timeline, and rank the true value among posterior draws. If the
//! calibration is right, the ranks are uniform over replications.

use std::sync::atomic::AtomicBool;

use super::backtest::compile_case;
use super::calibrate::{Settings, Target, calibrate, targets};
use super::summary::date_of_step;
use crate::error::{Error, Result};
use crate::model::{self, RunState, Silent};
use crate::numerics::rng::Master;
use crate::scenario::Scenario;
use crate::scenario::timeline::{Fact, Observed, Target as What, Timeline};

/// What one replication observes: the rung on each of `rung_steps`, and the step at which
/// `outcome` first held (or that it had not by the horizon).
#[derive(Debug, Clone)]
pub struct Design {
    /// The number calibrated (a path of the scenario).
    pub path: String,
    /// Steps at which the rung is observed.
    pub rung_steps: Vec<u32>,
    /// An outcome whose first step is observed, if any.
    pub outcome: Option<String>,
}

/// The timeline one run of `scenario` produces with the number at `path` set to `value`
/// (run `run` of `seed`).
pub fn observe(
    scenario: &Scenario,
    design: &Design,
    value: f64,
    seed: u64,
    run: u64,
) -> Result<Timeline> {
    let mut m = model::compile(scenario, None)?;
    let p = m
        .param_index(&design.path)
        .ok_or_else(|| Error::Input(format!("no parameter {:?}", design.path)))?;
    let mut steps = design.rung_steps.clone();
    steps.sort_unstable();
    steps.dedup();
    // A step past the horizon has no rung to observe (its snapshot is never taken).
    if let Some(&t) = steps.iter().find(|&&t| t >= m.horizon) {
        return Err(Error::Input(format!(
            "rung step {t} is beyond the scenario's last step, {}",
            m.horizon.saturating_sub(1)
        )));
    }
    m.snapshot_steps = steps.clone();
    let master = Master::new(seed);
    let mut st = RunState::new(&m);
    model::sample_values(&m, &master, run, &mut st.values);
    st.values[p] = value;
    model::simulate_sampled(&m, &master, run, &mut st, &mut Silent);
    let start = scenario.start_date.as_deref();
    let date = |t: u32| {
        date_of_step(start, &scenario.step_unit, t)
            .ok_or_else(|| Error::Input("the scenario needs a start_date and weekly steps".into()))
    };
    let rungs: Vec<String> = scenario.ladder.iter().map(|r| r.name.clone()).collect();
    let mut facts = vec![];
    for (i, &t) in steps.iter().enumerate() {
        facts.push(Fact {
            name: format!("rung_{t}"),
            label: String::new(),
            observed: Observed::RungOn {
                rung: rungs[st.snapshot_rungs[i]].clone(),
                date: date(t)?,
            },
            source: "synthetic".into(),
        });
    }
    if let Some(name) = &design.outcome {
        let o = m
            .outcome_index(name)
            .ok_or_else(|| Error::Input(format!("no outcome {name:?}")))?;
        let first = st.outcome_first[o];
        facts.push(Fact {
            name: format!("first_{name}"),
            label: String::new(),
            observed: if first == u32::MAX {
                Observed::NotBy {
                    what: What::Outcome(name.clone()),
                    date: date(m.horizon - 1)?,
                }
            } else {
                Observed::Happened {
                    what: What::Outcome(name.clone()),
                    date: date(first)?,
                    until: None,
                    tolerance: 0,
                }
            },
            source: "synthetic".into(),
        });
    }
    Ok(Timeline {
        name: "synthetic".into(),
        label: String::new(),
        scenario: String::new(),
        sources: vec![],
        facts,
    })
}

/// One replication: the true value drawn at prior quantile `u`, a timeline observed at it,
/// a calibration, and the rank of the true value among `draws` posterior draws (0 to
/// `draws`). Returns the rank, the true value and the posterior standard deviation.
pub fn replicate(
    scenario: &Scenario,
    design: &Design,
    u: f64,
    settings: &Settings,
    draws: usize,
) -> Result<(usize, f64, f64)> {
    let prior_case = compile_case(scenario, &observe(scenario, design, 0.0, 0, 0)?)?;
    let t: Vec<Target> = targets(
        std::slice::from_ref(&prior_case),
        std::slice::from_ref(&design.path),
    )?;
    let truth = t[0].value_at(u);
    // The observed run must not share run indices with the calibration's (which count up
    // from 0): take one far above them.
    let timeline = observe(scenario, design, truth, settings.seed, 1 << 40)?;
    let case = compile_case(scenario, &timeline)?;
    let c = calibrate(
        std::slice::from_ref(&case),
        &t,
        settings,
        &AtomicBool::new(false),
        |_| {},
    )?;
    // Independent draws from the weighted particles (a stream of their own): the posterior's
    // quantiles at fixed points would make the ranks' end bins half as likely.
    let total: f64 = c.weights.iter().sum();
    let mut s = Master::new(settings.seed).stream(1 << 41, 7);
    let rank = (0..draws)
        .filter(|_| {
            let mut u = s.uniform() * total;
            let mut j = 0;
            while j + 1 < c.weights.len() && u >= c.weights[j] {
                u -= c.weights[j];
                j += 1;
            }
            c.particles[j][0] < truth
        })
        .count();
    Ok((rank, truth, c.params[0].sd))
}

/// The chi-square statistic of counts against equal expected counts.
pub fn chi_square(counts: &[usize]) -> f64 {
    let n: usize = counts.iter().sum();
    let e = n as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - e).powi(2) / e)
        .sum::<f64>()
}
