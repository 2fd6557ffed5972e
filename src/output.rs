//! Writing results (输出): a terminal table aligned by display width, CSV for Excel, JSON.

use crate::result::{Report, UnitResult};
use unicode_width::UnicodeWidthStr;

/// The result as pretty JSON in the documented schema.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn rank_text(u: &UnitResult) -> String {
    u.rank.map_or_else(|| "—".to_string(), |r| r.to_string())
}

fn change_text(u: &UnitResult) -> String {
    match u.rank_change {
        Some(0) => "持平".to_string(),
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) => format!("↓{}", -c),
        None => String::new(),
    }
}

fn veto_text(u: &UnitResult) -> String {
    u.vetoes
        .iter()
        .map(|v| v.label.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

fn consequence_text(u: &UnitResult) -> String {
    u.consequences
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let w = UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// A ranked table for the terminal, one block per cohort.
pub fn table(report: &Report) -> String {
    let mut out = format!("{}（{}）\n", report.rule_set.title, report.rule_set.id);
    let with_change = report.units.iter().any(|u| u.previous_rank.is_some());
    let mut head = vec!["名次", "单位", "总分", "等次"];
    if with_change {
        head.push("名次变化");
    }
    head.extend(["一票否决", "处理结果"]);
    let right = |col: &str| matches!(col, "名次" | "总分");
    for cohort in &report.cohorts {
        let rows: Vec<Vec<String>> = report
            .units
            .iter()
            .filter(|u| u.cohort == cohort.name)
            .map(|u| {
                let mut r = vec![
                    rank_text(u),
                    u.name.clone(),
                    u.total_display.clone().unwrap_or_else(|| "—".into()),
                    u.grade.clone().unwrap_or_default(),
                ];
                if with_change {
                    r.push(change_text(u));
                }
                r.push(veto_text(u));
                r.push(consequence_text(u));
                r
            })
            .collect();
        let widths: Vec<usize> = head
            .iter()
            .enumerate()
            .map(|(i, h)| {
                rows.iter()
                    .map(|r| UnicodeWidthStr::width(r[i].as_str()))
                    .chain(std::iter::once(UnicodeWidthStr::width(*h)))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        if report.cohorts.len() > 1 || cohort.name != "全部" {
            out.push_str(&format!("\n【{}】\n", cohort.name));
        } else {
            out.push('\n');
        }
        let line = |cells: Vec<String>| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| pad(c, widths[i], right(head[i])))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        out.push_str(&line(head.iter().map(ToString::to_string).collect()));
        out.push('\n');
        out.push_str(&"─".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
        out.push('\n');
        for r in rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        let grades = cohort
            .grades
            .iter()
            .map(|g| format!("{} {}", g.grade, g.count))
            .collect::<Vec<_>>()
            .join("，");
        let places = report.rule_set.decimals;
        let num = |d: &Option<rust_decimal::Decimal>| {
            d.map_or("—".to_string(), |d| {
                crate::cohort::display_total(d, places)
            })
        };
        out.push_str(&format!(
            "\n共 {} 个单位，一票否决 {} 个；平均分 {}，最高 {}，最低 {}；{}\n",
            cohort.units,
            cohort.vetoed,
            num(&cohort.mean),
            num(&cohort.max),
            num(&cohort.min),
            grades
        ));
    }
    out
}

/// The result as CSV: one row per unit, with a column per item's points.
pub fn csv(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let items: Vec<(String, String)> = report
        .units
        .first()
        .map(|u| {
            u.items
                .iter()
                .map(|i| (i.id.clone(), i.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut head: Vec<String> = [
        "名次",
        "单位编码",
        "单位名称",
        "分组",
        "总分",
        "等次",
        "名次变化",
        "一票否决",
        "处理结果",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    head.extend(items.iter().map(|(_, l)| l.clone()));
    head.push("加分".into());
    let _ = w.write_record(&head);
    for u in &report.units {
        let mut r = vec![
            u.rank.map(|r| r.to_string()).unwrap_or_default(),
            u.id.clone(),
            u.name.clone(),
            u.cohort.clone(),
            u.total_display.clone().unwrap_or_default(),
            u.grade.clone().unwrap_or_default(),
            u.rank_change.map(|c| c.to_string()).unwrap_or_default(),
            veto_text(u),
            consequence_text(u),
        ];
        for (id, _) in &items {
            r.push(
                u.items
                    .iter()
                    .find(|i| &i.id == id)
                    .map(|i| i.points.to_string())
                    .unwrap_or_default(),
            );
        }
        r.push(u.bonus.to_string());
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
