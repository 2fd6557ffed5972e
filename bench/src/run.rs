//! The benchmark run: per size, generate the townships, build each engine's input, check every
//! engine against kaohe (the correctness gate), then time all engines interleaved.

use crate::engines::{JsonLogic, JsonLogicInputs, Kaohe, PlainRhai, Zen};
use crate::gen::{self, Township};
use crate::rank::Outcome;
use crate::{floor, report};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One engine configuration (a row of the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Kaohe,
    KaoheParallel,
    KaoheExplained,
    Floor,
    FloorParallel,
    Zen,
    JsonLogic,
    JsonLogicParallel,
    Rhai,
    RhaiParallel,
}

impl Engine {
    pub const ALL: [Engine; 10] = [
        Engine::Kaohe,
        Engine::KaoheParallel,
        Engine::KaoheExplained,
        Engine::Floor,
        Engine::FloorParallel,
        Engine::Zen,
        Engine::JsonLogic,
        Engine::JsonLogicParallel,
        Engine::Rhai,
        Engine::RhaiParallel,
    ];

    /// Short key for `--engines` and the JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Engine::Kaohe => "kaohe",
            Engine::KaoheParallel => "kaohe-parallel",
            Engine::KaoheExplained => "kaohe-explained",
            Engine::Floor => "floor",
            Engine::FloorParallel => "floor-parallel",
            Engine::Zen => "zen",
            Engine::JsonLogic => "jsonlogic",
            Engine::JsonLogicParallel => "jsonlogic-parallel",
            Engine::Rhai => "rhai",
            Engine::RhaiParallel => "rhai-parallel",
        }
    }

    /// Name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Kaohe => "kaohe (batch)",
            Engine::KaoheParallel => "kaohe (batch, parallel)",
            Engine::KaoheExplained => "kaohe (explained report)",
            Engine::Floor => "hand-written Rust (floor)",
            Engine::FloorParallel => "hand-written Rust (floor), rayon",
            Engine::Zen => "ZEN (zen-engine)",
            Engine::JsonLogic => "JSONLogic (datalogic-rs)",
            Engine::JsonLogicParallel => "JSONLogic (datalogic-rs), rayon",
            Engine::Rhai => "plain Rhai",
            Engine::RhaiParallel => "plain Rhai, rayon",
        }
    }

    pub fn parallel(self) -> bool {
        matches!(
            self,
            Engine::KaoheParallel
                | Engine::FloorParallel
                | Engine::JsonLogicParallel
                | Engine::RhaiParallel
        )
    }

    /// Whether this is the kaohe reference every other engine is checked against.
    pub fn is_reference(self) -> bool {
        self == Engine::Kaohe
    }
}

/// Command-line options of `bench`.
pub struct Options {
    pub sizes: Vec<usize>,
    pub json: Option<PathBuf>,
    pub engines: Vec<Engine>,
    /// Timed runs per size; default 5 below 1M units, else 3.
    pub runs: Option<usize>,
}

/// Everything compiled once.
pub struct Compiled {
    pub kaohe: Kaohe,
    zen: Zen,
    jsonlogic: JsonLogic,
    rhai: PlainRhai,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The rule set under test: `rules/county-antidrug.rhai` of the repository.
pub fn rules_path() -> PathBuf {
    root().join("../rules/county-antidrug.rhai")
}

impl Compiled {
    pub fn load() -> Result<Self, String> {
        let kaohe = Kaohe::compile(&rules_path())?;
        let bands = kaohe.bands.clone();
        let dir = root().join("rules");
        Ok(Self {
            zen: Zen::load(&dir.join("county-antidrug.zen.json"), bands.clone())?,
            jsonlogic: JsonLogic::load(&dir.join("county-antidrug.jsonlogic.json"), bands.clone())?,
            rhai: PlainRhai::load(&dir.join("county-antidrug.plain.rhai"), bands)?,
            kaohe,
        })
    }
}

/// One size's data: the typed townships and kaohe's parsed units.
pub struct Data {
    pub towns: Vec<Township>,
    pub units: Vec<kaohe::Unit>,
}

/// Runs one engine once: builds its input (untimed), then times input → ranked outcomes.
pub fn run_once(
    c: &Compiled,
    data: &Data,
    engine: Engine,
) -> Result<(Duration, Vec<Outcome>), String> {
    let towns = &data.towns;
    Ok(match engine {
        Engine::Kaohe | Engine::KaoheParallel => {
            let t = Instant::now();
            let out = if engine.parallel() {
                c.kaohe.batch_parallel(&data.units)?
            } else {
                c.kaohe.batch(&data.units)?
            };
            (t.elapsed(), out)
        }
        Engine::KaoheExplained => {
            let t = Instant::now();
            let report = c.kaohe.explained(&data.units)?;
            let d = t.elapsed();
            (d, c.kaohe.report_outcomes(&report, towns)?)
        }
        Engine::Floor => {
            let t = Instant::now();
            let out = floor::run(towns);
            (t.elapsed(), out)
        }
        Engine::FloorParallel => {
            let t = Instant::now();
            let out = floor::run_parallel(towns);
            (t.elapsed(), out)
        }
        Engine::Zen => {
            let inputs = Zen::inputs(towns);
            let t = Instant::now();
            let out = c.zen.run(&inputs)?;
            (t.elapsed(), out)
        }
        Engine::JsonLogic | Engine::JsonLogicParallel => {
            let inputs = JsonLogicInputs::new(towns);
            let values = inputs.values();
            let t = Instant::now();
            let out = if engine.parallel() {
                c.jsonlogic.run_parallel(&values)?
            } else {
                c.jsonlogic.run(&values)?
            };
            (t.elapsed(), out)
        }
        Engine::Rhai | Engine::RhaiParallel => {
            let inputs = PlainRhai::inputs(towns);
            let t = Instant::now();
            let out = if engine.parallel() {
                c.rhai.run_parallel(inputs)?
            } else {
                c.rhai.run(inputs)?
            };
            (t.elapsed(), out)
        }
    })
}

/// The correctness gate: on the first unit where `got` differs from kaohe's `want`, prints the
/// unit, every input value and both results, and exits non-zero.
pub fn check(engine: Engine, towns: &[Township], want: &[Outcome], got: &[Outcome]) {
    if want.len() != got.len() {
        eprintln!(
            "MISMATCH: {} gave {} results for {} units",
            engine.name(),
            got.len(),
            want.len()
        );
        std::process::exit(1);
    }
    // A rank differs wherever some total does: report a unit whose own result differs first.
    let own = |i: &usize| {
        let (w, g) = (want[*i], got[*i]);
        (w.total, w.vetoed, w.grade) != (g.total, g.vetoed, g.grade)
    };
    let first = (0..want.len())
        .find(own)
        .or_else(|| (0..want.len()).find(|&i| want[i] != got[i]));
    if let Some(i) = first {
        let show = |o: &Outcome| {
            format!(
                "total {} vetoed {} grade #{} rank {}",
                gen::hundredths_text(o.total),
                o.vetoed,
                o.grade,
                o.rank
            )
        };
        eprintln!(
            "MISMATCH at unit #{i} (`{}`, {} units):\n  kaohe: {}\n  {}: {}\n  input:\n{}",
            towns[i].code,
            want.len(),
            show(&want[i]),
            engine.name(),
            show(&got[i]),
            gen::describe(&towns[i])
        );
        let own_count = (0..want.len()).filter(own).count();
        let differing = (0..want.len()).filter(|&j| want[j] != got[j]).count();
        eprintln!(
            "  ({own_count} units differ in total, veto or grade; {differing} in anything, rank included)"
        );
        std::process::exit(1);
    }
}

pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Median of `runs` rule-set compiles, in seconds.
pub fn compile_time(runs: usize) -> Result<f64, String> {
    let source = std::fs::read_to_string(rules_path())
        .map_err(|e| format!("{}: {e}", rules_path().display()))?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let rules =
            kaohe::Rules::compile("county-antidrug.rhai", &source).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        drop(rules);
    }
    Ok(median(&times))
}

/// The whole benchmark.
pub fn bench(opts: &Options) -> Result<report::Report, String> {
    let c = Compiled::load()?;
    let compile_s = compile_time(25)?;
    let mut report = report::Report::new(compile_s, rayon::current_num_threads());
    let reference = Engine::Kaohe;
    for &n in &opts.sizes {
        let load_before = load_average();
        eprintln!("[{n}] generating {n} townships …");
        let t = Instant::now();
        let towns = gen::generate(n);
        let csv = gen::to_csv(&towns);
        let units = c.kaohe.units(&csv)?;
        drop(csv);
        eprintln!("[{n}] data ready in {:.1} s", t.elapsed().as_secs_f64());
        let data = Data { towns, units };
        let engines: Vec<Engine> = opts
            .engines
            .iter()
            .copied()
            .filter(|e| n <= 100_000 || *e != Engine::KaoheExplained)
            .collect();

        // The gate: every engine once, untimed, against kaohe.
        let (_, want) = run_once(&c, &data, reference)?;
        for &e in engines.iter().filter(|e| !e.is_reference()) {
            let (d, got) = run_once(&c, &data, e)?;
            check(e, &data.towns, &want, &got);
            eprintln!("[{n}] {:<36} agrees ({:.3} s)", e.name(), d.as_secs_f64());
        }

        // Timed runs, all engines interleaved, starting with a different engine each round.
        let runs = opts.runs.unwrap_or(if n >= 1_000_000 { 3 } else { 5 });
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); engines.len()];
        for r in 0..runs {
            for k in 0..engines.len() {
                let i = (k + r) % engines.len();
                let (d, got) = run_once(&c, &data, engines[i])?;
                check(engines[i], &data.towns, &want, &got);
                times[i].push(d.as_secs_f64());
            }
            eprintln!("[{n}] round {}/{runs} done", r + 1);
        }
        let rows = engines
            .iter()
            .zip(&times)
            .map(|(e, t)| report::Row {
                engine: *e,
                median_s: median(t),
                runs_s: t.clone(),
            })
            .collect();
        report.sizes.push(report::SizeResult {
            units: n,
            runs,
            rows,
            stats: report::DataStats::of(&data.towns, &want),
            load_before,
            load_after: load_average(),
        });
    }
    Ok(report)
}
