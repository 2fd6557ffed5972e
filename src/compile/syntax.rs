//! Syntax errors: every one in the script, not only the first that Rhai's parser stops at.

use super::locate::Source;
use crate::error::{RuleError, SourceLocation};
use crate::messages::rules;
use rhai::{Engine, Position};

/// How many syntax errors one check reports at most.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Rhai's parser stops at the first syntax error. To report the others too, everything up to
/// the end of the top-level statement holding each error is blanked out (keeping every line
/// and column in place: what came before parsed already) and the script parsed again, up to
/// [`MAX_SYNTAX_ERRORS`] times — each time only what is left, so twenty errors in a long script
/// do not cost twenty parses of all of it. An unclosed bracket blanks everything after it, so
/// no error is reported that the first did not leave behind.
pub(super) fn errors(
    engine: &Engine,
    file: &str,
    source: &str,
    first: rhai::ParseError,
) -> Vec<RuleError> {
    let src = Source::new(source);
    let mut out = vec![syntax_error(file, &src, &first)];
    let mut text: Vec<char> = source.chars().collect();
    let mut err = first;
    while out.len() < MAX_SYNTAX_ERRORS {
        let Some(offset) = char_offset(&text, err.position()) else {
            break;
        };
        let (start, end) = statement_around(&text, offset);
        if start >= end {
            break;
        }
        for c in &mut text[..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        let again: String = text.iter().collect();
        match engine.compile(&again) {
            Ok(_) => break,
            Err(e) if e.position().line() > err.position().line() => {
                out.push(syntax_error(file, &src, &e));
                err = e;
            }
            Err(_) => break,
        }
    }
    out
}

/// The index in `text` of the character at `pos` (clamped to the end of the text).
fn char_offset(text: &[char], pos: Position) -> Option<usize> {
    let (line, col) = (pos.line()?, pos.position().unwrap_or(1));
    let mut l = 1;
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        if l == line {
            start = i;
            break;
        }
        if *c == '\n' {
            l += 1;
            start = i + 1;
        }
    }
    if l != line {
        return None;
    }
    Some((start + col.saturating_sub(1)).min(text.len()))
}

/// The top-level statement (ended by `;` outside brackets, strings and comments) around `at`.
fn statement_around(text: &[char], at: usize) -> (usize, usize) {
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let next = text.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < text.len() && text[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == Some('*') => {
                i += 2;
                while i + 1 < text.len() && !(text[i] == '*' && text[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            '"' | '`' | '\'' => {
                i += 1;
                while i < text.len() && text[i] != c && text[i] != '\n' {
                    if text[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth <= 0 => {
                if i >= at {
                    return (start, i + 1);
                }
                depth = 0;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (start, text.len())
}

/// One parse error as a rule error (R0001), with a fix where one is known; a full-width
/// punctuation mark at the error, or just before it, is named instead (R0002).
fn syntax_error(file: &str, src: &Source, e: &rhai::ParseError) -> RuleError {
    if let Some((at, c)) = full_width_at(src, e) {
        let (line, column) = src.line_col(at);
        let location = SourceLocation {
            file: file.to_string(),
            line,
            column,
        };
        return RuleError::new(location, rules::full_width(c));
    }
    RuleError::new(
        SourceLocation::new(file, e.position()),
        rules::syntax(e.err_type()),
    )
}

/// The full-width punctuation mark in code that caused `e`: at its position, the last one
/// before it on the line, or the full-width quote that ends a text begun with `"`.
fn full_width_at(src: &Source, e: &rhai::ParseError) -> Option<(usize, char)> {
    let at = src.offset(e.position())?;
    let is_fw = |i: usize| src.code_char(i).filter(|c| rules::is_full_width(*c));
    if let Some(c) = is_fw(at) {
        return Some((at, c));
    }
    if let Some((i, c)) = src.code_before(at).and_then(|i| Some((i, is_fw(i)?))) {
        return Some((i, c));
    }
    if let rhai::ParseErrorType::BadInput(rhai::LexError::UnterminatedString) = e.err_type() {
        // `label: "失控”`: the text runs on because its closing quote is full-width.
        return src
            .rest_of_line(at + 1)
            .find(|(_, c)| matches!(c, '”' | '“'));
    }
    // `label: "甲”, type: "int"`: the text ran on to the next quote, and the error follows it.
    let q = src.stray_quote_before(at)?;
    Some((q, src.char_at(q)?))
}
