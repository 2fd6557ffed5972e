//! A published 评分细则 table → rubric rows: the file's rows (spreadsheet or CSV in UTF-8,
//! UTF-16 or GBK), the header found by its words, section rows (“一、组织领导（25分）”), the
//! stated total (合计), and each item with its label, maximum and wording. Cells a merged
//! 考核项目 leaves empty take the value above.

use crate::messages::import as msg;
use crate::messages::Message;
use rust_decimal::Decimal;
use std::str::FromStr;

/// How many rows from the top may hold the header.
pub const HEADER_SEARCH_ROWS: usize = 15;

/// A row of the file: its 1-based number and its cells' texts.
pub type FileRow = (usize, Vec<String>);

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// Scored items (a category, 大类).
    Scored,
    /// Bonus items (加分项).
    Bonus,
    /// One-vote vetoes (一票否决).
    Veto,
}

/// A section (大类) of the rubric.
#[derive(Debug, Clone)]
pub struct Section {
    /// Its row in the file.
    pub row: usize,
    /// Its name without numbering or points (“组织领导”).
    pub name: String,
    /// The points it states, if any.
    pub max: Option<Decimal>,
    /// What it holds.
    pub kind: SectionKind,
}

/// One item (考核项目) of the rubric.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its row in the file.
    pub row: usize,
    /// The section it is under (index into [`Rubric::sections`]).
    pub section: Option<usize>,
    /// A short name (考核项目, or the start of 考核内容).
    pub label: String,
    /// 考核内容.
    pub content: String,
    /// 分值; `None` when blank.
    pub max: Option<Decimal>,
    /// 评分标准 (or 考核内容 when there is no such column).
    pub standard: String,
    /// 考核方式.
    pub method: String,
    /// 责任单位.
    pub owner: String,
}

/// A rubric as read from its table.
#[derive(Debug, Clone, Default)]
pub struct Rubric {
    /// A title found above the header (“××县禁毒工作考核评分细则”).
    pub title: Option<String>,
    /// The total a 合计/总分 row states, and its row.
    pub total: Option<(Decimal, usize)>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// The items, in order.
    pub items: Vec<Item>,
    /// Cells that could not be read (I0203).
    pub findings: Vec<Message>,
}

/// A column's role, from its header's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Seq,
    Item,
    Content,
    Max,
    Standard,
    Method,
    Owner,
}

fn role(header: &str) -> Option<Role> {
    let h: String = header
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    let h = h.split('(').next().unwrap_or("");
    if h.is_empty() {
        return None;
    }
    const RULES: &[(&[&str], Role)] = &[
        (&["序号", "编号"], Role::Seq),
        (&["分值", "分数", "标准分", "满分", "权重", "分"], Role::Max),
        (
            &["评分", "计分", "扣分", "标准", "细则", "评分办法"],
            Role::Standard,
        ),
        (&["方式", "方法", "办法", "途径"], Role::Method),
        (&["责任", "牵头", "单位", "部门"], Role::Owner),
        (&["内容", "要点", "二级指标", "考核要求"], Role::Content),
        (&["项目", "指标", "类别", "一级指标"], Role::Item),
    ];
    // Whole words first (分值, 考核内容 …), then words within.
    for (words, r) in RULES {
        if words.contains(&h) {
            return Some(*r);
        }
    }
    RULES
        .iter()
        .find(|(words, _)| words.iter().any(|w| w.chars().count() > 1 && h.contains(w)))
        .map(|(_, r)| *r)
}

/// Most rows a rubric may have: published ones have tens to a few hundred.
pub const MAX_ROWS: usize = 5_000;
/// Largest rubric file read.
pub const MAX_BYTES: usize = 16 << 20;

/// The rows of a rubric file: a spreadsheet's first sheet with data, or a CSV; refused past
/// [`MAX_ROWS`] rows or [`MAX_BYTES`] bytes, so that no file holds the import for long.
pub fn read_rows(name: &str, bytes: &[u8]) -> Result<Vec<FileRow>, Message> {
    let too_large = || msg::too_large(name, MAX_ROWS, MAX_BYTES);
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    let rows = file_rows(name, bytes)?;
    if rows.len() > MAX_ROWS {
        return Err(too_large());
    }
    Ok(rows)
}

fn file_rows(name: &str, bytes: &[u8]) -> Result<Vec<FileRow>, Message> {
    use crate::data::RowsError;
    let rows = crate::data::plain_rows(name, bytes).map_err(|e| match e {
        RowsError::Unsupported => msg::unsupported(name),
        RowsError::Unreadable(why) => msg::unreadable(name, &why),
        RowsError::Csv { line, why } => msg::unreadable_csv(name, line, &why),
    })?;
    Ok(rows
        .into_iter()
        .map(|(r, cells)| (r, cells.iter().map(|c| clean(c)).collect()))
        .collect())
}

/// A cell's text: trimmed, line breaks inside it removed (a wrapped Chinese sentence).
fn clean(cell: &str) -> String {
    cell.lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("")
        .trim()
        .to_string()
}

/// A number as rubrics write it: `5`, `5分`, `０.５`, `5.0`; `None` when it is not one.
pub fn number(text: &str) -> Option<Decimal> {
    let t: String = super::patterns::normalize(text);
    let t = t.trim_end_matches('分').trim();
    Decimal::from_str(t).ok().map(|d| d.normalize())
}

/// The points a heading states: “一、组织领导（25分）” → 25.
fn stated_points(text: &str) -> Option<Decimal> {
    let t = super::patterns::normalize(text);
    let open = t.rfind(['(', '（'])?;
    let inner = t[open..]
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）']);
    // “（25分）” “（共20分）” “（累计不超过5分）”: the number just before 分.
    let digits = inner.strip_suffix('分')?;
    let start = digits
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .last()
        .map(|(i, _)| i)?;
    Decimal::from_str(&digits[start..])
        .ok()
        .map(|d| d.normalize())
}

/// A heading's name without its numbering and points: “一、组织领导（25分）” → “组织领导”.
fn heading_name(text: &str) -> String {
    let mut t = text.trim();
    if let Some(open) = t.rfind(['(', '（']) {
        if stated_points(t).is_some() {
            t = t[..open].trim();
        }
    }
    strip_numbering(t).to_string()
}

/// “一、” “（二）” “第三部分” “3.” removed from the start of a heading.
fn strip_numbering(t: &str) -> &str {
    let numeral = |c: char| "一二三四五六七八九十百零0123456789".contains(c);
    let mut s = t.trim_start_matches(['(', '（']);
    let start_len = s.len();
    if let Some(rest) = s.strip_prefix('第') {
        s = rest;
    }
    let rest = s.trim_start_matches(numeral);
    if rest.len() == s.len() {
        return t;
    }
    let rest = rest
        .trim_start_matches(['部', '分', '类', '项'])
        .trim_start_matches([')', '）', '、', '.', '．', ' ', '：', ':']);
    if rest.len() == start_len {
        t
    } else {
        rest.trim()
    }
}

/// Whether a text opens as a numbered heading: “一、…” “第一部分 …”.
fn is_heading(t: &str) -> bool {
    let mut chars = t.trim_start_matches(['(', '（']).chars();
    let first = chars.next();
    let chinese = |c: char| "一二三四五六七八九十".contains(c);
    match first {
        Some('第') => chars.next().is_some_and(chinese),
        Some(c) if chinese(c) => {
            let rest: String = t.chars().skip_while(|c| chinese(*c)).take(1).collect();
            matches!(rest.as_str(), "、" | "." | "．" | "）" | ")")
        }
        _ => false,
    }
}

fn section_kind(name: &str) -> SectionKind {
    if name.contains("否决") {
        SectionKind::Veto
    } else if name.contains("加分") || name.contains("奖励分") {
        SectionKind::Bonus
    } else {
        SectionKind::Scored
    }
}

/// The first short phrase of a text, as an item's label: up to the first punctuation, at
/// most 20 characters.
pub fn short(text: &str) -> String {
    let head: String = text
        .chars()
        .take_while(|c| !"，。；：,;:（(".contains(*c))
        .collect();
    let head = if head.is_empty() { text } else { &head };
    head.chars().take(20).collect()
}

/// The rubric in a file's rows.
pub fn rubric(rows: &[FileRow]) -> Result<Rubric, Message> {
    let Some(h) = rows.iter().take(HEADER_SEARCH_ROWS).position(|(_, cells)| {
        let roles: Vec<Option<Role>> = cells.iter().map(|c| role(c)).collect();
        roles.contains(&Some(Role::Max))
            && roles
                .iter()
                .any(|r| matches!(r, Some(Role::Item | Role::Content | Role::Standard)))
    }) else {
        return Err(msg::no_header(HEADER_SEARCH_ROWS));
    };
    let mut out = Rubric {
        title: rows[..h]
            .iter()
            .flat_map(|(_, c)| c.iter())
            .filter(|c| !c.is_empty())
            .max_by_key(|c| c.chars().count())
            .cloned(),
        ..Rubric::default()
    };
    let header = &rows[h].1;
    let col = |r: Role| header.iter().position(|c| role(c) == Some(r));
    let (seq, item, content, max, standard, method, owner) = (
        col(Role::Seq),
        col(Role::Item),
        col(Role::Content),
        col(Role::Max),
        col(Role::Standard),
        col(Role::Method),
        col(Role::Owner),
    );
    let get = |cells: &[String], c: Option<usize>| -> String {
        c.and_then(|c| cells.get(c)).cloned().unwrap_or_default()
    };
    // Raw item rows, the 考核项目 cell filled down where a merged cell left it empty.
    struct Raw {
        row: usize,
        section: Option<usize>,
        project: String,
        given: bool,
        content: String,
        max: String,
        standard: String,
        method: String,
        owner: String,
    }
    let mut raws: Vec<Raw> = Vec::new();
    let mut last_project = String::new();
    for (row, cells) in &rows[h + 1..] {
        let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
        let Some(first) = filled.first() else {
            continue;
        };
        let max_text = get(cells, max);
        // A total: 合计 / 总分.
        if filled
            .iter()
            .any(|c| ["合计", "总分", "总计"].iter().any(|w| c.starts_with(w)))
        {
            let points = number(&max_text)
                .or_else(|| filled.iter().find_map(|c| stated_points(c)))
                .or_else(|| filled.iter().find_map(|c| number(c)));
            if let Some(p) = points {
                out.total = Some((p, *row));
            }
            continue;
        }
        let std_text = get(cells, standard);
        let content_text = get(cells, content);
        // A section: a numbered heading, or a lone “…（N分）” heading, with no standard.
        let lone = filled.len() == 1 || (filled.len() == 2 && !max_text.is_empty());
        let heading = (is_heading(first) || (lone && stated_points(first).is_some()))
            && (std_text.is_empty() || lone)
            && (std_text.is_empty() || std_text == **first)
            && (content_text.is_empty() || content_text == **first);
        if heading && (lone || seq.is_some_and(|s| cells.get(s) == Some(*first))) {
            let name = heading_name(first);
            out.sections.push(Section {
                row: *row,
                kind: section_kind(&name),
                max: stated_points(first).or_else(|| number(&max_text)),
                name,
            });
            last_project.clear();
            continue;
        }
        let project = get(cells, item);
        let given = !project.is_empty();
        if given {
            last_project = project.clone();
        }
        raws.push(Raw {
            row: *row,
            section: out.sections.len().checked_sub(1),
            project: if given { project } else { last_project.clone() },
            given,
            content: content_text,
            max: max_text,
            standard: std_text,
            method: get(cells, method),
            owner: get(cells, owner),
        });
    }
    // Without section rows, a 考核项目 column beside a 考核内容 column names the sections.
    let projects_are_sections = out.sections.is_empty()
        && content.is_some()
        && item.is_some()
        && raws.iter().any(|r| !r.project.is_empty());
    if projects_are_sections {
        for r in &mut raws {
            let name = heading_name(&r.project);
            let new = r.given || out.sections.last().is_none_or(|s: &Section| s.name != name);
            if new && !name.is_empty() {
                out.sections.push(Section {
                    row: r.row,
                    kind: section_kind(&name),
                    max: stated_points(&r.project),
                    name,
                });
            }
            r.section = out.sections.len().checked_sub(1);
            r.project.clear();
        }
    }
    // How many rows each 考核项目 spans: a project over several rows labels each by its content.
    for (i, r) in raws.iter().enumerate() {
        let spans = raws
            .get(i + 1)
            .is_some_and(|n| !n.given && n.project == r.project && !r.project.is_empty())
            || !r.given;
        let label = if (spans || r.project.is_empty()) && !r.content.is_empty() {
            short(&r.content)
        } else if !r.project.is_empty() {
            heading_name(&r.project)
        } else {
            short(&r.standard)
        };
        let max = if r.max.is_empty() {
            None
        } else {
            match number(&r.max) {
                Some(m) => Some(m),
                None => {
                    out.findings.push(msg::bad_max(r.row, &r.max));
                    Some(Decimal::ZERO)
                }
            }
        };
        let standard = if r.standard.is_empty() {
            r.content.clone()
        } else {
            r.standard.clone()
        };
        if label.is_empty() && standard.is_empty() {
            continue;
        }
        out.items.push(Item {
            row: r.row,
            section: r.section,
            label,
            content: r.content.clone(),
            max,
            standard,
            method: r.method.clone(),
            owner: r.owner.clone(),
        });
    }
    if out.items.is_empty() {
        return Err(msg::no_items());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert_eq!(heading_name("一、组织领导（25分）"), "组织领导");
        assert_eq!(
            stated_points("一、组织领导（25分）"),
            Some(Decimal::from(25))
        );
        assert_eq!(
            stated_points("二、宣传教育(共20分)"),
            Some(Decimal::from(20))
        );
        assert!(is_heading("三、禁种铲毒（15分）"));
        assert!(!is_heading("三个落实"));
        assert_eq!(heading_name("第二部分 加分项"), "加分项");
        assert_eq!(number("５分"), Some(Decimal::from(5)));
        assert_eq!(role("评分标准"), Some(Role::Standard));
        assert_eq!(role("考核项目"), Some(Role::Item));
        assert_eq!(role("分值（分）"), Some(Role::Max));
        assert_eq!(role("责任单位"), Some(Role::Owner));
        assert_eq!(role("考核方式"), Some(Role::Method));
        assert_eq!(role("考核内容"), Some(Role::Content));
    }
}
