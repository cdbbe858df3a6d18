//! `brink calibrate`: the scenario numbers that the observed timelines inform, estimated by
//! approximate Bayesian computation with sequential Monte Carlo (ABC-SMC).
//!
//! The variant is the adaptive ABC-SMC of Del Moral, Doucet & Jasra (2012): a fixed population
//! of particles, each carrying M simulated pseudo-timelines; the tolerance ε falls from
//! generation to generation by as much as keeps the effective sample size at a set fraction of
//! the last one; particles are resampled when it falls below half the population and moved by
//! one Metropolis–Hastings step whose likelihood is the share of a particle's M pseudo-timelines
//! within ε. It is chosen over Beaumont et al. (2009)'s population Monte Carlo because its
//! cost per generation is bounded in advance (at most particles × M × cases runs: only the
//! particles alive, of weight above 0, are moved; never "until N are accepted"): the work of a
//! generation is known in advance, parallel over particles, and the same bits come
//! out on any number of threads. The tolerance is adaptive, so no schedule is tuned by hand.
//!
//! Every number is sampled on its prior's quantile scale: a particle holds u in (0, 1) per
//! number and the number is the prior's quantile at u, so every prior is uniform there and the
//! Metropolis–Hastings ratio is the ratio of the likelihood shares alone (proposals are
//! reflected at 0 and 1, which keeps them symmetric).
//!
//! The distance between a run and a timeline is the mean over the facts of all cases of each
//! fact's distance (0 when it holds, up to 1; see
//! [`super::backtest::CompiledFact::distance`]).

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::backtest::{Case, run_distance};
use crate::error::{Error, Result};
use crate::model::{self, RunState};
use crate::numerics::dist::{beta_quantile, beta_uses_table, norm_inv};
use crate::numerics::rng::Master;
use crate::scenario::param::{Dist, Param, beta_shape};

/// One number to calibrate, with where it sits in each case that has it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The path as asked (`shared.fatigue.value`, or `CASE:PATH` for one case only).
    pub spec: String,
    /// The parameter path.
    pub path: String,
    /// `(case, parameter index in the case's model)` for each case it applies to.
    pub uses: Vec<(usize, usize)>,
    /// Its prior (from the first case that has it).
    pub prior: Param,
    /// Its valid range in the model (values are clamped to it, as runs clamp their draws).
    pub range: (f64, f64),
}

impl Target {
    /// Whether more than one case shares it.
    pub fn shared(&self) -> bool {
        self.uses.len() > 1
    }

    /// The number at prior quantile `u`.
    pub fn value_at(&self, u: f64) -> f64 {
        prior_quantile(&self.prior, u)
            .unwrap_or(f64::NAN)
            .clamp(self.range.0, self.range.1)
    }
}

/// The narrowest Beta shape a prior may have.
pub const MIN_PRIOR_SHAPE: f64 = 0.01;
/// The widest Beta shape a prior may have: the continued fraction behind the quantile takes
/// about √shape terms, and a shape of 10^6 is a prior whose sd is a thousandth of its range,
/// already no more than a number.
pub const MAX_PRIOR_SHAPE: f64 = 1e6;

/// The prior's quantile at `u`, for distributions whose quantile is a function of `u` alone.
pub fn prior_quantile(p: &Param, u: f64) -> Option<f64> {
    match p {
        Param::Value(_) => None,
        Param::Dist(d) => match d {
            Dist::Fixed { .. } | Dist::Shared(_) => None,
            Dist::Normal { .. } | Dist::LogNormal { .. } => Some(d.sample(u, 0)),
            _ => match beta_shape(d) {
                // Beyond the sampling table (a posterior `calibrate` fitted may have shapes
                // above 8, or a little below 1): the quantile by bisection of the CDF. Within
                // it, the table, as every calibration before.
                Some((a, b, lo, hi)) if !beta_uses_table(a, b) => {
                    let shapes = MIN_PRIOR_SHAPE..=MAX_PRIOR_SHAPE;
                    (shapes.contains(&a) && shapes.contains(&b))
                        .then(|| lo + (hi - lo) * beta_quantile(a, b, u))
                }
                _ => Some(d.sample(u, 0)),
            },
        },
    }
}

/// Finds the numbers `specs` names in the cases: `PATH` applies to every case that has the
/// path (shared when several do), `CASE:PATH` to that case only.
pub fn targets(cases: &[Case], specs: &[String]) -> Result<Vec<Target>> {
    let mut out: Vec<Target> = vec![];
    for spec in specs {
        let (only, path) = match spec.split_once(':') {
            Some((c, p)) => (Some(c.trim()), p.trim()),
            None => (None, spec.trim()),
        };
        // As read, without the spaces around its parts (`--params 'a, b'`): the spec names
        // posterior.csv's columns and the calibrated files' sources.
        let spec = &match only {
            Some(c) => format!("{c}:{path}"),
            None => path.to_string(),
        };
        if let Some(c) = only
            && !cases.iter().any(|k| k.name == c)
        {
            return Err(Error::Input(format!(
                "--params {spec}: no case is named {c:?}; the cases are {}",
                cases
                    .iter()
                    .map(|k| k.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut uses = vec![];
        for (ci, case) in cases.iter().enumerate() {
            if only.is_some_and(|c| c != case.name) {
                continue;
            }
            if let Some(p) = case.model.param_index(path) {
                uses.push((ci, p));
            }
        }
        let Some(&(c0, p0)) = uses.first() else {
            return Err(Error::Input(format!(
                "--params {spec}: no case has the parameter {path:?}; `brink describe --paths \
                 SCENARIO` lists every path"
            )));
        };
        let m = &cases[c0].model;
        let prior = m.params[p0].clone();
        if let Param::Dist(Dist::Shared(name)) = &prior {
            return Err(Error::Input(format!(
                "--params {spec}: this number is the shared number {name:?}; calibrate \
                 shared.{name}.value instead"
            )));
        }
        // A number shared by several cases is one number: the same prior everywhere, number
        // for number (two priors that print alike to four decimals were taken for one), and
        // checked first, so that a case whose number is plain is named whatever the order
        // of the timelines.
        for &(c, p) in &uses[1..] {
            let m = &cases[c].model;
            if !m.params[p].same_numbers(&prior)
                || m.param_ranges[p] != cases[c0].model.param_ranges[p0]
            {
                let (mut a, mut b) = (prior.describe(), m.params[p].describe());
                if a == b {
                    (a, b) = (prior.describe_exact(), m.params[p].describe_exact());
                }
                return Err(Error::Input(format!(
                    "--params {spec}: case {} gives it the prior {a} but case {} gives {b}; a \
                     number shared by several cases needs one prior (or name one case: \
                     CASE:PATH)",
                    cases[c0].name, cases[c].name,
                )));
            }
        }
        if prior_quantile(&prior, 0.5).is_none() {
            return Err(Error::Input(format!(
                "--params {spec}: its prior {} is not a distribution brink can calibrate; \
                 expected an uncertain number (Uniform, Triangular, Pert, Beta, Normal, \
                 LogNormal) with a quantile function (a Beta's shapes from 0.01 to 10^6)",
                prior.describe()
            )));
        }
        // A prior of no width (Uniform(min: x, max: x), a zero sd…) gives every particle the
        // same value: nothing to calibrate, and no calibrated distribution to write. Refused
        // before any run, not after the last generation.
        if prior_quantile(&prior, 0.001) == prior_quantile(&prior, 0.999) {
            return Err(Error::Input(format!(
                "--params {spec}: its prior {} has no width (every draw is the same number); \
                 expected an uncertain number whose range is wider than a point, or leave it \
                 out of --params",
                prior.describe()
            )));
        }
        if let Some(t) = out.iter().find(|t| t.uses.iter().any(|u| uses.contains(u))) {
            return Err(Error::Input(format!(
                "--params names {} and {spec}, which set the same number of one case; name \
                 each number of a case once",
                t.spec
            )));
        }
        out.push(Target {
            spec: spec.clone(),
            path: path.to_string(),
            uses,
            prior,
            range: m.param_ranges[p0],
        });
    }
    if out.is_empty() {
        return Err(Error::Input("--params names no parameter".into()));
    }
    Ok(out)
}

/// Fewer distinct particles of weight above 0 than this in the final population, and the
/// posterior's spread is understated: a handful of particles (20 particles left 3) gave a
/// posterior sd a sixth of that of 1,000 particles on the same cases.
pub const FEW_DISTINCT_PARTICLES: usize = 50;

impl Calibration {
    /// Distinct particles (by their numbers) of weight above 0 in the final population: what
    /// the posterior rests on, resampling having copied some many times.
    pub fn distinct_particles(&self) -> usize {
        let mut seen: Vec<Vec<u64>> = self
            .particles
            .iter()
            .zip(&self.weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(p, _)| p.iter().map(|x| x.to_bits()).collect())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    /// A warning when the posterior rests on few distinct particles
    /// ([`FEW_DISTINCT_PARTICLES`]), else none.
    pub fn few_particles_warning(&self) -> Option<String> {
        let k = self.distinct_particles();
        (k < FEW_DISTINCT_PARTICLES).then(|| {
            format!(
                "The posterior rests on {k} distinct particle{} (of {}): its spread is \
                 understated and its tails are not to be read. Run again with more --particles \
                 (hundreds at least).",
                if k == 1 { "" } else { "s" },
                self.settings.particles
            )
        })
    }
}

/// Settings of a calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Particles in the population.
    pub particles: usize,
    /// Pseudo-timelines simulated per particle (each one run of every case).
    pub sims: usize,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (the results are the same for any number). Not written: calibration.json
    /// is the same bytes on any machine (it held the core count by default).
    #[serde(skip_serializing, default = "available_threads")]
    pub threads: usize,
    /// Most generations.
    pub max_generations: usize,
    /// Stop once a generation's Metropolis–Hastings acceptance falls below this share.
    pub min_acceptance: f64,
    /// Share of the effective sample size each new tolerance keeps (Del Moral et al.: 0.9).
    pub ess_keep: f64,
    /// Stop once the tolerance is at or below this distance.
    pub target_tolerance: f64,
}

/// Every core the machine has.
fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            particles: 1000,
            sims: 4,
            seed: 0,
            threads: available_threads(),
            max_generations: 40,
            min_acceptance: 0.03,
            ess_keep: 0.9,
            target_tolerance: 0.0,
        }
    }
}

/// One generation's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Its number (0: the prior).
    pub index: usize,
    /// The tolerance ε (mean distance per fact).
    pub tolerance: f64,
    /// Effective sample size of the weights the generation's tolerance left, before any
    /// resampling (which makes them equal: ESS = N).
    pub ess: f64,
    /// Share of moves accepted (none in generation 0).
    pub acceptance: Option<f64>,
    /// Whether the population was resampled.
    pub resampled: bool,
    /// Simulated runs so far (all cases).
    pub simulations: u64,
}

/// A calibrated number's prior and posterior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSummary {
    /// The path as asked.
    pub spec: String,
    /// The parameter path.
    pub path: String,
    /// The cases it applies to.
    pub cases: Vec<String>,
    /// Whether several cases share it.
    pub shared: bool,
    /// The prior, as the scenario writes it.
    pub prior: String,
    /// Prior mean and standard deviation.
    pub prior_mean: f64,
    /// Prior standard deviation.
    pub prior_sd: f64,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Posterior 5%, 50% and 95% quantiles.
    pub q05: f64,
    /// Posterior median.
    pub q50: f64,
    /// Posterior 95% quantile.
    pub q95: f64,
    /// The prior's quantiles at (i + ½)/200, i = 0..200 (for drawing its density).
    pub prior_grid: Vec<f64>,
}

/// What a calibration produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The settings it ran with.
    pub settings: Settings,
    /// The cases, in order.
    pub cases: Vec<String>,
    /// Facts over all cases.
    pub facts: usize,
    /// Each generation.
    pub generations: Vec<Generation>,
    /// Why it stopped.
    pub stop_reason: String,
    /// The numbers, in the order asked.
    pub params: Vec<ParamSummary>,
    /// The final particles' values (one row per particle, one column per number).
    pub particles: Vec<Vec<f64>>,
    /// Their weights (summing to 1).
    pub weights: Vec<f64>,
    /// Simulated runs in all.
    pub simulations: u64,
}

struct Particle {
    u: Vec<f64>,
    /// Distances of its M pseudo-timelines.
    d: Vec<f64>,
}

/// What every simulation of a calibration shares.
struct Sim<'a> {
    cases: &'a [Case],
    targets: &'a [Target],
    master: &'a Master,
    sims: usize,
    total_facts: f64,
}

/// The error of a calibration stopped by the stop flag (nothing is written).
fn interrupted() -> Error {
    Error::Interrupted("stopped before the calibration finished; nothing was written".into())
}

/// Distances of M pseudo-timelines at `u`: run indices `(base·M + m)·cases + case`. `None`
/// when `stop` is set before the particle's runs end: each pseudo-timeline checks it first,
/// so a stop waits for at most one pseudo-timeline per thread, not a whole generation.
fn simulate_particle(
    sim: &Sim,
    u: &[f64],
    base: u64,
    states: &mut [RunState],
    stop: &AtomicBool,
) -> Option<Vec<f64>> {
    let Sim {
        cases,
        targets,
        master,
        sims,
        total_facts,
    } = *sim;
    let mut out = Vec::with_capacity(sims);
    let nc = cases.len() as u64;
    for m in 0..sims {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        let r = base * sims as u64 + m as u64;
        let mut d = 0.0;
        for (ci, case) in cases.iter().enumerate() {
            // Each case its own run index: cases share names (an actor "russia", an event
            // "leader_call"), and the same index would give them the same draws, tying cases
            // that are independent given the parameters.
            let r = r * nc + ci as u64;
            let st = &mut states[ci];
            model::sample_values(&case.model, master, r, &mut st.values);
            for (t, &x) in targets.iter().zip(u) {
                if let Some(&(_, p)) = t.uses.iter().find(|(c, _)| *c == ci) {
                    st.values[p] = t.value_at(x);
                }
            }
            d += run_distance(case, master, r, st).0;
        }
        out.push(d / total_facts);
    }
    Some(out)
}

fn ess(w: &[f64]) -> f64 {
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|x| x * x).sum();
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

fn within(d: &[f64], eps: f64) -> usize {
    d.iter().filter(|&&x| x <= eps).count()
}

/// Reflects a number into [0, 1).
fn reflect(mut x: f64) -> f64 {
    // A proposal step is far below 1, so two reflections at most are ever needed.
    for _ in 0..4 {
        if x < 0.0 {
            x = -x;
        } else if x >= 1.0 {
            x = 2.0 - x;
        } else {
            return x;
        }
    }
    x.clamp(0.0, 1.0 - f64::EPSILON)
}

/// The most a calibration's population may hold in memory: its particles' numbers and
/// distances, their proposals and new distances, and the sorted distances a tolerance is chosen
/// from. 1,000,000 particles of 1,000 pseudo-timelines asked for some 27 GB.
pub const POPULATION_BUDGET: u64 = 4 << 30;

/// What a population of `n` particles holds at its largest (bytes): each particle's `dim`
/// numbers three times (its own, its proposal, the moving copy) and its `sims` distances twice
/// (its own and its move's) plus once more sorted as a candidate tolerance, a few `Vec`s' heads
/// and weights.
pub fn population_bytes(n: usize, sims: usize, dim: usize) -> u64 {
    n as u64 * (8 * (3 * dim as u64 + 3 * sims as u64) + 160)
}

/// Component of the calibration's own draws (initial particles, moves, resampling).
const SAMPLER_COMPONENT: u64 = 6;

/// Runs ABC-SMC on the cases. `progress` is told of every generation.
pub fn calibrate(
    cases: &[Case],
    targets: &[Target],
    settings: &Settings,
    stop: &AtomicBool,
    mut progress: impl FnMut(&Generation),
) -> Result<Calibration> {
    let n = settings.particles.max(2);
    let sims = settings.sims.max(1);
    let dim = targets.len();
    let total_facts = cases.iter().map(|c| c.facts.len()).sum::<usize>().max(1) as f64;
    let master = Master::new(settings.seed);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.max(1))
        .build()
        .map_err(|e| Error::Input(format!("cannot start worker threads: {e}")))?;
    let runs_per_particle = (sims * cases.len()) as u64;
    let most_runs = (settings.max_generations as u128 + 1) * n as u128 * runs_per_particle as u128;
    if most_runs > crate::numerics::rng::MAX_RUN_INDEX as u128 {
        return Err(Error::Input(
            "particles × pseudo-timelines × cases × generations is beyond the run indices brink \
             can give; ask for fewer"
                .into(),
        ));
    }
    let need = population_bytes(n, sims, dim);
    if need > POPULATION_BUDGET {
        let most = POPULATION_BUDGET / population_bytes(1, sims, dim);
        return Err(Error::Input(format!(
            "{n} particles of {sims} pseudo-timeline{} and {dim} number{} each would hold about \
             {} MiB in memory, more than brink's budget of {} MiB for a calibration's \
             population: ask for at most {most} particles with {sims} pseudo-timelines, or fewer \
             pseudo-timelines",
            if sims == 1 { "" } else { "s" },
            if dim == 1 { "" } else { "s" },
            need >> 20,
            POPULATION_BUDGET >> 20,
        )));
    }
    let sim = Sim {
        cases,
        targets,
        master: &master,
        sims,
        total_facts,
    };
    let mut simulations = 0u64;
    // Unique run indices: generation g, particle i → g·n + i (then ·M + m inside).
    let base = |g: usize, i: usize| (g * n + i) as u64;
    // The pseudo-timelines of particles `which` (their indices) at `us`, in generation `g`;
    // interrupted when `stop` is set before they are all done. Once it is set, the particles
    // not yet started return at once: the threads end with their pseudo-timeline in progress.
    // Each particle's runs depend on its index alone, so the same bits come out as without the
    // checks when no stop comes.
    let sim_all = |g: usize, which: &[usize], us: &[Vec<f64>]| -> Result<Vec<Vec<f64>>> {
        let ds: Vec<Option<Vec<f64>>> = pool.install(|| {
            us.par_iter()
                .zip(which.par_iter())
                .map_init(
                    || {
                        cases
                            .iter()
                            .map(|c| RunState::new(&c.model))
                            .collect::<Vec<_>>()
                    },
                    |states, (u, &i)| simulate_particle(&sim, u, base(g, i), states, stop),
                )
                .collect()
        });
        ds.into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or_else(interrupted)
    };
    // Generation 0: the prior.
    let us: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut s = master.stream(base(0, i), SAMPLER_COMPONENT);
            (0..dim).map(|_| s.uniform()).collect()
        })
        .collect();
    let ds = sim_all(0, &(0..n).collect::<Vec<_>>(), &us)?;
    simulations += n as u64 * runs_per_particle;
    let mut pop: Vec<Particle> = us
        .into_iter()
        .zip(ds)
        .map(|(u, d)| Particle { u, d })
        .collect();
    let mut w = vec![1.0 / n as f64; n];
    let mut eps = f64::INFINITY;
    let mut gens = vec![Generation {
        index: 0,
        tolerance: eps,
        ess: n as f64,
        acceptance: None,
        resampled: false,
        simulations,
    }];
    progress(&gens[0]);
    let stop_reason;
    let mut g = 0usize;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Err(interrupted());
        }
        if g >= settings.max_generations {
            // Read inside the report's parentheses too: no parentheses of its own.
            stop_reason = format!(
                "it reached its limit of {} generation{}",
                settings.max_generations,
                if settings.max_generations == 1 {
                    ""
                } else {
                    "s"
                }
            );
            break;
        }
        g += 1;
        // The next tolerance: the smallest distance level that keeps ESS ≥ keep·ESS.
        let reweight = |e: f64| -> Vec<f64> {
            pop.iter()
                .zip(&w)
                .map(|(p, &wi)| {
                    let old = if eps.is_finite() {
                        within(&p.d, eps)
                    } else {
                        sims
                    };
                    if old == 0 {
                        0.0
                    } else {
                        wi * within(&p.d, e) as f64 / old as f64
                    }
                })
                .collect()
        };
        let goal = settings.ess_keep * ess(&w);
        let mut levels: Vec<f64> = pop
            .iter()
            .flat_map(|p| p.d.iter().copied())
            .filter(|&x| x < eps)
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        // ESS falls as ε does: the smallest level whose ESS still meets the goal.
        let (mut lo, mut hi) = (0usize, levels.len());
        while lo < hi {
            // Each probe reweighs every particle: with millions of distances the search
            // takes a noticeable moment, and a stop should not wait for it.
            if stop.load(Ordering::SeqCst) {
                return Err(interrupted());
            }
            let mid = (lo + hi) / 2;
            if ess(&reweight(levels[mid])) >= goal {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // Distances are discrete (facts hold or not), so the next level down may cost more
        // ESS than the goal allows: then take that one step (resampling restores the ESS).
        let Some(&next) = levels.get(lo).or(levels.last()) else {
            stop_reason =
                "no pseudo-timeline is closer than the tolerance: it cannot fall further".into();
            break;
        };
        let next = next.max(settings.target_tolerance);
        let mut nw = reweight(next);
        let sum: f64 = nw.iter().sum();
        if sum <= 0.0 {
            stop_reason = "no particle is within the next tolerance".into();
            break;
        }
        for x in &mut nw {
            *x /= sum;
        }
        w = nw;
        eps = next;
        // Resample when the weights degenerate (systematic resampling).
        let mut resampled = false;
        // What the new tolerance left of the sample, reported as the generation's ESS: after
        // a resampling the weights are equal (ESS = N), which hid how degenerate they were.
        let ess_reweighted = ess(&w);
        if ess_reweighted < n as f64 / 2.0 {
            let u0 = master.stream(base(g, 0), SAMPLER_COMPONENT + 1).uniform();
            let mut idx = Vec::with_capacity(n);
            let mut cum = 0.0;
            let mut j = 0usize;
            for (i, &wi) in w.iter().enumerate() {
                cum += wi;
                while j < n && (u0 + j as f64) / n as f64 <= cum {
                    idx.push(i);
                    j += 1;
                }
            }
            // Rounding may leave the last slots unfilled: the last living particle fills them.
            let last_alive = w.iter().rposition(|&x| x > 0.0).unwrap_or(n - 1);
            while idx.len() < n {
                idx.push(last_alive);
            }
            pop = idx
                .iter()
                .map(|&i| Particle {
                    u: pop[i].u.clone(),
                    d: pop[i].d.clone(),
                })
                .collect();
            w = vec![1.0 / n as f64; n];
            resampled = true;
        }
        // Proposal scale: twice the weighted variance on the quantile scale, per number.
        let sd: Vec<f64> = (0..dim)
            .map(|k| {
                let mean: f64 = pop.iter().zip(&w).map(|(p, wi)| wi * p.u[k]).sum();
                let var: f64 = pop
                    .iter()
                    .zip(&w)
                    .map(|(p, wi)| wi * (p.u[k] - mean).powi(2))
                    .sum();
                (2.0 * var).sqrt().clamp(1e-4, 0.5)
            })
            .collect();
        let proposals: Vec<Vec<f64>> = pop
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut s = master.stream(base(g, i), SAMPLER_COMPONENT);
                p.u.iter()
                    .zip(&sd)
                    .map(|(&x, &s_k)| reflect(x + s_k * norm_inv(s.uniform().max(1e-300))))
                    .collect()
            })
            .collect();
        // Only living particles move; the dead would be wasted work (their weight is 0).
        let alive: Vec<usize> = (0..n).filter(|&i| w[i] > 0.0).collect();
        let moving: Vec<Vec<f64>> = alive.iter().map(|&i| proposals[i].clone()).collect();
        let dnew = sim_all(g, &alive, &moving)?;
        simulations += alive.len() as u64 * runs_per_particle;
        let mut accepted = 0usize;
        for ((&i, u), d) in alive.iter().zip(moving).zip(dnew) {
            let old = within(&pop[i].d, eps);
            let new = within(&d, eps);
            let a = master.stream(base(g, i), SAMPLER_COMPONENT + 2).uniform();
            if old == 0 || a * (old as f64) < new as f64 {
                pop[i] = Particle { u, d };
                accepted += 1;
            }
        }
        let acceptance = accepted as f64 / alive.len().max(1) as f64;
        let generation = Generation {
            index: g,
            tolerance: eps,
            ess: ess_reweighted,
            acceptance: Some(acceptance),
            resampled,
            simulations,
        };
        progress(&generation);
        gens.push(generation);
        if eps <= settings.target_tolerance {
            stop_reason = format!("reached the target tolerance {}", settings.target_tolerance);
            break;
        }
        if acceptance < settings.min_acceptance {
            stop_reason = format!(
                "the acceptance fell below {:.0}%",
                100.0 * settings.min_acceptance
            );
            break;
        }
    }
    let particles: Vec<Vec<f64>> = pop
        .iter()
        .map(|p| {
            targets
                .iter()
                .zip(&p.u)
                .map(|(t, &u)| t.value_at(u))
                .collect()
        })
        .collect();
    let params = targets
        .iter()
        .enumerate()
        .map(|(k, t)| summarize(t, cases, &particles, &w, k))
        .collect();
    Ok(Calibration {
        settings: settings.clone(),
        cases: cases.iter().map(|c| c.name.clone()).collect(),
        facts: total_facts as usize,
        generations: gens,
        stop_reason,
        params,
        particles,
        weights: w,
        simulations,
    })
}

fn summarize(
    t: &Target,
    cases: &[Case],
    particles: &[Vec<f64>],
    w: &[f64],
    k: usize,
) -> ParamSummary {
    let xs: Vec<f64> = particles.iter().map(|p| p[k]).collect();
    let (mean, sd) = weighted_mean_sd(&xs, w);
    // The prior's moments from its quantiles on a fine grid.
    let grid: Vec<f64> = (0..2000)
        .map(|i| t.value_at((i as f64 + 0.5) / 2000.0))
        .collect();
    let prior_grid: Vec<f64> = (0..200)
        .map(|i| t.value_at((i as f64 + 0.5) / 200.0))
        .collect();
    let (prior_mean, prior_sd) = weighted_mean_sd(&grid, &vec![1.0 / 2000.0; 2000]);
    ParamSummary {
        spec: t.spec.clone(),
        path: t.path.clone(),
        cases: t.uses.iter().map(|&(c, _)| cases[c].name.clone()).collect(),
        shared: t.shared(),
        prior: t.prior.describe_exact(),
        prior_mean,
        prior_sd,
        mean,
        sd,
        q05: weighted_quantile(&xs, w, 0.05),
        q50: weighted_quantile(&xs, w, 0.5),
        q95: weighted_quantile(&xs, w, 0.95),
        prior_grid,
    }
}

/// Weighted mean and standard deviation.
pub fn weighted_mean_sd(xs: &[f64], w: &[f64]) -> (f64, f64) {
    let s: f64 = w.iter().sum();
    if s <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    // Particles all on one value: that value, with no spread (the weighted mean of equal
    // values may round an ulp away, and printed a collapsed posterior as ± 4.44e-16).
    if let Some(&x0) = xs.first()
        && xs.iter().all(|&x| x == x0)
    {
        return (x0, 0.0);
    }
    let mean = xs.iter().zip(w).map(|(x, wi)| x * wi).sum::<f64>() / s;
    // Deviations of 1e-300 square to nothing (a prior Uniform(0, 1e-300) printed sd ± 0), and
    // of 1e200 to infinity: outside a safe range they are squared scaled by the largest.
    let scale = xs.iter().map(|x| (x - mean).abs()).fold(0.0, f64::max);
    let k = if scale == 0.0 || (1e-150..=1e150).contains(&scale) || !scale.is_finite() {
        1.0
    } else {
        scale
    };
    let var = xs
        .iter()
        .zip(w)
        .map(|(x, wi)| wi * ((x - mean) / k).powi(2))
        .sum::<f64>()
        / s;
    (mean, var.sqrt() * k)
}

/// The weighted quantile: the smallest value whose cumulative weight reaches `q`.
pub fn weighted_quantile(xs: &[f64], w: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(a.cmp(&b)));
    let s: f64 = w.iter().sum();
    let mut cum = 0.0;
    for &i in &idx {
        cum += w[i] / s;
        if cum >= q - 1e-12 {
            return xs[i];
        }
    }
    idx.last().map_or(f64::NAN, |&i| xs[i])
}

/// Equally weighted particles drawn from the weighted population (systematic resampling
/// with a fixed offset), for runs that take one particle each.
pub fn resample_equal(c: &Calibration, count: usize) -> Vec<Vec<f64>> {
    let mut out = Vec::with_capacity(count);
    let mut cum = 0.0;
    let mut j = 0usize;
    for (i, &wi) in c.weights.iter().enumerate() {
        cum += wi;
        while j < count && (0.5 + j as f64) / count as f64 <= cum {
            out.push(c.particles[i].clone());
            j += 1;
        }
    }
    while out.len() < count
        && let Some(p) = c.particles.last()
    {
        out.push(p.clone());
    }
    out
}

/// One fold of a cross-validation: a case scored with the priors and with the posterior of
/// a calibration on the other cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    /// The case left out.
    pub held_out: String,
    /// The cases calibrated on.
    pub trained_on: Vec<String>,
    /// The numbers calibrated that the held-out case has (only these change its runs).
    pub transferred: Vec<String>,
    /// The posterior of the calibration.
    pub params: Vec<ParamSummary>,
    /// Why the calibration stopped, its last tolerance and its simulations.
    pub stop_reason: String,
    /// Last tolerance.
    pub tolerance: f64,
    /// Simulated runs.
    pub simulations: u64,
    /// A warning when the calibration's posterior rests on few distinct particles
    /// ([`Calibration::few_particles_warning`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// The held-out case with its priors.
    pub prior: super::backtest::CaseResult,
    /// The held-out case with the calibrated numbers drawn from the posterior.
    pub calibrated: super::backtest::CaseResult,
}

/// A leave-one-out cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// The parameters asked for.
    pub params: Vec<String>,
    /// Each fold, one per case.
    pub folds: Vec<Fold>,
    /// The held-out cases with the posterior numbers, as one back-test (coverage, PIT).
    pub calibrated: super::backtest::Backtest,
    /// The held-out cases with their priors, as one back-test.
    pub prior: super::backtest::Backtest,
    /// The calibrated numbers' log score less the priors' over every held-out fact (each
    /// fact scored both ways on the same runs), its mean with Student's t 95% interval over
    /// the facts, taken as independent (a case's facts share its runs: read it as a lower
    /// bound on the uncertainty); below 0, calibration helped. None below two facts and in
    /// results written before brink kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_score_difference: Option<crate::stats::Interval>,
}

/// The calibrated log score less the prior's, fact by fact over every fold, with its t
/// interval over the facts (see [`CrossValidation::log_score_difference`]).
fn log_score_difference(folds: &[Fold]) -> Option<crate::stats::Interval> {
    let mut m = crate::stats::Moments::default();
    for f in folds {
        for (c, p) in f.calibrated.facts.iter().zip(&f.prior.facts) {
            m.add(c.log_score - p.log_score);
        }
    }
    let i = m.interval();
    i.is_bounded().then_some(i)
}

/// Refuses a cross-validation that could not carry any calibrated number to a case left
/// out, before any run or output folder: fewer than two cases, or no asked-for number
/// (`PATH`, not a case's own `CASE:PATH`) that two cases have. Without one, every fold
/// would score its case with its priors and call that calibrated.
///
/// ```
/// # use brink::analysis::calibrate::check_cross_validation;
/// assert!(check_cross_validation(&[], &["shared.x.value".to_string()]).is_err());
/// ```
pub fn check_cross_validation(cases: &[Case], specs: &[String]) -> Result<()> {
    if cases.len() < 2 {
        return Err(Error::Input(
            "--cross-validate needs at least two cases (one is left out in turn)".into(),
        ));
    }
    let carried = specs.iter().any(|s| {
        !s.contains(':')
            && cases
                .iter()
                .filter(|c| c.model.param_index(s.trim()).is_some())
                .count()
                >= 2
    });
    if carried {
        return Ok(());
    }
    let why = if specs.iter().all(|s| s.contains(':')) {
        "names only numbers of one case each (CASE:PATH), which a cross-validation never \
         carries to the case left out"
    } else {
        "names no number that two cases have: a number calibrated on the other cases is \
         carried only to a case left out that has it"
    };
    Err(Error::Input(format!(
        "--params {} {why}; expected shared numbers (PATH) that at least two of the cases \
         have in common (`brink describe --paths SCENARIO` lists each case's paths)",
        specs.join(",")
    )))
}

/// Leave-one-out: for each case, calibrates the named numbers on the other cases and scores
/// the case left out with the posterior (each run takes one posterior particle) and with its
/// priors, on the same runs. `progress` hears of each generation of each fold's calibration,
/// and with `None` when a fold's calibration starts.
pub fn cross_validate(
    loaded: &[crate::scenario::LoadedScenario],
    cases: &[Case],
    specs: &[String],
    settings: &Settings,
    runs: &super::backtest::RunSpec,
    stop: &AtomicBool,
    mut progress: impl FnMut(&str, Option<&Generation>),
) -> Result<CrossValidation> {
    use super::backtest::{ParticleDraws, backtest_case, combine};
    check_cross_validation(cases, specs)?;
    let mut folds = vec![];
    for (k, held) in cases.iter().enumerate() {
        let train: Vec<Case> = cases
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != k)
            .map(|(_, c)| c.clone())
            .collect();
        // Only the numbers the training cases have can be calibrated; a `CASE:PATH` of the
        // held-out case is skipped in its fold.
        let specs_here: Vec<String> = specs
            .iter()
            .filter(|s| match s.split_once(':') {
                Some((c, p)) => {
                    c.trim() != held.name
                        && train
                            .iter()
                            .any(|t| t.model.param_index(p.trim()).is_some())
                }
                None => train
                    .iter()
                    .any(|t| t.model.param_index(s.trim()).is_some()),
            })
            .cloned()
            .collect();
        let prior = backtest_case(&loaded[k], held, &ParticleDraws::default(), runs, stop)?;
        if specs_here.is_empty() {
            // Nothing asked for applies to the other cases: the held-out case keeps its priors.
            folds.push(Fold {
                held_out: held.name.clone(),
                trained_on: train.iter().map(|c| c.name.clone()).collect(),
                transferred: vec![],
                params: vec![],
                stop_reason: "nothing to calibrate: no number asked for is in the other cases"
                    .into(),
                tolerance: f64::INFINITY,
                simulations: 0,
                warning: None,
                calibrated: prior.clone(),
                prior,
            });
            continue;
        }
        let ts = targets(&train, &specs_here)?;
        // `None`: the fold's calibration starts (its simulations are counted from 0).
        progress(&held.name, None);
        let c = calibrate(&train, &ts, settings, stop, |g| {
            progress(&held.name, Some(g))
        })?;
        // The posterior of the numbers the held-out case has, as equally weighted particles.
        let post = resample_equal(&c, settings.particles.max(1));
        let mut draws = ParticleDraws::default();
        let mut cols = vec![];
        let mut transferred = vec![];
        for (j, t) in ts.iter().enumerate() {
            if t.spec.contains(':') {
                continue;
            }
            if let Some(p) = held.model.param_index(&t.path) {
                draws.params.push(p);
                cols.push(j);
                transferred.push(t.path.clone());
            }
        }
        if !cols.is_empty() {
            let ranges: Vec<(f64, f64)> = draws
                .params
                .iter()
                .map(|&p| held.model.param_ranges[p])
                .collect();
            draws.particles = post
                .iter()
                .map(|row| {
                    cols.iter()
                        .zip(&ranges)
                        .map(|(&j, &(lo, hi))| row[j].clamp(lo, hi))
                        .collect()
                })
                .collect();
        }
        let calibrated = backtest_case(&loaded[k], held, &draws, runs, stop)?;
        folds.push(Fold {
            held_out: held.name.clone(),
            trained_on: train.iter().map(|c| c.name.clone()).collect(),
            transferred,
            params: c.params.clone(),
            stop_reason: c.stop_reason.clone(),
            tolerance: c.generations.last().map_or(f64::INFINITY, |g| g.tolerance),
            simulations: c.simulations,
            warning: c.few_particles_warning(),
            prior,
            calibrated,
        });
    }
    let calibrated = combine(
        folds.iter().map(|f| f.calibrated.clone()).collect(),
        // Read after "the posterior of" (the back-test's text and page): "… of leave-one-out: …"
        // did not read.
        Some("a calibration on the other cases, for each case in turn (leave-one-out)".into()),
    );
    let prior = combine(folds.iter().map(|f| f.prior.clone()).collect(), None);
    Ok(CrossValidation {
        params: specs.to_vec(),
        log_score_difference: log_score_difference(&folds),
        folds,
        calibrated,
        prior,
    })
}
