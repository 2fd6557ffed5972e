//! Errors, one enum per phase (错误): compiling rules, reading data, evaluating.
//!
//! Each error carries its catalogue code and its words in zh-CN and English (see
//! [`crate::messages`]), and a location: a rule file with line:column, or a data row, column
//! (letter and header) and unit. `Display` gives the English, without the code, for logs;
//! `render(lang)` gives what a person reads. JSON gives the zh-CN words, with the English
//! beside them under `en`.

use crate::messages::{ErrorKind, Lang, Message, Text};
use serde::Serialize;
use std::fmt;

/// A place in a rule script: file name and 1-based line and column (0 when unknown). `Display`
/// writes `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SourceLocation {
    /// The rule file, as the caller named it.
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
}

impl SourceLocation {
    pub(crate) fn new(file: &str, pos: rhai::Position) -> Self {
        Self {
            file: file.to_string(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// The message and hint of an error as JSON gives them: zh-CN in `message`/`help`, and the
/// English beside them in `en`.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct English<'a> {
    /// The message in English.
    message: &'a str,
    /// The fix in English, when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

fn english<'a>(message: &'a Text, help: Option<&'a Text>) -> English<'a> {
    English {
        message: &message.en,
        help: help.map(|h| h.en.as_str()),
    }
}

use crate::messages::render_parts as render_with_code;

/// One mistake in a rule set (规则错误), found while compiling it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct RuleError {
    /// Where the mistake is.
    pub(crate) location: SourceLocation,
    /// The catalogue code (`R…`).
    pub(crate) code: &'static str,
    /// What is wrong.
    pub(crate) message: Box<Text>,
    /// How to fix it, where a fix is known.
    pub(crate) help: Option<Box<Text>>,
}

impl RuleError {
    /// A mistake at `location`, in the catalogue's words.
    pub(crate) fn new(location: SourceLocation, m: Message) -> Self {
        Self {
            location,
            code: m.code,
            message: Box::new(m.text),
            help: m.help.map(Box::new),
        }
    }

    /// Where the mistake is: the rule file, line and column.
    #[must_use]
    pub fn location(&self) -> &SourceLocation {
        &self.location
    }

    /// The catalogue code (`R0102`): stable, never reused for another mistake; `kaohe codes`
    /// lists them all.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The part of the catalogue its code belongs to: [`ErrorKind::Rule`] for every error
    /// compiling gives, [`ErrorKind::Survey`] for a survey's declarations (`S00xx`).
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code).unwrap_or(ErrorKind::Rule)
    }

    /// What is wrong, in `lang`, without the place.
    #[must_use]
    pub fn message(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }

    /// How to fix it (提示), in `lang`, where a fix is known.
    #[must_use]
    pub fn hint(&self, lang: Lang) -> Option<&str> {
        self.help.as_deref().map(|h| h.get(lang))
    }

    /// Renders it as a warning (警告), with its code and hint in `lang`.
    pub fn render_warning(&self, lang: Lang) -> String {
        let sep = lang.words().colon;
        crate::messages::render_warning_parts(
            lang,
            self.code,
            &format!("{}{sep}{}", self.location, self.message.get(lang)),
            self.help.as_deref(),
        )
    }

    /// Renders the error with its code and hint in `lang`, as `kaohe check` prints it.
    pub fn render(&self, lang: Lang) -> String {
        let sep = lang.words().colon;
        render_with_code(
            lang,
            self.code,
            &format!("{}{sep}{}", self.location, self.message.get(lang)),
            self.help.as_deref(),
        )
    }
}

impl Serialize for RuleError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            code: &'a str,
            location: &'a SourceLocation,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            help: Option<&'a str>,
            en: English<'a>,
        }
        View {
            code: self.code,
            location: &self.location,
            message: &self.message.zh,
            help: self.help.as_ref().map(|h| h.zh.as_str()),
            en: english(&self.message, self.help.as_deref()),
        }
        .serialize(s)
    }
}

/// Every mistake found in a rule set; compiling reports them all, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", render_list(.0))]
pub struct RuleErrors(pub Vec<RuleError>);

fn render_list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One problem in the data (数据错误): a bad cell, a missing column, a duplicate unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render_place(Lang::En, true))]
pub struct DataError {
    /// 1-based row in the file (the header is row 1 in a CSV; the first unit is row 1 in JSON); 0 for the whole file.
    pub(crate) row: usize,
    /// 1-based column, 0 when the error is not about one column.
    pub(crate) column: usize,
    /// The column's header as written in the file, or the field's label.
    pub(crate) header: Option<String>,
    /// The unit's id, when the row has one.
    pub(crate) unit: Option<String>,
    /// The unit's name (单位名称), when the rule set names units and the row has one.
    pub(crate) unit_name: Option<String>,
    /// The catalogue code (`D…`).
    pub(crate) code: &'static str,
    /// What is wrong.
    pub(crate) message: Box<Text>,
    /// How to fix it, where a fix is known.
    pub(crate) help: Option<Box<Text>>,
}

impl DataError {
    /// A problem with the whole file.
    pub(crate) fn file(m: Message) -> Self {
        Self::at(0, 0, None, m)
    }

    /// A problem at a row and column (0: none) with the column's header.
    pub(crate) fn at(row: usize, column: usize, header: Option<String>, m: Message) -> Self {
        Self {
            row,
            column,
            header,
            unit: None,
            unit_name: None,
            code: m.code,
            message: Box::new(m.text),
            help: m.help.map(Box::new),
        }
    }

    /// The 1-based row in the file: a CSV's spreadsheet row (the header is row 1), a JSON
    /// unit's place (the first is row 1); 0 when the problem is with the whole file.
    #[must_use]
    pub fn row(&self) -> usize {
        self.row
    }

    /// The 1-based column, 0 when the problem is not with one column.
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// The column's header as the file writes it, or the field's label.
    #[must_use]
    pub fn header(&self) -> Option<&str> {
        self.header.as_deref()
    }

    /// The unit's id (单位编码), when the row has one.
    #[must_use]
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// The unit's name (单位名称), when the rule set names units and the row has one.
    #[must_use]
    pub fn unit_name(&self) -> Option<&str> {
        self.unit_name.as_deref()
    }

    /// The catalogue code (`D0201`): stable, never reused for another problem.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The part of the catalogue its code belongs to: [`ErrorKind::Data`] for a data file,
    /// [`ErrorKind::Survey`] for a respondents' file, [`ErrorKind::Collect`] for returned forms.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code).unwrap_or(ErrorKind::Data)
    }

    /// What is wrong, in `lang`, without the place.
    #[must_use]
    pub fn message(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }

    /// How to fix it (提示), in `lang`, where a fix is known (“六次” → 6).
    #[must_use]
    pub fn hint(&self, lang: Lang) -> Option<&str> {
        self.help.as_deref().map(|h| h.get(lang))
    }

    /// The column as a spreadsheet letter (`L`), `None` when the error is not about one column.
    pub fn column_letter(&self) -> Option<String> {
        (self.column > 0).then(|| crate::messages::column_letter(self.column))
    }

    /// Where the problem is, in `lang`: row, column letter and header, unit name and id.
    pub fn place(&self, lang: Lang) -> String {
        let mut place = Vec::new();
        match lang {
            Lang::Zh => {
                if self.row > 0 {
                    place.push(format!("第 {} 行", self.row));
                }
                match (self.column_letter(), &self.header) {
                    (Some(l), Some(h)) => place.push(format!("{l} 列“{h}”")),
                    (Some(l), None) => place.push(format!("{l} 列")),
                    (None, Some(h)) => place.push(format!("“{h}”列")),
                    (None, None) => {}
                }
                match (&self.unit_name, &self.unit) {
                    (Some(n), Some(u)) => place.push(format!("单位“{n}”（{u}）")),
                    (None, Some(u)) => place.push(format!("单位 {u}")),
                    (Some(n), None) => place.push(format!("单位“{n}”")),
                    (None, None) => {}
                }
                place.join("，")
            }
            Lang::En => {
                if self.row > 0 {
                    place.push(format!("row {}", self.row));
                }
                match (self.column_letter(), &self.header) {
                    (Some(l), Some(h)) => place.push(format!("column {l} `{h}`")),
                    (Some(l), None) => place.push(format!("column {l}")),
                    (None, Some(h)) => place.push(format!("column `{h}`")),
                    (None, None) => {}
                }
                match (&self.unit_name, &self.unit) {
                    (Some(n), Some(u)) => place.push(format!("unit `{u}` ({n})")),
                    (None, Some(u)) => place.push(format!("unit `{u}`")),
                    (Some(n), None) => place.push(format!("unit {n}")),
                    (None, None) => {}
                }
                place.join(", ")
            }
        }
    }

    fn render_place(&self, lang: Lang, with_help: bool) -> String {
        let place = self.place(lang);
        let w = lang.words();
        let mut out = if place.is_empty() {
            self.message.get(lang).to_string()
        } else {
            format!("{place}{}{}", w.colon, self.message.get(lang))
        };
        if let (true, Some(help)) = (with_help, &self.help) {
            out.push_str(&format!("\n  {}{}{}", w.help, w.colon, help.get(lang)));
        }
        out
    }

    /// Renders the error with its code, place and hint in `lang`, as the CLI prints it.
    pub fn render(&self, lang: Lang) -> String {
        render_with_code(
            lang,
            self.code,
            &self.render_place(lang, false),
            self.help.as_deref(),
        )
    }

    /// As [`Self::render`], headed as a note (`说明[F0107]：…`): something worth a look that
    /// left nothing out.
    pub fn render_note(&self, lang: Lang) -> String {
        crate::messages::render_note_parts(
            lang,
            self.code,
            &self.render_place(lang, false),
            self.help.as_deref(),
        )
    }
}

/// A [`DataError`] as JSON gives it.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "DataError"))]
struct DataErrorJson<'a> {
    /// Catalogue code (`D…`).
    code: &'a str,
    /// 1-based row; 0 when not about one row.
    row: usize,
    /// 1-based column; 0 when not about one column.
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The column's letter (`L`).
    column_letter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The column's header.
    header: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The unit's code.
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The unit's name.
    unit_name: Option<&'a str>,
    /// Row, column and unit in words (zh-CN).
    place: String,
    /// What is wrong (zh-CN).
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// How to fix it (zh-CN), when known.
    help: Option<&'a str>,
    /// The same in English.
    en: English<'a>,
}

impl Serialize for DataError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DataErrorJson {
            code: self.code,
            row: self.row,
            column: self.column,
            column_letter: self.column_letter(),
            header: self.header.as_deref(),
            unit: self.unit.as_deref(),
            unit_name: self.unit_name.as_deref(),
            place: self.place(Lang::Zh),
            message: &self.message.zh,
            help: self.help.as_ref().map(|h| h.zh.as_str()),
            en: english(&self.message, self.help.as_deref()),
        }
        .serialize(s)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DataError {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DataError".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        DataErrorJson::json_schema(generator)
    }
}

/// Every problem found in a data file: the first of each column, and how many more were found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.render_all())]
pub struct DataErrors {
    /// The problems kept, in file order (the first 20 of each column, at most 1,000).
    pub errors: Vec<DataError>,
    /// How many more were found and not kept.
    pub omitted: usize,
}

impl DataErrors {
    /// Every error listed, then how many more were found.
    fn render_all(&self) -> String {
        let mut text = render_list(&self.errors);
        if self.omitted > 0 {
            let more = crate::messages::data::more_not_shown(
                self.omitted,
                crate::data::MAX_ERRORS_PER_COLUMN,
                crate::data::MAX_ERRORS,
            );
            text.push('\n');
            text.push_str(&more.text.en);
        }
        text
    }
}

impl From<Vec<DataError>> for DataErrors {
    fn from(errors: Vec<DataError>) -> Self {
        Self { errors, omitted: 0 }
    }
}

/// A rule failed while scoring a unit (运行错误): a script error, or a limit that stopped a
/// runaway script. The same failure of the same rule for several units is one error that
/// names the first unit and counts the units it struck (受影响单位数).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// Where in the rule script.
    pub(crate) location: SourceLocation,
    /// The rule (indicator, veto, consequence …) whose code failed.
    pub(crate) rule: String,
    /// The (first) unit being scored, by id.
    pub(crate) unit: String,
    /// The unit's name (单位名称), when the rule set names units.
    pub(crate) unit_name: Option<String>,
    /// How many units the error struck: 1, or more when the same failure for several units is
    /// reported once (`unit` is the first of them).
    pub(crate) units: usize,
    /// The catalogue code (`E…`).
    pub(crate) code: &'static str,
    /// What went wrong.
    pub(crate) message: Box<Text>,
    /// How to fix it, where a fix is known.
    pub(crate) help: Option<Box<Text>>,
}

impl EvalError {
    /// A failure of `rule` at `location` for one unit, in the catalogue's words.
    pub(crate) fn new(
        location: SourceLocation,
        rule: &str,
        unit: String,
        unit_name: Option<String>,
        m: Message,
    ) -> Self {
        Self {
            location,
            rule: rule.to_string(),
            unit,
            unit_name,
            units: 1,
            code: m.code,
            message: Box::new(m.text),
            help: m.help.map(Box::new),
        }
    }

    /// Where in the rule script the failing code is.
    #[must_use]
    pub fn location(&self) -> &SourceLocation {
        &self.location
    }

    /// The rule (indicator, veto, consequence …) whose code failed, by id.
    #[must_use]
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The (first) unit it failed for, by id.
    #[must_use]
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// That unit's name (单位名称), when the rule set names units.
    #[must_use]
    pub fn unit_name(&self) -> Option<&str> {
        self.unit_name.as_deref()
    }

    /// How many units the same failure struck (受影响单位数): 1, or more when it is reported
    /// once for several units ([`Self::unit`] is the first of them).
    #[must_use]
    pub fn units(&self) -> usize {
        self.units
    }

    /// The catalogue code (`E0101`): stable, never reused for another failure.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The part of the catalogue its code belongs to: [`ErrorKind::Eval`].
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code).unwrap_or(ErrorKind::Eval)
    }

    /// What went wrong, in `lang`, without the place or the unit.
    #[must_use]
    pub fn message(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }

    /// How to fix it (提示), in `lang`, where a fix is known.
    #[must_use]
    pub fn hint(&self, lang: Lang) -> Option<&str> {
        self.help.as_deref().map(|h| h.get(lang))
    }

    /// The unit (and how many others) in `lang`: ``unit `330101` (石桥镇) and 19 other units``,
    /// `单位“石桥镇”（330101）等 20 个单位`. `Display` leaves the name out.
    pub fn units_text(&self, lang: Lang, with_name: bool) -> String {
        let name = self.unit_name.as_deref().filter(|_| with_name);
        match lang {
            Lang::Zh => {
                let one = match name {
                    Some(n) => format!("单位“{n}”（{}）", self.unit),
                    None => format!("单位 {} ", self.unit),
                };
                if self.units > 1 {
                    format!("{one}等 {} 个单位", self.units)
                } else {
                    one
                }
            }
            Lang::En => {
                let mut one = format!("unit `{}`", self.unit);
                if let Some(n) = name {
                    one.push_str(&format!(" ({n})"));
                }
                match self.units {
                    0 | 1 => one,
                    2 => format!("{one} and 1 other unit"),
                    n => format!("{one} and {} other units", n - 1),
                }
            }
        }
    }

    /// Renders the error with its code, the unit's name and id, and the hint in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let what = match lang {
            Lang::Zh => format!(
                "{}：规则“{}”计算{}时出错：{}",
                self.location,
                self.rule,
                self.units_text(lang, true),
                self.message.zh
            ),
            Lang::En => format!(
                "{}: rule `{}` failed for {}: {}",
                self.location,
                self.rule,
                self.units_text(lang, true),
                self.message.en
            ),
        };
        render_with_code(lang, self.code, &what, self.help.as_deref())
    }

    /// What makes two failures the same but for their unit: rule, place, code and words.
    pub(crate) fn key(&self) -> String {
        format!(
            "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            self.rule, self.location, self.code, self.message.en, self.message.zh
        )
    }
}

/// English, without the code or the unit's name, for logs (and as `kaohe` has always
/// printed it): ``t.rhai:13:68: rule `spin` failed for unit `1`: …``.
impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: rule `{}` failed for {}: {}",
            self.location,
            self.rule,
            self.units_text(Lang::En, false),
            self.message
        )
    }
}

impl std::error::Error for EvalError {}

impl Serialize for EvalError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            code: &'a str,
            location: &'a SourceLocation,
            rule: &'a str,
            unit: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            unit_name: Option<&'a str>,
            units: usize,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            help: Option<&'a str>,
            en: English<'a>,
        }
        View {
            code: self.code,
            location: &self.location,
            rule: &self.rule,
            unit: &self.unit,
            unit_name: self.unit_name.as_deref(),
            units: self.units,
            message: &self.message.zh,
            help: self.help.as_ref().map(|h| h.zh.as_str()),
            en: english(&self.message, self.help.as_deref()),
        }
        .serialize(s)
    }
}

/// The rule failures of one run as they are gathered, identical ones merged (合并): the same
/// failure of the same rule (place, code and words) for several units is kept once, with the
/// first unit and the count of units; failures stay in the order they first occurred.
#[derive(Default)]
pub(crate) struct Merged {
    list: Vec<EvalError>,
    /// [`EvalError::key`] → position in `list`.
    index: std::collections::HashMap<String, usize>,
}

impl Merged {
    /// Adds one failure, or counts its units toward the same failure met before.
    pub(crate) fn push(&mut self, e: EvalError) {
        let key = e.key();
        match self.index.get(&key) {
            Some(&i) => self.list[i].units = self.list[i].units.saturating_add(e.units),
            None => {
                self.index.insert(key, self.list.len());
                self.list.push(e);
            }
        }
    }

    /// Adds failures in order.
    pub(crate) fn extend(&mut self, errors: impl IntoIterator<Item = EvalError>) {
        for e in errors {
            self.push(e);
        }
    }

    /// The failure with this [`EvalError::key`], to amend (its key is not updated).
    pub(crate) fn find_mut(&mut self, key: &str) -> Option<&mut EvalError> {
        self.index.get(key).and_then(|&i| self.list.get_mut(i))
    }

    /// Whether no rule failed.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The failures, in order of first occurrence.
    pub(crate) fn into_errors(self) -> EvalErrors {
        EvalErrors(self.list)
    }
}

/// Every rule failure of one assessment run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", render_list(.0))]
pub struct EvalErrors(pub Vec<EvalError>);

/// Anything that can stop an assessment ([`crate::assess`]), by the phase that stopped it;
/// each error in it has its own catalogue code ([`RuleError::code`] …).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rule set does not compile.
    #[error("{0}")]
    Rules(#[from] RuleErrors),
    /// The data does not fit the rule set.
    #[error("{0}")]
    Data(#[from] DataErrors),
    /// A rule failed at run time.
    #[error("{0}")]
    Eval(#[from] EvalErrors),
    /// A data file could not be read (无法读取数据文件).
    #[error("无法读取数据文件：{0} (cannot read the data file)")]
    Io(#[from] std::io::Error),
    /// The workbook could not be written (无法生成 Excel 工作簿).
    #[error("无法生成 Excel 工作簿：{0} (cannot write the workbook)")]
    Workbook(String),
}
