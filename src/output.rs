//! Writing results (输出): a terminal table aligned by display width, CSV for Excel, JSON.

use crate::batch::UnitScore;
use crate::data::Unit;
use crate::model::{Name, RuleSet};
use crate::result::{Report, UnitResult};
use crate::view::{ItemColumns, UnitView};
use unicode_width::UnicodeWidthStr;

/// The result as pretty JSON in the documented schema.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The same JSON as [`json`], with its closing newline, written straight to `w`: a large
/// result is never held twice (as the report and as its text).
pub fn write_json(w: &mut dyn std::io::Write, report: &Report) -> std::io::Result<()> {
    // Its own buffer: the serializer's many small writes are then copies, not calls through `w`.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut w, report)?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}

/// A change of rank as the 通报 writes it: `↑2`, `↓1`, `持平`; blank without one.
pub fn rank_change_text(change: Option<i64>) -> String {
    match change {
        Some(0) => "持平".to_string(),
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) => format!("↓{}", -c),
        None => String::new(),
    }
}

/// A change of total (分差) with its sign and the published decimals: `+1.20`, `-0.50`, `0.00`.
pub fn total_change_text(change: Option<rust_decimal::Decimal>, decimals: u32) -> String {
    change.map_or_else(String::new, |d| {
        let text = crate::figures::display_total(d, decimals);
        if d.is_sign_positive() && !d.is_zero() {
            format!("+{text}")
        } else {
            text
        }
    })
}

/// The valid samples of a unit's survey indices: `412`, or `398/412` when they differ; a `*`
/// marks a short sample (样本不足).
fn sample_text(metrics: &[crate::result::MetricResult]) -> String {
    let mut sizes: Vec<u64> = Vec::new();
    let mut short = false;
    for s in metrics.iter().filter_map(|m| m.sample.as_ref()) {
        short |= s.short;
        if !sizes.contains(&s.n) {
            sizes.push(s.n);
        }
    }
    sizes.sort_unstable();
    let text: Vec<String> = sizes.iter().map(ToString::to_string).collect();
    format!("{}{}", text.join("/"), if short { "*" } else { "" })
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

/// A ranked table for the terminal, one block per cohort; a block shows the metrics its units
/// have (a station's and a sub-district's indices can differ). Each row is read from the
/// unit's [`UnitView`], as the CSV and JSON Lines are.
pub fn table(report: &Report) -> String {
    // A table shows no item's points: the views list none.
    let items = ItemColumns::default();
    let all: Vec<UnitView<'_>> = report
        .units
        .iter()
        .map(|u| UnitView::of_result(u, &items))
        .collect();
    let set = &report.rule_set;
    table_of(
        (&set.title, &set.id, set.decimals),
        &all,
        &report.cohorts,
        &report.rollups,
    )
}

/// The table of units as a report lists them (`all`, by cohort then rank), the rule set's
/// `(title, id, decimals)`, the cohorts' statistics and the roll-ups: from a report
/// ([`table`]) or from the batch path (`Rules::table_batch`), the same text.
pub fn table_of(
    (title, id, places): (&str, &str, u32),
    all: &[UnitView<'_>],
    cohorts: &[crate::result::CohortStats],
    rollups: &[crate::result::RollupResult],
) -> String {
    let mut out = format!("{title}（{id}）\n");
    let with_change = all.iter().any(|v| v.previous_rank.is_some());
    let with_previous_total = all.iter().any(|v| v.previous_total.is_some());
    let with_state = all.iter().any(|v| v.state_status().is_some());
    let with_remarks = all.iter().any(|v| !v.remarks.is_empty());
    for cohort in cohorts {
        let units: Vec<&UnitView<'_>> = all.iter().filter(|v| v.cohort == cohort.name).collect();
        // (metric index, label, ranked) for the metrics some unit of this block has.
        let metrics: Vec<(usize, String, bool)> = units
            .first()
            .map(|u| {
                u.metrics
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| {
                        units
                            .iter()
                            .any(|x| x.metrics.get(*k).is_some_and(|m| m.display.is_some()))
                    })
                    .map(|(k, m)| {
                        let ranked = units
                            .iter()
                            .any(|x| x.metrics.get(k).is_some_and(|m| m.rank.is_some()));
                        (k, m.label.to_string(), ranked)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut head: Vec<String> = ["名次", "单位", "总分", "等次"]
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut right = vec![true, false, true, false];
        if with_change {
            head.push("名次变化".into());
            right.push(false);
        }
        if with_previous_total {
            head.extend(["上期得分".to_string(), "分差".to_string()]);
            right.extend([true, true]);
        }
        for (_, label, ranked) in &metrics {
            head.push(label.clone());
            right.push(true);
            if *ranked {
                head.push(format!("{label}名次"));
                right.push(false);
            }
        }
        // Survey indices: the valid sample behind them (有效样本), one number when all agree.
        let with_sample = units
            .iter()
            .any(|u| u.metrics.iter().any(|m| m.sample.is_some()));
        if with_sample {
            head.push("有效样本".into());
            right.push(true);
        }
        if with_state {
            head.push("状态".into());
            right.push(false);
        }
        head.extend(["一票否决".to_string(), "处理结果".to_string()]);
        right.extend([false, false]);
        if with_remarks {
            head.push("备注".into());
            right.push(false);
        }
        let rows: Vec<Vec<String>> =
            units
                .iter()
                .map(|v| {
                    let mut r = vec![
                        v.rank.map_or_else(|| "—".to_string(), |r| r.to_string()),
                        v.name.to_string(),
                        v.total_display.clone().unwrap_or_else(|| "—".into()),
                        v.grade.as_deref().unwrap_or_default().to_string(),
                    ];
                    if with_change {
                        r.push(rank_change_text(v.rank_change));
                    }
                    if with_previous_total {
                        r.push(v.previous_total.map_or_else(
                            || "—".into(),
                            |t| crate::figures::display_total(t, places),
                        ));
                        r.push(total_change_text(v.total_change, places));
                    }
                    for (k, _, ranked) in &metrics {
                        let m = v.metrics.get(*k);
                        r.push(
                            m.and_then(|m| m.display.clone())
                                .unwrap_or_else(|| "—".into()),
                        );
                        if *ranked {
                            let mut rank = m
                                .and_then(|m| m.rank)
                                .map_or_else(|| "—".to_string(), |x| x.to_string());
                            match m.and_then(|m| m.rank_change) {
                                Some(c) if c > 0 => rank.push_str(&format!(" ↑{c}")),
                                Some(c) if c < 0 => rank.push_str(&format!(" ↓{}", -c)),
                                _ => {}
                            }
                            r.push(rank);
                        }
                    }
                    if with_sample {
                        r.push(sample_text(&v.metrics));
                    }
                    if with_state {
                        r.push(v.state_status().unwrap_or_default().to_string());
                    }
                    r.push(v.vetoes.join("；"));
                    r.push(v.consequences.join("、"));
                    if with_remarks {
                        r.push(v.remarks.join("；"));
                    }
                    r.into_iter().map(printable).collect()
                })
                .collect();
        let head: Vec<String> = head.into_iter().map(printable).collect();
        let widths: Vec<usize> = head
            .iter()
            .enumerate()
            .map(|(i, h)| {
                rows.iter()
                    .map(|r| UnicodeWidthStr::width(r[i].as_str()))
                    .chain(std::iter::once(UnicodeWidthStr::width(h.as_str())))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        if cohorts.len() > 1 || cohort.name != crate::model::ALL_UNITS {
            out.push_str(&format!("\n【{}】\n", cohort.name));
        } else {
            out.push('\n');
        }
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| pad(c, widths[i], right[i]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        out.push_str(&line(&head));
        out.push('\n');
        out.push_str(&"─".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
        out.push('\n');
        for r in &rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        let grades = cohort
            .grades
            .iter()
            .map(|g| format!("{} {}", g.grade, g.count))
            .collect::<Vec<_>>()
            .join("，");
        let num = |d: &Option<rust_decimal::Decimal>| {
            d.map_or("—".to_string(), |d| {
                crate::figures::display_total(d, places)
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
    if !rollups.is_empty() {
        out.push_str("\n汇总\n");
        for r in rollups {
            out.push_str(&format!(
                "  {}（{}）：{}（{} 个单位）\n",
                r.label, r.group, r.display, r.units
            ));
        }
    }
    out
}

/// The units a result leaves out because their rows have data errors (未参加计分), one line
/// each with the row and the unit's name and id as the errors give them; empty when none.
/// A printed result never drops a unit without a word.
pub fn left_out(errors: &[crate::DataError]) -> String {
    let mut rows: Vec<(usize, String)> = Vec::new();
    for e in errors.iter().filter(|e| e.row > 0) {
        if rows.iter().any(|(r, _)| *r == e.row) {
            continue;
        }
        let who = match (&e.unit_name, &e.unit) {
            (Some(n), Some(u)) => format!("{n}（{u}）"),
            (None, Some(u)) => u.clone(),
            (Some(n), None) => n.clone(),
            (None, None) => "（无单位编码）".to_string(),
        };
        rows.push((e.row, who));
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!("\n因数据错误未参加计分的单位（{} 个）：\n", rows.len());
    for (row, who) in rows {
        out.push_str(&format!("  第 {row} 行  {}\n", printable(who)));
    }
    out
}

/// A cell of the summary table: text, or a number Excel can sum.
enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    /// The cell as CSV writes it: text made safe to open in a spreadsheet.
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(s) => spreadsheet_safe(s),
            Cell::Number(s) => std::borrow::Cow::Borrowed(s),
        }
    }
}

/// Text as a spreadsheet must not run it (CSV injection): a cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be read by Excel and WPS as a formula (such as
/// `=cmd|' /C calc'!A0` or `=HYPERLINK(…)`), so it is written after a `'`, as OWASP advises
/// and spreadsheet-safe exporters do. Numbers are written as they are.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Text as a terminal may show it: control characters (an escape sequence in a cell could
/// recolour, move or retitle the terminal) and bidirectional overrides written as `\u{…}`.
pub fn printable(text: String) -> String {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.contains(unsafe_char) {
        return text;
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Lines of text as a terminal may show them: each line [`printable`], the line breaks kept.
pub(crate) fn printable_lines(text: &str) -> String {
    let mut out: Vec<String> = text.split('\n').map(|l| printable(l.to_string())).collect();
    if out.last().is_some_and(String::is_empty) {
        out.pop();
        return out.join("\n") + "\n";
    }
    out.join("\n")
}

fn num(v: Option<String>) -> Cell {
    v.map_or(Cell::Text(String::new()), Cell::Number)
}

/// The first columns of a result row, in the table, CSV and workbook alike.
const SUMMARY_HEAD: [&str; 9] = [
    "名次",
    "单位编码",
    "单位名称",
    "分组",
    "总分",
    "等次",
    "名次变化",
    "一票否决",
    "处理结果",
];

/// One row per unit: rank, id, name, cohort, total, grade, change (`↑2`), vetoes,
/// consequences, the previous total and the change of total (with a previous period), the
/// remarks (备注, when any unit has one), each metric (and its rank), the state, then each
/// item's points and the bonus — each row from the unit's [`UnitView`], as a batch run writes it.
fn summary(report: &Report) -> (Vec<String>, Vec<Vec<Cell>>) {
    let items = ItemColumns::of_results(&report.units);
    let columns = Columns::of_report(report, &items);
    let head = columns.head(&items.labels);
    let rows = report
        .units
        .iter()
        .map(|u| columns.cells(&UnitView::of_result(u, &items), report.rule_set.decimals))
        .collect();
    (head, rows)
}

/// A survey index's 95 % interval as a cell: `90.8–93.8`, blank without one.
fn interval_text(s: &crate::result::SampleResult) -> String {
    match (s.low, s.high) {
        (Some(low), Some(high)) => format!("{low}–{high}"),
        _ => String::new(),
    }
}

/// The `status` of a unit's state, if it has one (挂牌 …).
pub fn state_text(u: &UnitResult) -> Option<String> {
    Some(u.state.as_ref()?.get("status")?.as_str()?.to_string())
}

/// The result as CSV: one row per unit, with a column per metric and per item's points.
pub fn csv(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let (head, rows) = summary(report);
    let _ = w.write_record(head.iter().map(|h| spreadsheet_safe(h).into_owned()));
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| c.text().into_owned()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Without the `spreadsheets` feature there is no XLSX writer: an error that says so.
#[cfg(not(feature = "spreadsheets"))]
pub fn xlsx(_report: &Report) -> Result<Vec<u8>, String> {
    Err("this build of kaohe writes no XLSX workbooks (the `spreadsheets` feature is off)".into())
}

/// The result as an XLSX workbook: 考核结果 (one row per unit), 计分明细 (every item's points
/// and reasons) and 分组统计 (cohort statistics).
#[cfg(feature = "spreadsheets")]
pub fn xlsx(report: &Report) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::Format;
    let err = |e: rust_xlsxwriter::XlsxError| format!("cannot write the workbook: {e}");
    let bold = Format::new().set_bold();
    let mut book =
        workbook_from(&report.rule_set.title, report.provenance.as_ref()).map_err(err)?;

    let sheet = book.add_worksheet();
    sheet.set_name("考核结果").map_err(err)?;
    let (head, rows) = summary(report);
    for (c, h) in head.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet
            .write_string_with_format(0, c, h, &bold)
            .map_err(err)?;
        sheet
            .set_column_width(
                c,
                (UnicodeWidthStr::width(h.as_str()) as f64 + 2.0).max(8.0),
            )
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                Cell::Number(n) => write_number(sheet, r, c, n),
                Cell::Text(t) if t.is_empty() => Ok(()),
                Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
            }
            .map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 3).map_err(err)?;
    trend_sheet(&mut book, report, &bold).map_err(err)?;

    let sheet = book.add_worksheet();
    sheet.set_name("计分明细").map_err(err)?;
    let head = [
        "单位编码",
        "单位名称",
        "类别",
        "项目",
        "分值",
        "得分",
        "计分标准",
        "计分明细",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (c, w) in [12.0, 14.0, 10.0, 22.0, 6.0, 6.0, 40.0, 60.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w).map_err(err)?;
    }
    let mut r = 1u32;
    for u in &report.units {
        let mut lines: Vec<[String; 8]> = u
            .items
            .iter()
            .map(|i| {
                [
                    u.id.clone(),
                    u.name.clone(),
                    i.category.unwrap_or_default().to_string(),
                    i.label.to_string(),
                    i.max.to_string(),
                    i.points.to_string(),
                    i.text.to_string(),
                    i.details().collect::<Vec<_>>().join("；"),
                ]
            })
            .collect();
        lines.extend(u.adjustments.iter().map(|a| {
            [
                u.id.clone(),
                u.name.clone(),
                String::new(),
                "封顶调整".into(),
                String::new(),
                a.points.to_string(),
                String::new(),
                a.detail.clone(),
            ]
        }));
        lines.extend(u.vetoes.iter().map(|v| {
            [
                u.id.clone(),
                u.name.clone(),
                String::new(),
                format!("一票否决：{}", v.label),
                String::new(),
                String::new(),
                String::new(),
                v.reason.clone(),
            ]
        }));
        for line in lines {
            for (c, v) in line.iter().enumerate() {
                let c = c as u16;
                if (c == 4 || c == 5) && !v.is_empty() {
                    write_number(sheet, r, c, v).map_err(err)?;
                    continue;
                }
                if !v.is_empty() {
                    sheet.write_string(r, c, v).map_err(err)?;
                }
            }
            r = r.saturating_add(1);
        }
    }
    sheet.set_freeze_panes(1, 2).map_err(err)?;

    let sheet = book.add_worksheet();
    sheet.set_name("分组统计").map_err(err)?;
    let grades: Vec<String> = report
        .cohorts
        .first()
        .map(|c| c.grades.iter().map(|g| g.grade.clone()).collect())
        .unwrap_or_default();
    let mut head: Vec<String> = [
        "分组",
        "单位数",
        "参与排名",
        "一票否决",
        "平均分",
        "中位数",
        "最高分",
        "最低分",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    head.extend(grades.iter().cloned());
    for (c, h) in head.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(err)?;
    }
    for (r, c) in report.cohorts.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        sheet.write_string(r, 0, &c.name).map_err(err)?;
        let nums = [
            Some(c.units.to_string()),
            Some(c.ranked.to_string()),
            Some(c.vetoed.to_string()),
            c.mean.map(|d| d.to_string()),
            c.median.map(|d| d.to_string()),
            c.max.map(|d| d.to_string()),
            c.min.map(|d| d.to_string()),
        ];
        let counts = c.grades.iter().map(|g| Some(g.count.to_string()));
        for (k, v) in nums.into_iter().chain(counts).enumerate() {
            if let Some(v) = v {
                write_number(sheet, r, (k + 1) as u16, &v).map_err(err)?;
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

/// A table of rows (an analysis's CSV: `kaohe gap`, `kaohe diff`, whose first two columns are the
/// unit's code and name) as a workbook of one sheet named `sheet`: the header bold and frozen,
/// codes and names as text, other numbers as numbers.
#[cfg(feature = "spreadsheets")]
pub fn rows_xlsx(title: &str, sheet: &str, csv: &[u8]) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = workbook(title).map_err(err)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in record.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            if r == 0 {
                ws.write_string_with_format(r, c, cell, &bold)
                    .map_err(err)?;
                let width = UnicodeWidthStr::width(cell) as f64 + 2.0;
                ws.set_column_width(c, width.clamp(8.0, 60.0))
                    .map_err(err)?;
            } else if c >= 2 && cell.parse::<rust_decimal::Decimal>().is_ok() {
                write_number(ws, r, c, cell).map_err(err)?;
            } else if !cell.is_empty() {
                // Codes and names stay text ("001"); a cell the CSV wrote after a `'` (a formula
                // character first) is text in a workbook anyway.
                let text = match cell.strip_prefix('\'') {
                    Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
                    _ => cell,
                };
                ws.write_string(r, c, text).map_err(err)?;
            }
        }
    }
    ws.set_freeze_panes(1, 2).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

/// The sheet 历次趋势 (each unit's total, rank and grade period by period, oldest first, this
/// period last) when the result lists trends (`--history`).
#[cfg(feature = "spreadsheets")]
fn trend_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    report: &Report,
    bold: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let periods = report
        .units
        .iter()
        .map(|u| u.trend.len())
        .max()
        .unwrap_or(0);
    if periods == 0 {
        return Ok(());
    }
    let sheet = book.add_worksheet();
    sheet.set_name("历次趋势")?;
    let mut head = vec!["单位编码".to_string(), "单位名称".to_string()];
    for k in 1..=periods {
        for what in ["总分", "名次", "等次"] {
            head.push(format!("第{k}期{what}"));
        }
    }
    head.extend(["本期总分", "本期名次", "本期等次"].map(String::from));
    for (c, h) in head.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, c, h, bold)?;
        sheet.set_column_width(c, 10.0)?;
    }
    for (r, u) in report.units.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        sheet.write_string(r, 0, spreadsheet_safe(&u.id))?;
        sheet.write_string(r, 1, spreadsheet_safe(&u.name))?;
        let now = crate::previous::TrendPoint {
            total: u.total_display.as_deref().and_then(|t| t.parse().ok()),
            rank: u.rank,
            grade: u.grade.clone(),
        };
        let mut c = 2u16;
        // Periods the unit was not in are blank, aligned on the most recent.
        for _ in u.trend.len()..periods {
            c = c.saturating_add(3);
        }
        for p in u.trend.iter().chain(std::iter::once(&now)) {
            if let Some(t) = p.total {
                write_number(sheet, r, c, &t.to_string())?;
            }
            if let Some(k) = p.rank {
                sheet.write_number(r, c.saturating_add(1), k)?;
            }
            if let Some(g) = &p.grade {
                sheet.write_string(r, c.saturating_add(2), g)?;
            }
            c = c.saturating_add(3);
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    Ok(())
}

/// A new workbook titled `title`, created at a fixed time rather than the clock's: the same
/// content gives the same bytes.
#[cfg(feature = "spreadsheets")]
pub(crate) fn workbook(
    title: &str,
) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    workbook_from(title, None)
}

/// A new workbook as [`workbook`] makes it, with the result's provenance (来源) in its custom
/// properties (文件 → 属性 → 自定义): kaohe's version and the hashes of rules, data and the
/// previous period.
#[cfg(feature = "spreadsheets")]
fn workbook_from(
    title: &str,
    provenance: Option<&crate::provenance::Provenance>,
) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?;
    let mut properties = rust_xlsxwriter::DocProperties::new()
        .set_title(title)
        .set_creation_datetime(&created);
    if let Some(p) = provenance {
        properties = properties
            .set_comment(p.line())
            .set_custom_property("kaohe", p.kaohe.as_str())
            .set_custom_property("rules_sha256", p.rules_sha256.as_str())
            .set_custom_property("data_sha256", p.data_sha256.join(" ").as_str());
        if let Some(prev) = &p.previous_sha256 {
            properties = properties.set_custom_property("previous_sha256", prev.as_str());
        }
    }
    book.set_properties(&properties);
    Ok(book)
}

/// Writes a number as Excel shows it with exactly the decimals written (`97.70` stays
/// `97.70`, not `97.7`): the value as a number, with a number format of that many places.
/// Text that is not a number is written as text.
#[cfg(feature = "spreadsheets")]
pub(crate) fn write_number(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    text: &str,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let Ok(value) = text.parse::<f64>() else {
        sheet.write_string(row, col, text)?;
        return Ok(());
    };
    let places = text.split_once('.').map_or(0, |(_, f)| f.len()).min(10);
    if places == 0 {
        sheet.write_number(row, col, value)?;
    } else {
        let format =
            rust_xlsxwriter::Format::new().set_num_format(format!("0.{}", "0".repeat(places)));
        sheet.write_number_with_format(row, col, value, &format)?;
    }
    Ok(())
}

/// The columns of a result's CSV that depend on its units, as [`csv()`] has them: 上期得分 and
/// 分差 when some unit has a previous total, 备注 when some unit has a remark, each metric (its
/// rank, its sample) and the state when some unit has them, and the items (then cohort items,
/// by index) some unit is assessed on, in the order the report first lists them. A streamed
/// run knows them before its first row ([`crate::Tally::columns`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// 上期得分 and 分差.
    pub previous_total: bool,
    /// 备注.
    pub remarks: bool,
    /// Items by index into the writer's [`ItemColumns`]: for a batch, [`RuleSet::items`] then
    /// cohort items.
    pub items: Vec<usize>,
    /// Metrics (指数), with their rank and sample columns.
    pub metrics: Vec<MetricColumn>,
    /// 状态.
    pub state: bool,
}

/// A metric's columns: its value, its rank when some unit is ranked on it, its sample size and
/// 95 % interval when some unit has a sample (a survey index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricColumn {
    /// Metric id.
    pub id: Name,
    /// Its label (the column header).
    pub label: Name,
    /// Some unit is ranked on it (`…名次`).
    pub ranked: bool,
    /// Some unit has a sample (`…有效样本`, `…95%区间`).
    pub sampled: bool,
}

impl Columns {
    /// The columns of a report's CSV, its items by `items`.
    fn of_report(report: &Report, items: &ItemColumns<'_>) -> Self {
        let units = &report.units;
        let metrics = units
            .first()
            .map(|u| {
                u.metrics
                    .iter()
                    .map(|m| {
                        let any = |f: &dyn Fn(&crate::result::MetricResult) -> bool| {
                            units
                                .iter()
                                .any(|x| x.metrics.iter().any(|y| y.id == m.id && f(y)))
                        };
                        MetricColumn {
                            id: m.id.clone(),
                            label: m.label.clone(),
                            ranked: any(&|y| y.rank.is_some()),
                            sampled: any(&|y| y.sample.is_some()),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            previous_total: units.iter().any(|u| u.previous_total.is_some()),
            remarks: units.iter().any(|u| !u.remarks.is_empty()),
            items: (0..items.ids.len()).collect(),
            metrics,
            state: units.iter().any(|u| state_text(u).is_some()),
        }
    }

    /// The header row, the items named by `labels` (the writer's [`ItemColumns`]).
    fn head(&self, labels: &[&str]) -> Vec<String> {
        let mut head: Vec<String> = SUMMARY_HEAD.iter().map(ToString::to_string).collect();
        if self.previous_total {
            head.extend(["上期得分".to_string(), "分差".to_string()]);
        }
        if self.remarks {
            head.push("备注".into());
        }
        for m in &self.metrics {
            head.push(m.label.to_string());
            if m.ranked {
                head.push(format!("{}名次", m.label));
            }
            if m.sampled {
                head.extend([
                    format!("{}有效样本", m.label),
                    format!("{}95%区间", m.label),
                ]);
            }
        }
        if self.state {
            head.push("状态".into());
        }
        head.extend(
            self.items
                .iter()
                .filter_map(|k| labels.get(*k).map(ToString::to_string)),
        );
        head.push("加分".into());
        head
    }

    /// One unit's row, totals with `places` decimals.
    fn cells(&self, v: &UnitView<'_>, places: u32) -> Vec<Cell> {
        let figure = |t: Option<rust_decimal::Decimal>| {
            num(t.map(|t| crate::figures::display_total(t, places)))
        };
        let mut r = vec![
            num(v.rank.map(|r| r.to_string())),
            Cell::Text(v.id.to_string()),
            Cell::Text(v.name.to_string()),
            Cell::Text(v.cohort.to_string()),
            num(v.total_display.clone()),
            Cell::Text(v.grade.as_deref().unwrap_or_default().to_string()),
            Cell::Text(rank_change_text(v.rank_change)),
            Cell::Text(v.vetoes.join("；")),
            Cell::Text(v.consequences.join("、")),
        ];
        if self.previous_total {
            r.push(figure(v.previous_total));
            r.push(figure(v.total_change));
        }
        if self.remarks {
            r.push(Cell::Text(v.remarks.join("；")));
        }
        for column in &self.metrics {
            let m = v.metrics.iter().find(|m| m.id == column.id);
            r.push(num(m.and_then(|m| m.display.clone())));
            if column.ranked {
                r.push(num(m.and_then(|m| m.rank).map(|x| x.to_string())));
            }
            if column.sampled {
                let sample = m.and_then(|m| m.sample.as_ref());
                r.push(num(sample.map(|s| s.n.to_string())));
                r.push(Cell::Text(sample.map(interval_text).unwrap_or_default()));
            }
        }
        if self.state {
            r.push(Cell::Text(v.state_status().unwrap_or_default().to_string()));
        }
        let mut points = vec![None; self.items.iter().max().map_or(0, |k| k + 1)];
        for (k, p) in v.items.iter() {
            if let Some(slot) = points.get_mut(k) {
                *slot = Some(p);
            }
        }
        r.extend(
            self.items
                .iter()
                .map(|k| num(points.get(*k).copied().flatten().map(|p| p.to_string()))),
        );
        r.push(Cell::Number(v.bonus.to_string()));
        r
    }
}

/// Results written one unit at a time (逐个单位输出), in the order they are given: a streamed
/// run's in input order, [`crate::Rules::csv_batch`]'s in the report's. CSV has the columns and
/// cells of [`csv()`] (metrics and state aside, which neither has); JSON Lines has one
/// [`UnitView`] per line (schema `kaohe-unit`). Both write each unit's view, as the report's
/// writers do.
pub struct UnitWriter<'p, W: std::io::Write> {
    csv: Option<csv::Writer<W>>,
    lines: Option<W>,
    columns: Columns,
    set: &'p RuleSet,
    items: ItemColumns<'p>,
    previous: Option<&'p crate::previous::Previous>,
}

impl<'p, W: std::io::Write> UnitWriter<'p, W> {
    /// A CSV writer with these columns, against the previous period if any (名次变化, and
    /// 上期得分 and 分差 when asked); writes the header row at once.
    pub fn csv(
        set: &'p RuleSet,
        columns: Columns,
        previous: Option<&'p crate::previous::Previous>,
        out: W,
    ) -> std::io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        let items = ItemColumns::of_set(set);
        let head = columns.head(&items.labels);
        w.write_record(head.iter().map(|h| spreadsheet_safe(h).into_owned()))?;
        Ok(Self {
            csv: Some(w),
            lines: None,
            columns,
            set,
            items,
            previous,
        })
    }

    /// A JSON Lines writer, against the previous period if any (名次变化, 上期得分, 分差).
    pub fn json_lines(
        set: &'p RuleSet,
        previous: Option<&'p crate::previous::Previous>,
        out: W,
    ) -> Self {
        Self {
            csv: None,
            lines: Some(out),
            columns: Columns::default(),
            set,
            items: ItemColumns::of_set(set),
            previous,
        }
    }

    /// Writes one unit's result.
    pub fn write(&mut self, unit: &Unit, cohort: &str, score: &UnitScore) -> std::io::Result<()> {
        let view = UnitView::of_score(self.set, &self.items, unit, cohort, score, self.previous);
        if let Some(w) = self.csv.as_mut() {
            let row = self.columns.cells(&view, self.set.decimals);
            w.write_record(row.iter().map(|c| c.text().into_owned()))?;
        }
        if let Some(w) = self.lines.as_mut() {
            write_line(w, &view)?;
        }
        Ok(())
    }

    /// Flushes what is written and gives back the CSV's writer (`None` for JSON Lines).
    pub fn into_inner(self) -> Option<W> {
        self.csv.and_then(|w| w.into_inner().ok())
    }

    /// Gives back the JSON Lines writer (`None` for CSV).
    pub fn into_lines(self) -> Option<W> {
        self.lines
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(w) = self.csv.as_mut() {
            w.flush()?;
        }
        if let Some(w) = self.lines.as_mut() {
            w.flush()?;
        }
        Ok(())
    }
}

/// One JSON Lines line: the view and a line break.
fn write_line(w: &mut impl std::io::Write, view: &UnitView<'_>) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, view)?;
    w.write_all(b"\n")
}

/// A report as JSON Lines (`--format jsonl`): one [`UnitView`] per unit, in input order — the
/// lines a batch run of the same units writes, with the metrics and state only a report has.
pub fn write_json_lines(w: &mut dyn std::io::Write, report: &Report) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let items = ItemColumns::of_results(&report.units);
    let mut order: Vec<&UnitResult> = report.units.iter().collect();
    order.sort_by_key(|u| u.input);
    for u in order {
        write_line(&mut w, &UnitView::of_result(u, &items))?;
    }
    std::io::Write::flush(&mut w)
}
