//! Batch scoring with the kaohe crate (批量评分示例): compile a rule set once, read a data
//! file, score every unit across all cores, and print the ranking.
//!
//! ```text
//! cargo run --release --example batch                       # bundled county rule set and sample
//! cargo run --release --example batch -- RULES.rhai DATA.csv
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bundled = kaohe::bundled::default_set();
    let (rules_name, source, data_name, data) = match args.as_slice() {
        [rules, data] => match (std::fs::read_to_string(rules), std::fs::read(data)) {
            (Ok(source), Ok(bytes)) => (rules.clone(), source, data.clone(), bytes),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        [] => (
            bundled.rules_path.to_string(),
            bundled.rules.to_string(),
            bundled.data_path.to_string(),
            bundled.data.unwrap_or_default().to_vec(),
        ),
        _ => {
            eprintln!("usage: batch [RULES.rhai DATA.csv]");
            return ExitCode::from(2);
        }
    };

    // 1. Compile once (编译规则). Errors name the file, line and column.
    let rules = match kaohe::Rules::compile(&rules_name, &source) {
        Ok(r) => r,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(3);
        }
    };

    // 2. Read the units (读取数据). Every bad cell is reported with its row and column.
    let data = kaohe::read(&rules, &data_name, &data);
    for e in &data.errors {
        eprintln!("{e}");
    }
    if !data.errors.is_empty() {
        return ExitCode::from(4);
    }

    // 3. Score them all, across every core; results come back in input order and equal
    //    the one-core result (`score_batch`).
    let scores = match rules.score_batch_parallel(&data.units) {
        Ok(s) => s,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(5);
        }
    };

    // 4. Use them: here, the ranking with grades (名次、总分、等次). A score names its grade,
    //    vetoes and consequences by index: the rule set gives their names.
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by_key(|&i| (scores[i].rank.unwrap_or(u32::MAX), i));
    for i in order {
        let (unit, score) = (&data.units[i], &scores[i]);
        let grade = score.grade.and_then(|g| rules.grade_name(g)).unwrap_or("");
        let rank = score
            .rank
            .map_or_else(|| "-".to_string(), |r| r.to_string());
        let veto = if score.vetoed() {
            "（一票否决）"
        } else {
            ""
        };
        println!(
            "{rank:>4}  {}  {}  {grade}{veto}",
            rules.unit_name(unit),
            rules.display_total(score.total),
        );
    }
    ExitCode::SUCCESS
}
