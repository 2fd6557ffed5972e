//! Errors, one enum per phase (错误): compiling rules, reading data, evaluating.
//!
//! Messages are lower-case, carry no final period, put user input in backticks and
//! carry a location: a rule file with line:column, or a data row and column.

use serde::Serialize;
use std::fmt;

/// A place in a rule script: file name and 1-based line and column (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// One mistake in a rule set (规则错误), found while compiling it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{location}: {message}")]
pub struct RuleError {
    /// Where the mistake is.
    pub location: SourceLocation,
    /// What is wrong.
    pub message: String,
    /// How to fix it, where a fix is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
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

impl RuleError {
    /// Renders the error with its help line, as `kaohe check` prints it.
    pub fn render(&self) -> String {
        match &self.help {
            Some(help) => format!("error: {self}\n  help: {help}"),
            None => format!("error: {self}"),
        }
    }
}

/// One problem in the data (数据错误): a bad cell, a missing column, a duplicate unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.render())]
pub struct DataError {
    /// 1-based row in the file (the header is row 1 in a CSV; the first unit is row 1 in JSON); 0 for the whole file.
    pub row: usize,
    /// 1-based column, 0 when the error is not about one column.
    pub column: usize,
    /// The column's header as written in the file, or the field's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The unit's id, when the row has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, where a fix is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl DataError {
    pub(crate) fn file(message: impl Into<String>, help: Option<String>) -> Self {
        Self {
            row: 0,
            column: 0,
            header: None,
            unit: None,
            message: message.into(),
            help,
        }
    }

    fn render(&self) -> String {
        let mut place = Vec::new();
        if self.row > 0 {
            place.push(format!("row {}", self.row));
        }
        if self.column > 0 {
            match &self.header {
                Some(h) => place.push(format!("column {} `{h}`", self.column)),
                None => place.push(format!("column {}", self.column)),
            }
        } else if let Some(h) = &self.header {
            place.push(format!("column `{h}`"));
        }
        if let Some(u) = &self.unit {
            place.push(format!("unit `{u}`"));
        }
        let mut out = if place.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", place.join(", "), self.message)
        };
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(help);
        }
        out
    }
}

/// Every problem found in a data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", render_list(.0))]
pub struct DataErrors(pub Vec<DataError>);

/// A rule failed while scoring a unit (运行错误): a script error, or a limit that stopped a runaway script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{location}: rule `{rule}` failed for unit `{unit}`: {message}")]
pub struct EvalError {
    /// Where in the rule script.
    pub location: SourceLocation,
    /// The rule (indicator, veto, consequence …) whose code failed.
    pub rule: String,
    /// The unit being scored.
    pub unit: String,
    /// What went wrong.
    pub message: String,
}

/// Every rule failure of one assessment run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", render_list(.0))]
pub struct EvalErrors(pub Vec<EvalError>);

/// Anything that can stop an assessment: the phase tells which exit code the CLI uses.
#[derive(Debug, thiserror::Error)]
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
}
