//! The survey benchmark: respondents' rows → each unit's answer counts, from the CSV bytes.
//!
//! kaohe (`kaohe::survey::read` with `rules/satisfaction-survey.rhai`, on one thread and on all)
//! against a hand-written Rust floor that does the least the job needs: split lines and fields
//! (memchr, no quotes), look the unit up in a hash map, match each answer's bytes, count. Both
//! give every unit's count per answer (options, 不清楚 and no answer), checked equal before any
//! time is taken; the counts are written as JSON for the pandas and polars peers
//! (`bench/survey/peers.py`), which check theirs against them.

use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Each unit's counts: per question, per answer text (`(未答)` for none).
pub type Counts = BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>;

/// The questions as the rule set names them, with their answers (in file text).
const QUESTIONS: [(&str, &str, &[&str]); 3] = [
    (
        "safety",
        "3、您觉得您所在的镇（街道）治安状况如何？",
        &[
            "非常安全",
            "安全",
            "比较安全",
            "不太安全",
            "不安全",
            "不清楚",
        ],
    ),
    (
        "sat",
        "4、您对公安机关的工作是否满意？",
        &[
            "非常满意",
            "满意",
            "基本满意",
            "不满意",
            "非常不满意",
            "不清楚",
        ],
    ),
    (
        "aware",
        "5、您是否知道本地正在开展平安创建活动？",
        &["知道", "不知道"],
    ),
];
const UNIT: &str = "1、您居住在哪个镇（街道）？";
const NO_ANSWER: &str = "(未答)";

/// The floor over one block of whole lines: per unit name, per question, per answer index
/// (the last index: no answer).
fn floor_block<'a>(
    lines: &'a [u8],
    cols: &[usize; 4],
    table: &mut HashMap<&'a [u8], Vec<[u64; 7]>>,
) {
    let mut fields: Vec<&[u8]> = Vec::with_capacity(16);
    let mut start = 0;
    while start < lines.len() {
        let end = memchr::memchr(b'\n', &lines[start..]).map_or(lines.len(), |i| start + i);
        let line = &lines[start..end];
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        fields.clear();
        let mut from = 0;
        for i in memchr::memchr_iter(b',', line) {
            fields.push(&line[from..i]);
            from = i + 1;
        }
        fields.push(&line[from..]);
        let unit = fields.get(cols[0]).copied().unwrap_or_default();
        let entry = table.entry(unit).or_insert_with(|| vec![[0; 7]; 3]);
        for (q, (_, _, answers)) in QUESTIONS.iter().enumerate() {
            let cell = fields.get(cols[q + 1]).copied().unwrap_or_default();
            let i = answers
                .iter()
                .position(|a| a.as_bytes() == cell)
                .unwrap_or(6);
            entry[q][i] += 1;
        }
    }
}

/// The hand-written floor: one thread, or the file cut at line ends across rayon's threads.
pub fn floor(bytes: &[u8], parallel: bool) -> Counts {
    let head_end = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
    let header: Vec<String> = String::from_utf8_lossy(&bytes[..head_end])
        .trim_end()
        .split(',')
        .map(String::from)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
    let cols = [
        col(UNIT),
        col(QUESTIONS[0].1),
        col(QUESTIONS[1].1),
        col(QUESTIONS[2].1),
    ];
    let body = &bytes[head_end..];
    let merged: HashMap<&[u8], Vec<[u64; 7]>> = if parallel {
        let parts = rayon::current_num_threads() * 4;
        let mut cuts = vec![0];
        for k in 1..parts {
            let at = body.len() * k / parts;
            let next = memchr::memchr(b'\n', &body[at..]).map_or(body.len(), |i| at + i + 1);
            cuts.push(next.max(*cuts.last().unwrap_or(&0)));
        }
        cuts.push(body.len());
        cuts.par_windows(2)
            .map(|w| {
                let mut t = HashMap::new();
                floor_block(&body[w[0]..w[1]], &cols, &mut t);
                t
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    let e = a.entry(k).or_insert_with(|| vec![[0; 7]; 3]);
                    for (x, y) in e.iter_mut().zip(v) {
                        for (p, q) in x.iter_mut().zip(y) {
                            *p += q;
                        }
                    }
                }
                a
            })
    } else {
        let mut t = HashMap::new();
        floor_block(body, &cols, &mut t);
        t
    };
    let mut out = Counts::new();
    for (unit, per_q) in merged {
        let u = out
            .entry(String::from_utf8_lossy(unit).into_owned())
            .or_default();
        for (q, (id, _, answers)) in QUESTIONS.iter().enumerate() {
            let m = u.entry((*id).to_string()).or_default();
            for (i, n) in per_q[q].iter().enumerate() {
                if *n > 0 {
                    let key = answers.get(i).copied().unwrap_or(NO_ANSWER);
                    *m.entry(key.to_string()).or_default() += n;
                }
            }
        }
    }
    out
}

/// kaohe's counts from its units: the count fields of each question (the 不清楚-or-no-answer
/// field split into 不清楚 and no answer with the unit's tally).
pub fn kaohe_counts(rules: &kaohe::Rules, bytes: &[u8]) -> Result<Counts, String> {
    let data = kaohe::survey::read(rules, "survey.csv", bytes, None);
    if !data.errors.is_empty() {
        return Err(format!("kaohe found {} data errors", data.errors.len()));
    }
    if kaohe::survey::questions(rules).len() == 0 {
        return Err("no survey".into());
    }
    let mut out = Counts::new();
    for unit in &data.units {
        let name = rules.unit_name(unit);
        let u = out.entry(name).or_default();
        for (qi, q) in kaohe::survey::questions(rules).enumerate() {
            let m = u.entry(q.id.to_string()).or_default();
            for (opt, f) in q.options.iter().zip(q.counts) {
                let n = unit
                    .value(*f)
                    .and_then(kaohe::Value::number)
                    .map_or(0, |d| d.to_string().parse().unwrap_or(0));
                if n > 0 {
                    m.insert(opt.clone(), n);
                }
            }
            let tally = kaohe::survey::outside_base(unit, qi).ok_or("no tally")?;
            if tally.excluded > 0 {
                m.insert(
                    q.excluded.first().cloned().unwrap_or_default(),
                    tally.excluded,
                );
            }
            if tally.blank > 0 {
                m.insert(NO_ANSWER.to_string(), tally.blank);
            }
        }
    }
    Ok(out)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times every row on the file at `path`, after checking kaohe and the floor agree; writes
/// kaohe's counts to `counts` for the peers. Markdown rows on stdout; JSON with `json`.
pub fn bench(
    path: &str,
    runs: usize,
    counts: Option<&str>,
    json: Option<&str>,
) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let source = std::fs::read_to_string("rules/satisfaction-survey.rhai")
        .or_else(|_| std::fs::read_to_string("../rules/satisfaction-survey.rhai"))
        .map_err(|e| format!("rules/satisfaction-survey.rhai: {e}"))?;
    let rules =
        kaohe::Rules::compile("satisfaction-survey.rhai", &source).map_err(|e| e.to_string())?;
    let rows = memchr::memchr_iter(b'\n', &bytes).count().saturating_sub(1) as f64;
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| e.to_string())?;
    let all = rayon::current_num_threads();
    // The gate: every engine's counts equal kaohe's.
    let reference = one.install(|| kaohe_counts(&rules, &bytes))?;
    for (name, got) in [
        ("kaohe (all cores)", kaohe_counts(&rules, &bytes)?),
        ("floor", floor(&bytes, false)),
        ("floor (rayon)", floor(&bytes, true)),
    ] {
        if got != reference {
            return Err(format!("{name}: counts differ from kaohe's"));
        }
    }
    if let Some(p) = counts {
        let text = serde_json::to_string(&reference).map_err(|e| e.to_string())?;
        std::fs::write(p, text).map_err(|e| format!("{p}: {e}"))?;
    }
    let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for _ in 0..runs {
        let t = Instant::now();
        one.install(|| kaohe::survey::read(&rules, "survey.csv", &bytes, None));
        times
            .entry("kaohe")
            .or_default()
            .push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        kaohe::survey::read(&rules, "survey.csv", &bytes, None);
        times
            .entry("kaohe-parallel")
            .or_default()
            .push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(floor(&bytes, false));
        times
            .entry("floor")
            .or_default()
            .push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(floor(&bytes, true));
        times
            .entry("floor-parallel")
            .or_default()
            .push(t.elapsed().as_secs_f64());
    }
    let m: BTreeMap<&str, f64> = times.iter().map(|(k, v)| (*k, median(v.clone()))).collect();
    let k1 = m["kaohe"];
    let f1 = m["floor"];
    println!("| engine | threads | median ms | respondent rows/s | × kaohe (1 thread) | × floor (1 thread) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (key, label, threads) in [
        ("kaohe", "kaohe `survey::read`", 1),
        ("kaohe-parallel", "kaohe `survey::read`", all),
        ("floor", "hand-written Rust (floor)", 1),
        ("floor-parallel", "hand-written Rust (floor), rayon", all),
    ] {
        let t = m[key];
        println!(
            "| {label} | {threads} | {:.1} | {:.0} | {:.2}× | {:.2}× |",
            t * 1000.0,
            rows / t,
            k1 / t,
            f1 / t
        );
    }
    if let Some(p) = json {
        let v = serde_json::json!({
            "file": path, "rows": rows, "bytes": bytes.len(), "runs": runs, "threads": all,
            "median_seconds": m,
            "kaohe_over_floor": k1 / f1,
        });
        std::fs::write(p, v.to_string()).map_err(|e| format!("{p}: {e}"))?;
    }
    Ok(())
}
