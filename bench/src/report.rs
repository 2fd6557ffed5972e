//! The report: a Markdown table per size on stdout and the same numbers as JSON.

use crate::gen::Township;
use crate::rank::Outcome;
use crate::run::Engine;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// One engine's timings at one size.
pub struct Row {
    pub engine: Engine,
    pub median_s: f64,
    pub runs_s: Vec<f64>,
}

/// What the generated data holds, from kaohe's results.
pub struct DataStats {
    pub vetoed: usize,
    pub grades: [usize; 4],
    pub no_school: usize,
    pub no_farmland: usize,
    pub incidents: usize,
    pub no_community_orders: usize,
    pub no_offenders: usize,
}

impl DataStats {
    pub fn of(towns: &[Township], outcomes: &[Outcome]) -> Self {
        let mut grades = [0; 4];
        for o in outcomes {
            if let Some(g) = grades.get_mut(usize::from(o.grade)) {
                *g += 1;
            }
        }
        let count = |f: fn(&Township) -> bool| towns.iter().filter(|t| f(t)).count();
        Self {
            vetoed: outcomes.iter().filter(|o| o.vetoed).count(),
            grades,
            no_school: count(|t| t.school_cover.is_none()),
            no_farmland: count(|t| !t.farmland),
            incidents: count(|t| t.incidents > 0),
            no_community_orders: count(|t| t.sc_ordered == 0),
            no_offenders: count(|t| t.offenders == 0),
        }
    }
}

/// One size's results.
pub struct SizeResult {
    pub units: usize,
    pub runs: usize,
    pub rows: Vec<Row>,
    pub stats: DataStats,
    pub load_before: String,
    pub load_after: String,
}

/// The whole run.
pub struct Report {
    pub date: String,
    pub cpus: usize,
    pub threads: usize,
    pub cpu_model: String,
    pub compile_s: f64,
    pub versions: Vec<(String, String)>,
    pub sizes: Vec<SizeResult>,
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Versions of the crates that matter, from `bench/Cargo.lock`.
fn versions() -> Vec<(String, String)> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .unwrap_or_default();
    let wanted = [
        "kaohe",
        "zen-engine",
        "datalogic-rs",
        "rhai",
        "rust_decimal",
        "serde_json",
        "rayon",
    ];
    let mut out = Vec::new();
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if let Some(name) = l
            .strip_prefix("name = \"")
            .and_then(|r| r.strip_suffix('"'))
        {
            if wanted.contains(&name) {
                if let Some(v) = lines
                    .next()
                    .and_then(|v| v.strip_prefix("version = \""))
                    .and_then(|v| v.strip_suffix('"'))
                {
                    out.push((name.to_string(), v.to_string()));
                }
            }
        }
    }
    out.sort_by_key(|(n, _)| wanted.iter().position(|w| w == n));
    out
}

/// Today's date and time in UTC, from the system clock.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

impl Report {
    pub fn new(compile_s: f64, threads: usize) -> Self {
        Self {
            date: now_utc(),
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            threads,
            cpu_model: cpu_model(),
            compile_s,
            versions: versions(),
            sizes: Vec::new(),
        }
    }

    fn units_per_s(units: usize, s: f64) -> f64 {
        if s > 0.0 {
            units as f64 / s
        } else {
            0.0
        }
    }

    /// The median of the row that ratios are taken against, if it ran.
    fn baseline(size: &SizeResult, key: &str) -> Option<f64> {
        size.rows
            .iter()
            .find(|r| r.engine.key() == key)
            .map(|r| Self::units_per_s(size.units, r.median_s))
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# kaohe side-by-side benchmark: county anti-drug rule set\n"
        );
        let _ = writeln!(s, "- date: {}", self.date);
        let _ = writeln!(
            s,
            "- machine: {} CPUs (`nproc`), {}; rayon uses {} threads",
            self.cpus, self.cpu_model, self.threads
        );
        let v: Vec<String> = self
            .versions
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        let _ = writeln!(s, "- crates: {}", v.join(", "));
        let _ = writeln!(
            s,
            "- rule set: `rules/county-antidrug.rhai`; kaohe `Rules::compile` median {:.2} ms (25 compiles)",
            self.compile_s * 1e3
        );
        let _ = writeln!(
            s,
            "- data: seeded generator (splitmix64, seed {:#x}, unit i from mix(seed ^ mix(i + 1))); each engine's input built before its timed section; \
             time = pre-built input → per-unit total, veto, grade and rank (peers: plus the shared ranking step)",
            crate::gen::SEED
        );
        for size in &self.sizes {
            let st = &size.stats;
            let _ = writeln!(
                s,
                "\n## {} townships ({} timed runs each, interleaved; median)\n",
                size.units, size.runs
            );
            let _ = writeln!(
                s,
                "Data: {} vetoed; 先进 {} / 合格 {} / 基本合格 {} / 不合格 {}; no schools {}, no farmland {}, \
                 肇事肇祸 > 0 {}, zero 社戒社康 orders {}, zero offenders {}. Load average before {} / after {}.\n",
                st.vetoed, st.grades[0], st.grades[1], st.grades[2], st.grades[3], st.no_school,
                st.no_farmland, st.incidents, st.no_community_orders, st.no_offenders,
                size.load_before, size.load_after
            );
            let _ = writeln!(
                s,
                "| engine | cores | median ms | units/s | × kaohe (1 core) | × floor (1 core) |"
            );
            let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
            let kaohe = Self::baseline(size, "kaohe");
            let floor = Self::baseline(size, "floor");
            for r in &size.rows {
                let ups = Self::units_per_s(size.units, r.median_s);
                let ratio = |b: Option<f64>| b.map_or("–".into(), |b| format!("{:.2}×", ups / b));
                let _ = writeln!(
                    s,
                    "| {} | {} | {:.1} | {:.0} | {} | {} |",
                    r.engine.name(),
                    if r.engine.parallel() { self.threads } else { 1 },
                    r.median_s * 1e3,
                    ups,
                    ratio(kaohe),
                    ratio(floor)
                );
            }
        }
        s
    }

    pub fn json(&self) -> Value {
        let sizes: Vec<Value> = self
            .sizes
            .iter()
            .map(|size| {
                let kaohe = Self::baseline(size, "kaohe");
                let floor = Self::baseline(size, "floor");
                let rows: Vec<Value> = size
                    .rows
                    .iter()
                    .map(|r| {
                        let ups = Self::units_per_s(size.units, r.median_s);
                        json!({
                            "engine": r.engine.key(),
                            "name": r.engine.name(),
                            "cores": if r.engine.parallel() { self.threads } else { 1 },
                            "median_s": r.median_s,
                            "units_per_s": ups,
                            "vs_kaohe": kaohe.map(|b| ups / b),
                            "vs_floor": floor.map(|b| ups / b),
                            "runs_s": r.runs_s,
                        })
                    })
                    .collect();
                let st = &size.stats;
                json!({
                    "units": size.units,
                    "runs": size.runs,
                    "load_before": size.load_before,
                    "load_after": size.load_after,
                    "data": {
                        "vetoed": st.vetoed,
                        "grades": st.grades,
                        "no_school": st.no_school,
                        "no_farmland": st.no_farmland,
                        "incidents": st.incidents,
                        "no_community_orders": st.no_community_orders,
                        "no_offenders": st.no_offenders,
                    },
                    "engines": rows,
                })
            })
            .collect();
        let versions: serde_json::Map<String, Value> = self
            .versions
            .iter()
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "date": self.date,
            "machine": { "cpus": self.cpus, "threads": self.threads, "cpu_model": self.cpu_model },
            "versions": versions,
            "seed": format!("{:#x}", crate::gen::SEED),
            "compile_ms": self.compile_s * 1e3,
            "sizes": sizes,
        })
    }
}
