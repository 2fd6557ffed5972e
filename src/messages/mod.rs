//! The message catalogue (消息目录): every message a person reads — a rule error, a data
//! error, a rule that failed while scoring, a test case that failed, the CLI's own words —
//! has a stable code, a zh-CN text and an English text, and where a fix is known, a hint
//! in both languages.
//!
//! Each phase keeps its messages in its own file (`rules`, `data`, `eval`, `cases`, `cli`,
//! `survey`, `collect`),
//! one function per kind of message; `KINDS` in each file lists its codes with a short
//! title, and a test checks that every code is listed once and used.
//!
//! Codes: `R` rule scripts (规则), `D` data (数据), `E` evaluation (运行), `T` rule test cases
//! (测试用例), `C` the command line (命令行), `S` surveys (问卷: declarations and respondents'
//! answers), `F` data collection (数据收集: the form a rule set gives units, and the merge of
//! the returned forms), `I` importing a published rubric (导入评分细则). A code never changes meaning once released.

pub mod cases;
pub mod cli;
pub mod collect;
pub mod data;
pub mod eval;
pub mod import;
pub mod rules;
pub mod survey;

use serde::Serialize;
use std::fmt;

/// The language a person reads messages in (语言). zh-CN first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Lang {
    /// 简体中文.
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Reads a language name: `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en_US` … (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        let n = name.trim().to_ascii_lowercase();
        if n.starts_with("zh") {
            Some(Self::Zh)
        } else if n.starts_with("en") || n == "c" || n == "posix" || n.starts_with("c.") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The language of a POSIX locale as the environment gives it: the first set of
    /// `LC_ALL`, `LC_MESSAGES`, `LANG` decides; a Chinese locale gives zh-CN, any other
    /// (or none) English.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Self {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| var(k).filter(|v| !v.trim().is_empty()))
            .map_or(Self::En, |v| {
                if v.trim().to_ascii_lowercase().starts_with("zh") {
                    Self::Zh
                } else {
                    Self::En
                }
            })
    }
}

/// The part of the message catalogue a code belongs to (消息种类), by the code's first letter.
/// A code (`D0201`) never changes meaning once released, so matching on [`ErrorKind`] and on
/// the code's text is stable; `kaohe codes` lists every code with its title. More kinds may
/// come, so a `match` needs a `_` arm.
///
/// ```
/// use kaohe::ErrorKind;
/// assert_eq!(ErrorKind::from_code("R0102"), Some(ErrorKind::Rule));
/// assert_eq!(ErrorKind::from_code("D0201"), Some(ErrorKind::Data));
/// assert_eq!(ErrorKind::Data.letter(), 'D');
/// assert_eq!(ErrorKind::from_code("X0001"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `R…`: a mistake in a rule script (规则错误), found while compiling it.
    Rule,
    /// `D…`: a problem in a data file (数据错误): a bad cell, a missing column, a unit twice.
    Data,
    /// `E…`: a rule that failed while scoring a unit (运行错误), or a runaway stopped.
    Eval,
    /// `T…`: a rule test case (测试用例) whose expectation is not met, or a coverage gap.
    Case,
    /// `C…`: the command line's own messages (命令行).
    Cli,
    /// `S…`: a survey (问卷): its declarations, a respondents' header, row or counts.
    Survey,
    /// `F…`: data collection (数据收集): the form and the merge of returned forms.
    Collect,
    /// `I…`: importing a published rubric (导入评分细则).
    Import,
}

impl ErrorKind {
    const LETTERS: [(char, Self); 8] = [
        ('R', Self::Rule),
        ('D', Self::Data),
        ('E', Self::Eval),
        ('T', Self::Case),
        ('C', Self::Cli),
        ('S', Self::Survey),
        ('F', Self::Collect),
        ('I', Self::Import),
    ];

    /// The kind of a catalogue code (`R0102` → [`ErrorKind::Rule`]); `None` for a text that
    /// is not one.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        let mut chars = code.chars();
        let letter = chars.next()?;
        let digits = chars.as_str();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::LETTERS
            .iter()
            .find(|(l, _)| *l == letter)
            .map(|(_, k)| *k)
    }

    /// The letter its codes begin with.
    #[must_use]
    pub fn letter(self) -> char {
        Self::LETTERS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or('?', |(l, _)| *l)
    }
}

/// One text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// 简体中文.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its two renderings.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// `Display` gives the English text, the form logs and `Error::to_string` use; a person
/// reads [`Text::get`] in their language.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// One message of the catalogue (消息): its code, what is wrong, and how to fix it. The error
/// of the jobs beside scoring (a form, an import, a workbook to write); `Display` gives the
/// English words, [`Message::render`] what a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The stable code (`D0103` …).
    pub(crate) code: &'static str,
    /// What is wrong.
    pub(crate) text: Text,
    /// How to fix it, where a fix is known.
    pub(crate) help: Option<Text>,
}

impl Message {
    /// The catalogue code (`C0011`): stable, never reused for another message.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The part of the catalogue its code belongs to.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code).unwrap_or(ErrorKind::Cli)
    }

    /// What is wrong, in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> &str {
        self.text.get(lang)
    }

    /// How to fix it (提示), in `lang`, where a fix is known.
    #[must_use]
    pub fn hint(&self, lang: Lang) -> Option<&str> {
        self.help.as_ref().map(|h| h.get(lang))
    }

    /// A message without a hint.
    pub(crate) fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            text: Text::new(zh, en),
            help: None,
        }
    }

    /// Adds the hint (提示).
    #[must_use]
    pub(crate) fn help(mut self, zh: impl Into<String>, en: impl Into<String>) -> Self {
        self.help = Some(Text::new(zh, en));
        self
    }

    /// Adds a hint that may be absent.
    #[must_use]
    pub(crate) fn maybe_help(mut self, help: Option<Text>) -> Self {
        self.help = help;
        self
    }
}

impl Message {
    /// The message as a person reads it in `lang`: `错误[C0001]：…` and the hint below.
    #[must_use]
    pub fn render(&self, lang: Lang) -> String {
        render_parts(lang, self.code, self.text.get(lang), self.help.as_ref())
    }
}

/// The English words, without the code, for logs.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text.en)
    }
}

impl std::error::Error for Message {}

/// `error[CODE]: ` in `lang`, then `what`, then the hint on its own line.
pub fn render_parts(lang: Lang, code: &str, what: &str, help: Option<&Text>) -> String {
    render_headed(lang, lang.words().error, code, what, help)
}

/// As [`render_parts`], for a warning rather than an error: `警告[CODE]：…` / `warning[CODE]: …`.
pub fn render_warning_parts(lang: Lang, code: &str, what: &str, help: Option<&Text>) -> String {
    render_headed(lang, lang.words().warning, code, what, help)
}

/// As [`render_parts`], for a note rather than an error: `说明[CODE]：…` / `note[CODE]: …`.
pub fn render_note_parts(lang: Lang, code: &str, what: &str, help: Option<&Text>) -> String {
    render_headed(lang, lang.words().note, code, what, help)
}

fn render_headed(lang: Lang, head: &str, code: &str, what: &str, help: Option<&Text>) -> String {
    let w = lang.words();
    let mut out = format!("{head}[{code}]{}{what}", w.colon);
    if let Some(h) = help {
        out.push_str(&format!("\n  {}{}{}", w.help, w.colon, h.get(lang)));
    }
    out
}

/// Every kind of message in the catalogue: (code, 中文标题, English title), by phase.
pub fn all_kinds() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    rules::KINDS
        .iter()
        .chain(data::KINDS)
        .chain(eval::KINDS)
        .chain(cases::KINDS)
        .chain(cli::KINDS)
        .chain(survey::KINDS)
        .chain(collect::KINDS)
        .chain(import::KINDS)
}

/// The closest of `known` to `name` by edit distance ("did you mean"), when close enough to
/// be a slip: short names (Chinese values are often one or two characters) must be very close.
pub(crate) fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = if len <= 3 { 1 } else { 2.max(len / 3) };
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = edit_distance(name, k);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.filter(|(d, k)| *d < k.chars().count() && *d <= limit)
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let v = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A spreadsheet's column letter (列号) for a 1-based column: 1 → `A`, 27 → `AA`; `""` for 0.
pub fn column_letter(column: usize) -> String {
    let mut n = column;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The word for "error" and "help" and the separators, by language.
pub(crate) struct Words {
    pub error: &'static str,
    pub warning: &'static str,
    pub note: &'static str,
    pub help: &'static str,
    pub colon: &'static str,
}

impl Lang {
    pub(crate) fn words(self) -> Words {
        match self {
            Lang::Zh => Words {
                error: "错误",
                warning: "警告",
                note: "说明",
                help: "提示",
                colon: "：",
            },
            Lang::En => Words {
                error: "error",
                warning: "warning",
                note: "note",
                help: "help",
                colon: ": ",
            },
        }
    }
}

/// Checks a catalogue file: every `"X0000"` code literal in `source` (before its tests) is
/// listed in `kinds`, listed once with a Chinese and an English title, and used beside its
/// listing.
#[cfg(test)]
pub(crate) fn check_codes(source: &str, prefix: char, kinds: &[(&str, &str, &str)]) {
    let (source, _) = source.split_once("#[cfg(test)]").unwrap_or((source, ""));
    let mut used: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, _) in source.match_indices(&format!("\"{prefix}")) {
        let code: String = source[i + 1..].chars().take(5).collect();
        let closed = source[i + 1..].chars().nth(5) == Some('"');
        if closed && code[1..].chars().all(|c| c.is_ascii_digit()) {
            *used.entry(code).or_default() += 1;
        }
    }
    let mut listed = std::collections::HashSet::new();
    for (code, zh, en) in kinds {
        assert!(listed.insert(*code), "{code} is listed twice");
        assert!(
            code.starts_with(prefix),
            "{code} does not start with {prefix}"
        );
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{code}: {zh}"
        );
        assert!(!en.is_empty(), "{code}");
        assert!(
            used.get(*code).copied().unwrap_or(0) >= 2,
            "{code} is listed but never used"
        );
    }
    for code in used.keys() {
        assert!(
            listed.contains(code.as_str()),
            "{code} is used but not listed in KINDS"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_holds_every_phase_and_each_code_once() {
        let mut seen = std::collections::HashSet::new();
        for (code, ..) in all_kinds() {
            assert!(seen.insert(*code), "{code} twice");
        }
        for prefix in ['R', 'D', 'E', 'T', 'C', 'S', 'F'] {
            assert!(
                seen.iter().any(|c| c.starts_with(prefix)),
                "no {prefix} codes"
            );
        }
    }

    #[test]
    fn every_code_of_the_catalogue_has_a_kind_with_its_letter() {
        for (code, ..) in all_kinds() {
            let kind = ErrorKind::from_code(code);
            assert_eq!(kind.map(ErrorKind::letter), code.chars().next(), "{code}");
        }
        assert_eq!(ErrorKind::from_code("R01"), None);
        assert_eq!(ErrorKind::from_code("R01x2"), None);
        assert_eq!(ErrorKind::from_code(""), None);
    }

    #[test]
    fn column_letters_follow_excel() {
        let got: Vec<String> = [1, 2, 26, 27, 52, 53, 702, 703, 16384]
            .iter()
            .map(|&c| column_letter(c))
            .collect();
        assert_eq!(got, ["A", "B", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]);
        assert_eq!(column_letter(0), "");
    }

    #[test]
    fn a_chinese_locale_gives_chinese() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            Lang::from_locale(env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", ""), ("LANG", "zh_TW.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(Lang::from_locale(env(&[])), Lang::En);
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
