//! Importing a published rubric (导入评分细则, `kaohe import`): a 评分细则 table (考核项目 / 考核内容 /
//! 分值 / 评分标准 [/ 考核方式 / 责任单位]) → a rule-set skeleton in kaohe's language.
//!
//! `table` reads the file's rows and finds the header, sections and items; `patterns` turns a
//! wording it knows into a scoring shape with the field it reads; `names` gives fields and
//! items English identifiers; `writer` writes the script. Items whose wording is not
//! recognised become `todo(…)`, which `kaohe check` reports (I0101) at its line until the rule
//! editor writes the shape. The rubric's own numbers are checked on the way (I0201, I0202).

pub(crate) mod names;
pub(crate) mod patterns;
pub(crate) mod table;
mod writer;

pub use table::{MAX_BYTES, MAX_ROWS};

use crate::figures::fmt;
use crate::messages::import as msg;
use crate::messages::Message;
use names::Names;
use patterns::{FieldKind, NewField, Recognised, Shape};
use rust_decimal::Decimal;
use table::{Rubric, SectionKind};

/// What the command line may set.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The rule set's id (`--id`); default: from the file's name.
    pub id: Option<String>,
    /// The rule set's title (`--title`); default: the title above the table, or the file's name.
    pub title: Option<String>,
}

/// An imported rubric.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The rule script.
    pub script: String,
    /// Each item's id and its shape's key, `None` when left to do, in the rubric's order.
    pub items: Vec<(String, Option<&'static str>)>,
    /// How many vetoes were declared.
    pub vetoes: usize,
    /// What the rubric's numbers contradict, and cells that could not be read.
    pub findings: Vec<Message>,
}

impl Imported {
    /// Items turned into scoring shapes.
    pub fn shaped(&self) -> usize {
        self.items.iter().filter(|i| i.1.is_some()).count()
    }

    /// Items left to do.
    pub fn todo(&self) -> usize {
        self.items.iter().filter(|i| i.1.is_none()).count()
    }
}

/// A generated field.
#[derive(Debug, Clone)]
pub(crate) struct PlanField {
    id: String,
    label: String,
    kind: FieldKind,
    row: usize,
    /// Counted occurrences: blank is 0.
    counted: bool,
    /// A veto's trigger: blank is 否.
    veto: bool,
}

/// An item as it is written.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    row: usize,
    id: String,
    label: String,
    category: Option<String>,
    max: Decimal,
    text: String,
    /// The shape's lines; `None`: `todo`.
    shape: Option<String>,
    key: Option<&'static str>,
    bonus: bool,
    heading: Option<String>,
    notes: Vec<(&'static str, String)>,
}

/// A veto as it is written.
#[derive(Debug, Clone)]
pub(crate) struct PlanVeto {
    row: usize,
    id: String,
    label: String,
    field: String,
    reason: String,
}

/// Everything the writer writes.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    id: String,
    title: String,
    source: String,
    total: Decimal,
    bonus_max: Option<Decimal>,
    categories: Vec<(String, Decimal, usize)>,
    fields: Vec<PlanField>,
    entries: Vec<Entry>,
    vetoes: Vec<PlanVeto>,
}

impl Plan {
    /// The id of a field with this label and kind, declared now if new.
    fn field(
        &mut self,
        names: &mut Names,
        f: &NewField,
        row: usize,
        counted: bool,
        veto: bool,
    ) -> String {
        if let Some(p) = self
            .fields
            .iter()
            .find(|p| p.label == f.label && p.kind == f.kind)
        {
            return p.id.clone();
        }
        let fallback = format!("f{}", self.fields.len() + 1);
        let id = names.make("", &f.label, &fallback);
        self.fields.push(PlanField {
            id: id.clone(),
            label: f.label.clone(),
            kind: f.kind,
            row,
            counted,
            veto,
        });
        id
    }
}

/// An identifier made of a file's name: ASCII letters, digits, `-` and `_`; `imported` when
/// nothing is left.
fn id_of(stem: &str) -> String {
    let id: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect::<String>()
        .to_ascii_lowercase();
    if id.is_empty() {
        "imported".to_string()
    } else {
        id
    }
}

/// Imports the rubric in `bytes`, named `name` (its extension decides how it is read: a
/// workbook's first sheet with the `spreadsheets` feature, else CSV in any encoding kaohe
/// reads). A file it cannot read, or a table without a 评分细则 header, is an `I00xx` message.
///
/// ```
/// let rubric = "考核项目,考核内容,分值,评分标准\n\
///               组织领导,按时召开会议,10,每缺一次扣2分\n\
///               合计,,10,\n";
/// let options = kaohe::import::Options { id: Some("demo".into()), title: Some("示例".into()) };
/// let imported = kaohe::import::import("细则.csv", rubric.as_bytes(), &options)
///     .map_err(|e| e.to_string())?;
/// assert_eq!(imported.shaped() + imported.todo(), 1);
/// assert!(imported.script.contains("ruleset("));
/// # Ok::<(), String>(())
/// ```
pub fn import(name: &str, bytes: &[u8], options: &Options) -> Result<Imported, Message> {
    let rows = table::read_rows(name, bytes)?;
    let rubric = table::rubric(&rows)?;
    Ok(from_rubric(name, &rubric, options))
}

/// The skeleton of a rubric already read.
pub(crate) fn from_rubric(name: &str, rubric: &Rubric, options: &Options) -> Imported {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let mut findings = rubric.findings.clone();
    let title = options
        .title
        .clone()
        .or_else(|| rubric.title.clone())
        .unwrap_or_else(|| stem.to_string());
    // The items each section holds, and its maximum: stated, or the sum of its items.
    let items_of = |s: usize| rubric.items.iter().filter(move |i| i.section == Some(s));
    let mut categories = Vec::new();
    let mut bonus_max = None;
    let mut scored_rows = Vec::new();
    let mut scored_sum = Decimal::ZERO;
    for (k, s) in rubric.sections.iter().enumerate() {
        let sum: Decimal = items_of(k).filter_map(|i| i.max).sum();
        let listed: Vec<usize> = items_of(k)
            .filter(|i| i.max.is_some())
            .map(|i| i.row)
            .collect();
        match s.kind {
            SectionKind::Scored => {
                if let Some(m) = s.max {
                    if m != sum && !listed.is_empty() {
                        findings.push(msg::section_sum(
                            s.row,
                            &s.name,
                            &fmt(m),
                            &listed,
                            &fmt(sum),
                        ));
                    }
                }
                let max = s.max.unwrap_or(sum);
                scored_rows.push(s.row);
                scored_sum += max;
                categories.push((s.name.clone(), max, s.row));
            }
            SectionKind::Bonus => {
                bonus_max = Some(bonus_max.unwrap_or(Decimal::ZERO) + s.max.unwrap_or(sum));
            }
            SectionKind::Veto => {}
        }
    }
    let unsectioned: Decimal = rubric
        .items
        .iter()
        .filter(|i| i.section.is_none())
        .filter_map(|i| i.max)
        .sum();
    let total = rubric.total.map_or(Decimal::ONE_HUNDRED, |t| t.0);
    let sum = scored_sum + unsectioned;
    if sum != total {
        let rows: Vec<usize> = if scored_rows.is_empty() {
            rubric.items.iter().map(|i| i.row).collect()
        } else {
            scored_rows
        };
        findings.push(msg::total_sum(
            &rows,
            &fmt(sum),
            &fmt(total),
            rubric.total.map(|t| t.1),
        ));
    }
    let mut plan = Plan {
        id: options.id.clone().unwrap_or_else(|| id_of(stem)),
        title,
        source: file.to_string(),
        total,
        bonus_max,
        categories,
        fields: Vec::new(),
        entries: Vec::new(),
        vetoes: Vec::new(),
    };
    let mut field_names = Names::reserving(&["code", "name"]);
    let mut item_names = Names::default();
    let mut numbers = vec![0usize; rubric.sections.len() + 1];
    for item in &rubric.items {
        let section = item.section.map(|s| &rubric.sections[s]);
        let kind = section.map_or(SectionKind::Scored, |s| s.kind);
        let bonus = kind == SectionKind::Bonus || item.label.starts_with("加分");
        let r: Recognised = patterns::recognise(&item.label, item.max, &item.standard, bonus);
        let slot = item.section.map_or(0, |s| s + 1);
        numbers[slot] += 1;
        let prefix = match (section, bonus) {
            (_, true) => "bonus".to_string(),
            (Some(s), _) => names::section_prefix(&s.name, item.section.unwrap_or(0)),
            (None, _) => "item".to_string(),
        };
        let heading = section.map(|s| s.name.clone());
        // A veto: declared by the wording, or every row of a 一票否决 section.
        let veto_field = if kind == SectionKind::Veto && !item.label.is_empty() {
            Some(NewField {
                label: item.label.clone(),
                kind: FieldKind::Bool,
            })
        } else {
            r.veto.clone()
        };
        if let Some(f) = &veto_field {
            let field = plan.field(&mut field_names, f, item.row, false, true);
            let id = item_names.make("veto.", &f.label, &format!("v{}", plan.vetoes.len() + 1));
            plan.vetoes.push(PlanVeto {
                row: item.row,
                id,
                label: f.label.clone(),
                field,
                reason: item.standard.clone(),
            });
        }
        let max = item.max.or(r.max);
        let veto_only =
            veto_field.is_some() && (kind == SectionKind::Veto || max.is_none_or(|m| m.is_zero()));
        if veto_only {
            continue;
        }
        let max = max.unwrap_or(Decimal::ZERO);
        let (shape, key) = match &r.shape {
            Some(s) => {
                let (list, counted): (Vec<&NewField>, bool) = match s {
                    Shape::Deduct { list, .. } | Shape::Count { list } => {
                        (list.iter().map(|p| &p.field).collect(), true)
                    }
                    Shape::Bands { field, .. }
                    | Shape::Target { field, .. }
                    | Shape::Linear { field, .. } => (vec![field], false),
                    Shape::Zero { field } => (vec![field], true),
                    Shape::Yes { field } => (vec![field], false),
                };
                let ids: Vec<String> = list
                    .iter()
                    .map(|f| plan.field(&mut field_names, f, item.row, counted, false))
                    .collect();
                (Some(writer::shape_text(s, &ids, max)), Some(s.key()))
            }
            None => (None, None),
        };
        let id = item_names.make(
            &format!("{prefix}."),
            &item.label,
            &format!("{}", numbers[slot]),
        );
        let mut notes = Vec::new();
        if !item.content.is_empty() && item.content != item.standard && item.content != item.label {
            notes.push(("考核内容", item.content.clone()));
        }
        if !item.method.is_empty() {
            notes.push(("考核方式", item.method.clone()));
        }
        if !item.owner.is_empty() {
            notes.push(("责任单位", item.owner.clone()));
        }
        if shape.is_some() && item.standard.contains("不适用") {
            notes.push((
                "核对",
                "原文有不适用的情形，须补写 applies 或 na: \"full\"".to_string(),
            ));
        }
        plan.entries.push(Entry {
            row: item.row,
            id,
            label: item.label.clone(),
            category: section
                .filter(|s| s.kind == SectionKind::Scored && !bonus)
                .map(|s| s.name.clone()),
            max,
            text: item.standard.clone(),
            shape,
            key,
            bonus,
            heading,
            notes,
        });
    }
    if plan.bonus_max.is_none() && plan.entries.iter().any(|e| e.bonus) {
        plan.bonus_max = Some(plan.entries.iter().filter(|e| e.bonus).map(|e| e.max).sum());
    }
    Imported {
        script: writer::write(&plan),
        items: plan.entries.iter().map(|e| (e.id.clone(), e.key)).collect(),
        vetoes: plan.vetoes.len(),
        findings,
    }
}

/// Exit code of a file that cannot be read or written (as the CLI's).
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
const EXIT_IO: u8 = 1;
/// Exit code of a rubric that cannot be imported (as the CLI's data errors).
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
const EXIT_DATA: u8 = 4;

/// `kaohe import RUBRIC [--out NAME.rhai] [--id ID] [--title TITLE]`: writes the skeleton to
/// `out` (or standard output) and the findings and summary to standard error. `Err`: the
/// exit code and the message to print.
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub(crate) fn command(
    rubric: &std::path::Path,
    out: Option<&std::path::Path>,
    options: &Options,
    lang: crate::Lang,
) -> Result<(), (u8, String)> {
    use std::io::Write as _;
    let name = rubric.display().to_string();
    let bytes = if rubric.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(rubric)
    };
    let bytes = bytes.map_err(|e| {
        (
            EXIT_IO,
            crate::messages::cli::cannot_read(&name, &e.to_string()).render(lang),
        )
    })?;
    let imported = import(&name, &bytes, options).map_err(|m| (EXIT_DATA, m.render(lang)))?;
    let mut err = std::io::stderr();
    for f in &imported.findings {
        let _ = writeln!(
            err,
            "{}",
            crate::messages::render_note_parts(lang, f.code, f.text.get(lang), f.help.as_ref())
        );
    }
    let written = match out {
        Some(path) => {
            std::fs::write(path, &imported.script).map_err(|e| {
                (
                    EXIT_IO,
                    crate::messages::cli::cannot_write(&path.display().to_string(), &e.to_string())
                        .render(lang),
                )
            })?;
            path.display().to_string()
        }
        None => {
            let _ = std::io::stdout().write_all(imported.script.as_bytes());
            "-".to_string()
        }
    };
    let summary = msg::summary(
        &written,
        imported.items.len(),
        imported.shaped(),
        imported.todo(),
        imported.vetoes,
    );
    let _ = writeln!(
        err,
        "{}",
        crate::messages::render_note_parts(
            lang,
            summary.code,
            summary.text.get(lang),
            summary.help.as_ref()
        )
    );
    Ok(())
}
