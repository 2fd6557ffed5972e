//! A deterministic generator of respondents' files (答卷数据生成器) for the 安满度 survey of
//! `rules/satisfaction-survey.rhai`, laid out as 问卷星 exports them: `序号`, `提交答卷时间`,
//! `所用时间`, `来源`, `来源详情`, `来自IP`, then one column per question headed by its number
//! and text, answers as option text (or codes with `--codes`).
//!
//! Units differ in size (some below the rule set's minimum sample of 30) and in how safe and
//! satisfied their residents are; about 3 % answer 不清楚, and a few skip a question. The
//! same seed gives the same bytes on every machine.
//!
//! ```sh
//! # the bundled samples (rules/samples/satisfaction-survey.*)
//! cargo run --release --example survey_gen -- --out rules/samples/satisfaction-survey.csv --gbk \
//!     --units-out rules/samples/satisfaction-survey.units.csv \
//!     --counts-out rules/samples/satisfaction-survey.counts.csv
//! cargo run --release --example survey_gen -- --out rules/samples/satisfaction-survey.xlsx
//! # ten million respondents in 200 townships, UTF-8, for the benchmark
//! cargo run --release --example survey_gen -- --respondents 10000000 --units 200 --out big.csv
//! ```

use std::io::Write;

const USAGE: &str = "usage: survey_gen [--respondents N] [--units K] [--seed S] [--gbk] [--codes] \
[--no-extra] --out FILE.csv|FILE.xlsx [--units-out UNITS.csv] [--counts-out COUNTS.csv]";

/// The twelve units of the bundled sample, with their sizes (800 respondents in all).
const SAMPLE: [(&str, &str, u64); 12] = [
    ("430121001", "城关镇", 120),
    ("430121002", "河西街道", 104),
    ("430121003", "东关街道", 96),
    ("430121004", "龙泉镇", 88),
    ("430121005", "石桥镇", 80),
    ("430121006", "南门街道", 72),
    ("430121007", "白沙镇", 64),
    ("430121008", "桃源镇", 56),
    ("430121009", "青山乡", 48),
    ("430121010", "新河乡", 36),
    ("430121011", "黄土岭乡", 24),
    ("430121012", "大坪乡", 12),
];

const HEADERS: [&str; 11] = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "1、您居住在哪个镇（街道）？",
    "2、您的年龄段：",
    "3、您觉得您所在的镇（街道）治安状况如何？",
    "4、您对公安机关的工作是否满意？",
    "5、您是否知道本地正在开展平安创建活动？",
];

const SAFETY: [&str; 6] = [
    "非常安全",
    "安全",
    "比较安全",
    "不太安全",
    "不安全",
    "不清楚",
];
const SATISFACTION: [&str; 6] = [
    "非常满意",
    "满意",
    "基本满意",
    "不满意",
    "非常不满意",
    "不清楚",
];
const AWARE: [&str; 2] = ["知道", "不知道"];
const AGES: [&str; 3] = ["18-34岁", "35-59岁", "60岁及以上"];
const SOURCES: [&str; 3] = ["微信", "手机提交", "链接"];

/// splitmix64: the whole file follows from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index drawn with these weights.
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// One unit: code, name, respondents, and how its residents answer.
struct Unit {
    code: String,
    name: String,
    size: u64,
    safety: [f64; 6],
    satisfaction: [f64; 6],
    aware: f64,
}

fn units(count: Option<usize>, total: u64, rng: &mut Rng) -> Vec<Unit> {
    let list: Vec<(String, String, u64)> = match count {
        // The sample's twelve units, their sizes scaled to `total` (`--respondents` alone).
        None => {
            let sample: u64 = SAMPLE.iter().map(|s| s.2).sum();
            let mut list: Vec<(String, String, u64)> = SAMPLE
                .iter()
                .map(|(c, n, s)| (c.to_string(), n.to_string(), s * total / sample))
                .collect();
            let short = total - list.iter().map(|u| u.2).sum::<u64>();
            list[0].2 += short;
            list
        }
        Some(k) => {
            // Sizes falling off like a county's townships: the largest about 8× the smallest.
            let weights: Vec<f64> = (0..k)
                .map(|i| 1.0 / (1.0 + i as f64 * 7.0 / k as f64))
                .collect();
            let sum: f64 = weights.iter().sum();
            let mut sizes: Vec<u64> = weights
                .iter()
                .map(|w| (w / sum * total as f64).floor() as u64)
                .collect();
            let short = total - sizes.iter().sum::<u64>();
            sizes[0] += short;
            (0..k)
                .map(|i| {
                    (
                        format!("43{:07}", i + 1),
                        format!("第{}镇", i + 1),
                        sizes[i],
                    )
                })
                .collect()
        }
    };
    list.into_iter()
        .map(|(code, name, size)| {
            // Each unit its own mood: a shift towards the better or the worse answers.
            let good = 0.55 + 0.4 * rng.unit();
            let safety = [
                0.35 + 0.25 * good,
                0.35,
                0.20 - 0.15 * good,
                0.04 * (1.0 - good) + 0.005,
                0.02 * (1.0 - good) + 0.002,
                0.02,
            ];
            let satisfaction = [
                0.45 + 0.35 * good,
                0.30,
                0.20 - 0.15 * good,
                0.05 * (1.0 - good) + 0.005,
                0.02 * (1.0 - good) + 0.002,
                0.02,
            ];
            Unit {
                code,
                name,
                size,
                safety,
                satisfaction,
                aware: 0.85 + 0.13 * good,
            }
        })
        .collect()
}

struct Options {
    respondents: u64,
    units: Option<usize>,
    seed: u64,
    gbk: bool,
    codes: bool,
    extra: bool,
    out: String,
    units_out: Option<String>,
    counts_out: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        respondents: 0,
        units: None,
        seed: 0x6b61_6f68_6573,
        gbk: false,
        codes: false,
        extra: true,
        out: String::new(),
        units_out: None,
        counts_out: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let value = |i: &mut usize| -> Result<String, String> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| USAGE.to_string())
    };
    while i < args.len() {
        match args[i].as_str() {
            "--respondents" => o.respondents = value(&mut i)?.parse().map_err(|_| USAGE)?,
            "--units" => o.units = Some(value(&mut i)?.parse().map_err(|_| USAGE)?),
            "--seed" => o.seed = value(&mut i)?.parse().map_err(|_| USAGE)?,
            "--gbk" => o.gbk = true,
            "--codes" => o.codes = true,
            "--no-extra" => o.extra = false,
            "--out" => o.out = value(&mut i)?,
            "--units-out" => o.units_out = Some(value(&mut i)?),
            "--counts-out" => o.counts_out = Some(value(&mut i)?),
            _ => return Err(USAGE.into()),
        }
        i += 1;
    }
    if o.out.is_empty() {
        return Err(USAGE.into());
    }
    if o.units.is_some() && o.respondents == 0 {
        o.respondents = 10_000;
    }
    Ok(o)
}

/// Every respondent's row, in submission order (units interleaved), as cells.
struct Rows<'a> {
    rng: Rng,
    units: &'a [Unit],
    /// Respondents still to come per unit.
    left: Vec<u64>,
    left_total: u64,
    serial: u64,
    codes: bool,
    /// Per unit, as written (for the counts file): the six safety answers (the last 不清楚)
    /// and the skips, the six satisfaction answers and the skips, the two awareness answers and
    /// the skips.
    counts: Vec<[u64; 17]>,
}

impl Iterator for Rows<'_> {
    type Item = [String; 11];

    fn next(&mut self) -> Option<[String; 11]> {
        if self.left_total == 0 {
            return None;
        }
        let weights: Vec<f64> = self.left.iter().map(|l| *l as f64).collect();
        let u = self.rng.pick(&weights);
        self.left[u] -= 1;
        self.left_total -= 1;
        self.serial += 1;
        let unit = &self.units[u];
        let rng = &mut self.rng;
        let n = self.serial;
        // 2026-05-01 08:00:00 onward, about 40 s apart.
        let t = n * 37 + rng.next() % 17;
        let (day, sec) = (1 + t / 36_000 % 28, 8 * 3600 + t % 36_000);
        let time = format!(
            "2026/5/{day} {}:{:02}:{:02}",
            sec / 3600,
            sec / 60 % 60,
            sec % 60
        );
        let took = format!("{}秒", 40 + rng.next() % 200);
        let source = SOURCES[(rng.next() % 3) as usize].to_string();
        let ip = format!(
            "{}.{}.{}.{}(湖南-长沙)",
            110 + rng.next() % 110,
            rng.next() % 256,
            rng.next() % 256,
            1 + rng.next() % 254
        );
        let age = AGES[rng.pick(&[0.3, 0.45, 0.25])].to_string();
        let c = &mut self.counts[u];
        let mut answer = |list: &[&str], weights: &[f64], at: usize, codes: bool| -> String {
            // One in 200 skips the question (问卷星 writes "(跳过)").
            if rng.next().is_multiple_of(200) {
                c[at + list.len()] += 1;
                return "(跳过)".into();
            }
            let i = rng.pick(weights);
            c[at + i] += 1;
            if codes {
                (i + 1).to_string()
            } else {
                list[i].to_string()
            }
        };
        let safety = answer(&SAFETY, &unit.safety, 0, self.codes);
        let sat = answer(&SATISFACTION, &unit.satisfaction, 7, self.codes);
        let aware = answer(&AWARE, &[unit.aware, 1.0 - unit.aware], 14, self.codes);
        Some([
            n.to_string(),
            time,
            took,
            source,
            "N/A".into(),
            ip,
            unit.name.clone(),
            age,
            safety,
            sat,
            aware,
        ])
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_text(path: &str, text: &str, gbk: bool) -> Result<(), String> {
    let bytes = if gbk {
        encoding_rs::GB18030.encode(text).0.into_owned()
    } else {
        text.as_bytes().to_vec()
    };
    std::fs::write(path, bytes).map_err(|e| format!("{path}: {e}"))
}

fn main() -> Result<(), String> {
    let o = options()?;
    let mut rng = Rng(o.seed);
    let total = if o.respondents == 0 {
        SAMPLE.iter().map(|s| s.2).sum()
    } else {
        o.respondents
    };
    let units = units(o.units, total, &mut rng);
    let mut rows = Rows {
        rng: Rng(o.seed ^ 0x5eed),
        left: units.iter().map(|u| u.size).collect(),
        left_total: units.iter().map(|u| u.size).sum(),
        units: &units,
        serial: 0,
        codes: o.codes,
        counts: vec![[0; 17]; units.len()],
    };
    let keep: Vec<usize> = if o.extra {
        (0..11).collect()
    } else {
        vec![0, 6, 8, 9, 10]
    };
    if o.out.ends_with(".xlsx") {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Sheet1").map_err(|e| e.to_string())?;
        for (c, k) in keep.iter().enumerate() {
            sheet
                .write_string(0, c as u16, HEADERS[*k])
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in (1u32..).zip(rows.by_ref()) {
            for (c, k) in keep.iter().enumerate() {
                let cell = &row[*k];
                // 问卷星 writes the serial number and coded answers as numbers.
                match cell.parse::<f64>() {
                    Ok(x) if *k == 0 || o.codes => sheet.write_number(r, c as u16, x),
                    _ => sheet.write_string(r, c as u16, cell),
                }
                .map_err(|e| e.to_string())?;
            }
        }
        book.save(&o.out).map_err(|e| e.to_string())?;
    } else {
        let file = std::fs::File::create(&o.out).map_err(|e| format!("{}: {e}", o.out))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut line = String::new();
        let put = |line: &str, w: &mut std::io::BufWriter<std::fs::File>| {
            let bytes = if o.gbk {
                encoding_rs::GB18030.encode(line).0.into_owned()
            } else {
                line.as_bytes().to_vec()
            };
            w.write_all(&bytes)
        };
        let head: Vec<&str> = keep.iter().map(|k| HEADERS[*k]).collect();
        put(&(head.join(",") + "\r\n"), &mut w).map_err(|e| e.to_string())?;
        for row in rows.by_ref() {
            line.clear();
            for (c, k) in keep.iter().enumerate() {
                if c > 0 {
                    line.push(',');
                }
                line.push_str(&csv_cell(&row[*k]));
            }
            line.push_str("\r\n");
            put(&line, &mut w).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    if let Some(path) = &o.units_out {
        let mut text = String::from("单位编码,单位名称\n");
        for u in &units {
            text.push_str(&format!("{},{}\n", u.code, u.name));
        }
        write_text(path, &text, false)?;
    }
    if let Some(path) = &o.counts_out {
        let mut text = String::from(
            "单位编码,单位名称,有效样本数,非常安全人数,安全人数,比较安全人数,不太安全人数,不安全人数,安全感不清楚或未答人数,非常满意人数,满意人数,基本满意人数,不满意人数,非常不满意人数,满意度不清楚或未答人数,知晓人数,不知晓人数,知晓率未答人数\n",
        );
        for (u, c) in units.iter().zip(&rows.counts) {
            let n = u.size;
            // 不清楚 and the skips together: the answers left out of each index's base.
            let mut cells: Vec<u64> = Vec::new();
            cells.extend_from_slice(&c[0..5]);
            cells.push(c[5] + c[6]);
            cells.extend_from_slice(&c[7..12]);
            cells.push(c[12] + c[13]);
            cells.extend_from_slice(&c[14..17]);
            let cells: Vec<String> = cells.iter().map(u64::to_string).collect();
            text.push_str(&format!("{},{},{n},{}\n", u.code, u.name, cells.join(",")));
        }
        write_text(path, &text, false)?;
    }
    eprintln!("{} respondents in {} units → {}", total, units.len(), o.out);
    Ok(())
}
