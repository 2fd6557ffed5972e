//! Reading a respondents' file (答卷读取): one row per respondent, as 问卷星 or a CATI system
//! exports it, into each unit's answer counts in one pass.
//!
//! CSV is read a block of whole records at a time and never held whole: blocks are parsed
//! independently (across cores natively, see [`super::threads`]) into compact rows — the
//! respondent's unit, stratum, weight, id and one answer code per question — which are then
//! checked for repeated ids and added to per-unit tallies in file order. Memory holds a few
//! blocks, the tallies (a few hundred bytes per unit), and one bit per numeric respondent id
//! (16 bytes per other id) to find an id given twice. XLSX is read cell by cell; XLS and ODS
//! whole.

use super::csv::{delimiter, last_record_end, Field, Records};
use super::header::{self, best_columns, Parsed, Wanted};
use super::model::{Column, Survey};
use super::stats::Cell;
use super::{FxBuild, QuestionTally, RespondentSummary, UnitSample};
use crate::data::{quoted, Dataset, ErrorLog, Unit, MAX_ERRORS_PER_COLUMN};
use crate::error::DataError;
use crate::messages::data as dmsg;
use crate::messages::survey::{self as msg, ColumnRole};
use crate::messages::Message;
use crate::model::{FieldType, RuleSet, Value};
use crate::text::{Charset, Decoder};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::str::FromStr;
use std::sync::Arc;

/// Bytes per block of CSV records.
pub(crate) const BLOCK: usize = 1 << 20;

/// How many header rows are looked at, from the top (a title and notes may stand above).
const HEADER_ROWS: usize = 10;

/// What takes each block's rows in file order: sent to the thread that adds them up natively;
/// WebAssembly has one thread (and the rule set's values are not shared across threads there).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Each<'a> = dyn FnMut(BlockOut) + Send + 'a;
/// What takes each block's rows in file order (one thread).
#[cfg(target_arch = "wasm32")]
pub(crate) type Each<'a> = dyn FnMut(BlockOut) + 'a;

/// Where each declared column is, and what its cells may hold, as bytes of the file's
/// encoding.
pub(crate) struct Plan<'a> {
    pub(crate) set: &'a RuleSet,
    pub(crate) survey: &'a Survey,
    /// The encoding the cells are in (UTF-8: other encodings are decoded as they are read).
    enc: Charset,
    /// Every header, as written.
    headers: Vec<String>,
    unit_col: usize,
    id_col: Option<usize>,
    weight_col: Option<usize>,
    strata_cols: Vec<usize>,
    question_cols: Vec<usize>,
    questions: Vec<Answers>,
    /// For each stratum column, its values (folded) by position; then strata by value index.
    strata: Option<StrataTable>,
}

/// A question's answers as cells may write them.
struct Answers {
    /// Each answer's text in the file's encoding, with its code index (1 = first option).
    exact: Vec<(Vec<u8>, u8)>,
    /// The same, as one number (length and bytes, see [`short_key`]) for a quick comparison.
    quick: Vec<(u128, u8)>,
    /// Each answer's folded text, with its code index.
    folded: Vec<(String, u8)>,
    /// Each answer's code (1, 2, …), with its code index.
    codes: Vec<(i64, u8)>,
    /// The answers, for messages.
    texts: Vec<String>,
    code_list: Vec<i64>,
}

struct StrataTable {
    /// Per column: folded value → value index.
    values: Vec<Vec<String>>,
    /// Joined value indices (mixed radix) → stratum index.
    cells: HashMap<Vec<usize>, u16>,
    /// The strata's names, for messages.
    names: Vec<String>,
}

/// A respondent's id, as kept to find one given twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum IdKey {
    None,
    /// A whole number written without leading zeros (问卷星's 序号).
    Number(u64),
    /// Another id: its hash, and where its text is in the block's text arena.
    Text(u128, u32, u32),
}

/// One respondent's row, compact.
#[derive(Debug, Clone)]
struct Rec {
    row: u32,
    /// The block's unit-dictionary entry, `u32::MAX` when the unit is blank.
    unit: u32,
    stratum: u16,
    valid: bool,
}

/// What a block of rows gave.
#[derive(Default)]
pub(crate) struct BlockOut {
    /// Records read (rows), header and blank rows included.
    records: usize,
    recs: Vec<Rec>,
    /// One code index per question per record (0: no answer).
    answers: Vec<u8>,
    /// Each record's id, when the survey has an id column.
    ids: Vec<IdKey>,
    /// Each record's weight, when the survey has a weight column.
    weights: Vec<Decimal>,
    /// The distinct unit cells of the block, as written (trimmed bytes).
    dict: Vec<Vec<u8>>,
    /// Unit cells of at most fifteen bytes, by their bytes as one number.
    dict_short: HashMap<u128, u32, FxBuild>,
    /// Longer unit cells.
    dict_long: HashMap<Vec<u8>, u32, FxBuild>,
    /// Texts of non-numeric ids.
    texts: Vec<u8>,
    /// Errors, with rows local to the block; the first of each column kept.
    errors: Vec<DataError>,
    per_column: HashMap<usize, usize>,
    omitted: usize,
}

impl BlockOut {
    /// The dictionary entry of a unit cell, added when new. A cell of at most fifteen bytes
    /// is its own key (its length and bytes as one number); a longer one is hashed and
    /// compared.
    fn unit_entry(&mut self, raw: &[u8]) -> u32 {
        let next = u32::try_from(self.dict.len()).unwrap_or(u32::MAX);
        if raw.len() <= SHORT {
            let key = short_key(raw);
            if let Some(&i) = self.dict_short.get(&key) {
                return i;
            }
            self.dict.push(raw.to_vec());
            self.dict_short.insert(key, next);
            return next;
        }
        if let Some(&i) = self.dict_long.get(raw) {
            return i;
        }
        self.dict.push(raw.to_vec());
        self.dict_long.insert(raw.to_vec(), next);
        next
    }

    fn error(&mut self, e: DataError) {
        let n = self.per_column.entry(e.column).or_insert(0);
        *n += 1;
        if *n <= MAX_ERRORS_PER_COLUMN {
            self.errors.push(e);
        } else {
            self.omitted += 1;
        }
    }
}

/// ASCII spaces and the full-width space (in UTF-8 and GB18030) trimmed.
#[inline]
fn trim(b: &[u8]) -> &[u8] {
    let edge = |c: u8| c <= b' ' || c == 0xE3 || c == 0xA1 || c == 0x80;
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if !edge(f) && !edge(l) => b,
        (None, _) | (_, None) => b,
        _ => trim_slow(b),
    }
}

#[cold]
fn trim_slow(b: &[u8]) -> &[u8] {
    let mut b = b;
    loop {
        let before = b.len();
        b = b.trim_ascii();
        for sp in [&[0xE3, 0x80, 0x80][..], &[0xA1, 0xA1][..]] {
            if let Some(r) = b.strip_prefix(sp) {
                b = r;
            }
            if let Some(r) = b.strip_suffix(sp) {
                b = r;
            }
        }
        if b.len() == before {
            return b;
        }
    }
}

/// The first sixteen bytes of a short text, zero-padded, as one number: read as two words that
/// may overlap (no call to copy a few bytes).
#[inline]
fn padded(t: &[u8]) -> u128 {
    let word = |b: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        u64::from_le_bytes(a)
    };
    let half = |b: &[u8]| {
        let mut a = [0u8; 4];
        a.copy_from_slice(&b[..4]);
        u64::from(u32::from_le_bytes(a))
    };
    let n = t.len().min(16);
    let t = &t[..n];
    match n {
        // Bytes 8..n: the last eight bytes, shifted down past the ones the first word holds.
        8 => u128::from(word(t)),
        9..=16 => {
            let hi = word(&t[n - 8..]) >> (8 * (16 - n));
            u128::from(word(t)) | (u128::from(hi) << 64)
        }
        4..=7 => {
            let hi = half(&t[n - 4..]) >> (8 * (8 - n));
            u128::from(half(t) | (hi << 32))
        }
        _ => t.iter().rev().fold(0u128, |a, &b| (a << 8) | u128::from(b)),
    }
}

/// The answers of at most sixteen bytes, as (key, code index).
fn exact_quick(exact: &[(Vec<u8>, u8)]) -> Vec<(u128, u8)> {
    exact
        .iter()
        .filter(|(e, _)| e.len() <= SHORT)
        .map(|(e, c)| (short_key(e), *c))
        .collect()
}

/// The longest text [`short_key`] takes.
const SHORT: usize = 15;

/// A text of at most [`SHORT`] bytes as one number: its bytes in the first fifteen bytes and
/// its length in the last (so that `a` and `a\0` differ); equal numbers, equal texts.
#[inline]
fn short_key(t: &[u8]) -> u128 {
    padded(t) | ((t.len() as u128) << 120)
}

/// A cell's text: decoded, and whether it held bytes not valid in the encoding.
fn decode(enc: Charset, b: &[u8]) -> (String, bool) {
    enc.decode_whole(b)
        .unwrap_or_else(|_| (String::from_utf8_lossy(b).into_owned(), true))
}

/// Reads an answer's text: folded, without a leading choice letter (`A.`, `B、`), a skipped
/// or empty mark read as no answer.
fn folded_answer(text: &str) -> String {
    let f = header::fold(text);
    let f = f.trim_end_matches(['。', '.']).to_string();
    let mut chars = f.chars();
    if let (Some(c), Some(sep)) = (chars.next(), chars.next()) {
        if c.is_ascii_lowercase() && matches!(sep, '.' | '、' | ')' | ':') {
            return chars.as_str().to_string();
        }
    }
    f
}

fn is_no_answer(folded: &str) -> bool {
    matches!(
        folded,
        "" | "(跳过)" | "跳过" | "(空)" | "-" | "--" | "—" | "(未作答)" | "未作答" | "n/a"
    )
}

impl Answers {
    fn new(q: &super::model::Question) -> Self {
        let texts: Vec<String> = q.answers().map(String::from).collect();
        let exact: Vec<(Vec<u8>, u8)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_bytes().to_vec(), (i + 1) as u8))
            .collect();
        let folded = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (folded_answer(t), (i + 1) as u8))
            .collect();
        let quick = exact_quick(&exact);
        let codes = q
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, (i + 1) as u8))
            .collect();
        Self {
            exact,
            quick,
            folded,
            codes,
            texts,
            code_list: q.codes.clone(),
        }
    }

    /// The code index of a cell (0: no answer), or the cell's text when it is no answer of
    /// the question (`Err(None)`: bytes not valid in the encoding).
    fn code(&self, raw: &[u8], enc: Charset) -> Result<u8, Option<String>> {
        let t = trim(raw);
        if t.is_empty() {
            return Ok(0);
        }
        if t.len() <= SHORT {
            let k = short_key(t);
            if let Some((_, c)) = self.quick.iter().find(|(q, _)| *q == k) {
                return Ok(*c);
            }
        } else if let Some((_, c)) = self.exact.iter().find(|(e, _)| e.as_slice() == t) {
            return Ok(*c);
        }
        if t.len() <= 6 && t.iter().all(u8::is_ascii_digit) {
            let n: i64 = std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1);
            if let Some((_, c)) = self.codes.iter().find(|(k, _)| *k == n) {
                return Ok(*c);
            }
        }
        let (text, bad) = decode(enc, t);
        if bad {
            return Err(None);
        }
        let f = folded_answer(&text);
        if is_no_answer(&f) {
            return Ok(0);
        }
        if let Some((_, c)) = self.folded.iter().find(|(e, _)| *e == f) {
            return Ok(*c);
        }
        if let Ok(n) = f.parse::<f64>() {
            // A code written as a number with decimals (XLSX numbers read as `3.0`).
            if n.fract() == 0.0 {
                if let Some((_, c)) = self.codes.iter().find(|(k, _)| *k as f64 == n) {
                    return Ok(*c);
                }
            }
        }
        Err(Some(text.trim().to_string()))
    }
}

/// A header row's columns matched to the survey's declarations, or every problem found.
fn layout<'a>(
    set: &'a RuleSet,
    survey: &'a Survey,
    header_row: usize,
    headers: Vec<String>,
    enc: Charset,
) -> Result<Plan<'a>, Vec<DataError>> {
    let parsed: Vec<Parsed> = headers.iter().map(|h| header::parse(h)).collect();
    let mut errors = Vec::new();
    let mut taken: Vec<Option<ColumnRole>> = vec![None; headers.len()];
    let find = |role: ColumnRole<'a>,
                col: &Column,
                errors: &mut Vec<DataError>,
                taken: &mut Vec<Option<ColumnRole<'a>>>|
     -> Option<usize> {
        find_column(role, col, &parsed, &headers, header_row, errors, taken)
    };
    // The questions first: their headers are the longest, the best told apart.
    let question_cols: Vec<Option<usize>> = survey
        .questions
        .iter()
        .map(|q| {
            find(
                ColumnRole::Question(&q.id),
                &q.column,
                &mut errors,
                &mut taken,
            )
        })
        .collect();
    let unit_col = find(ColumnRole::Unit, &survey.unit, &mut errors, &mut taken);
    let id_col = survey
        .id
        .as_ref()
        .map(|c| find(ColumnRole::Id, c, &mut errors, &mut taken));
    let weight_col = survey
        .weight
        .as_ref()
        .map(|c| find(ColumnRole::Weight, c, &mut errors, &mut taken));
    let strata_cols: Vec<Option<usize>> = survey
        .strata
        .as_ref()
        .map(|s| {
            s.by.iter()
                .map(|c| find(ColumnRole::Stratum, c, &mut errors, &mut taken))
                .collect()
        })
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors);
    }
    let strata = survey.strata.as_ref().map(|s| {
        let columns = s.by.len();
        let mut values: Vec<Vec<String>> = vec![Vec::new(); columns];
        let mut cells = HashMap::new();
        for (k, (name, _)) in s.cells.iter().enumerate() {
            let parts: Vec<String> = name.split('/').map(header::fold).collect();
            let mut key = Vec::new();
            for (c, p) in parts.iter().enumerate().take(columns) {
                let vi = match values[c].iter().position(|v| v == p) {
                    Some(i) => i,
                    None => {
                        values[c].push(p.clone());
                        values[c].len() - 1
                    }
                };
                key.push(vi);
            }
            if parts.len() == columns {
                cells.insert(key, k as u16);
            }
        }
        StrataTable {
            values,
            cells,
            names: s.cells.iter().map(|(n, _)| n.clone()).collect(),
        }
    });
    Ok(Plan {
        set,
        survey,
        enc,
        headers,
        unit_col: unit_col.unwrap_or(0),
        id_col: id_col.flatten(),
        weight_col: weight_col.flatten(),
        strata_cols: strata_cols.into_iter().flatten().collect(),
        question_cols: question_cols.into_iter().flatten().collect(),
        questions: survey.questions.iter().map(Answers::new).collect(),
        strata,
    })
}

/// The column that fits `col` best; a missing, ambiguous or doubly taken column is an error.
fn find_column<'a>(
    role: ColumnRole<'a>,
    col: &Column,
    parsed: &[Parsed],
    headers: &[String],
    header_row: usize,
    errors: &mut Vec<DataError>,
    taken: &mut [Option<ColumnRole<'a>>],
) -> Option<usize> {
    let wanted = Wanted::new(col);
    let best = best_columns(&wanted, parsed);
    match best.as_slice() {
        [] => {
            let near = crate::messages::closest(
                wanted.first_text(),
                parsed.iter().map(|p| p.text.as_str()),
            )
            .and_then(|t| parsed.iter().position(|p| p.text == t))
            .map(|i| headers[i].as_str());
            errors.push(DataError::at(
                header_row,
                0,
                Some(quoted(&col.header)),
                msg::missing_column(role, &col.header, near),
            ));
            None
        }
        [one] => {
            if let Some(other) = taken[*one] {
                errors.push(DataError::at(
                    header_row,
                    one + 1,
                    Some(quoted(&headers[*one])),
                    msg::column_twice(other, role),
                ));
                return None;
            }
            taken[*one] = Some(role);
            Some(*one)
        }
        many => {
            let list: Vec<String> = many.iter().map(|i| headers[*i].clone()).collect();
            errors.push(DataError::at(
                header_row,
                many[0] + 1,
                Some(quoted(&headers[many[0]])),
                msg::ambiguous_column(role, &list),
            ));
            None
        }
    }
}

/// Whether a row (its cells' texts) names the survey's unit column: the header row.
fn names_unit(survey: &Survey, cells: &[String]) -> bool {
    let wanted = Wanted::new(&survey.unit);
    cells.iter().any(|c| {
        wanted
            .fit(&header::parse(c))
            .is_some_and(|f| f > header::Fit::Number)
    })
}

/// Whether a header row is a respondents' one: it names the unit column and a question.
pub(crate) fn is_respondents_header(survey: &Survey, cells: &[String]) -> bool {
    if !names_unit(survey, cells) {
        return false;
    }
    let parsed: Vec<Parsed> = cells.iter().map(|c| header::parse(c)).collect();
    survey
        .questions
        .iter()
        .any(|q| !best_columns(&Wanted::new(&q.column), &parsed).is_empty())
}

impl Plan<'_> {
    /// The columns a row's check reads, by position.
    #[cfg(feature = "spreadsheets")]
    fn columns(&self) -> Vec<bool> {
        let used: Vec<usize> = std::iter::once(self.unit_col)
            .chain(self.id_col)
            .chain(self.weight_col)
            .chain(self.strata_cols.iter().copied())
            .chain(self.question_cols.iter().copied())
            .collect();
        let mut keep = vec![false; used.iter().max().map_or(0, |m| m + 1)];
        for c in used {
            keep[c] = true;
        }
        keep
    }

    fn column_error(&self, row: usize, col: usize, unit: Option<String>, m: Message) -> DataError {
        let mut e = DataError::at(row, col + 1, self.headers.get(col).map(|h| quoted(h)), m);
        e.unit_name = unit;
        e
    }

    /// Checks one respondent's row (`cell(column)` gives a cell's bytes) into `out`.
    fn row<'x>(&self, out: &mut BlockOut, row: usize, cell: impl Fn(usize) -> &'x [u8]) {
        let enc = self.enc;
        let local = u32::try_from(row).unwrap_or(u32::MAX);
        let unit_raw = trim(cell(self.unit_col));
        let mut valid = true;
        let unit_text = || decode(enc, unit_raw).0;
        let unit = if unit_raw.is_empty() {
            valid = false;
            out.error(self.column_error(row, self.unit_col, None, msg::no_unit()));
            u32::MAX
        } else {
            out.unit_entry(unit_raw)
        };
        let named = || (!unit_raw.is_empty()).then(|| quoted(&unit_text()));
        let id = match self.id_col {
            None => IdKey::None,
            Some(c) => {
                let raw = trim(cell(c));
                if raw.is_empty() {
                    valid = false;
                    out.error(self.column_error(row, c, named(), msg::blank_id()));
                    IdKey::None
                } else {
                    id_key(raw, &mut out.texts)
                }
            }
        };
        let weight = match self.weight_col {
            None => Decimal::ONE,
            Some(c) => {
                let raw = trim(cell(c));
                let text = decode(enc, raw).0;
                match weight(&text) {
                    Some(w) => w,
                    None => {
                        valid = false;
                        out.error(self.column_error(row, c, named(), msg::bad_weight(&text)));
                        Decimal::ZERO
                    }
                }
            }
        };
        let mut stratum = 0u16;
        if let Some(t) = &self.strata {
            let mut key = Vec::with_capacity(self.strata_cols.len());
            let mut written = Vec::new();
            for (k, &c) in self.strata_cols.iter().enumerate() {
                let text = decode(enc, trim(cell(c))).0;
                let f = header::fold(&text);
                written.push(text.trim().to_string());
                match t.values[k].iter().position(|v| *v == f) {
                    Some(i) => key.push(i),
                    None => key.push(usize::MAX),
                }
            }
            match t.cells.get(&key) {
                Some(&s) => stratum = s,
                None => {
                    valid = false;
                    let names: Vec<&str> = t.names.iter().map(String::as_str).collect();
                    let col = self.strata_cols.first().copied().unwrap_or(0);
                    out.error(self.column_error(
                        row,
                        col,
                        named(),
                        msg::unknown_stratum(&written.join("/"), &names),
                    ));
                }
            }
        }
        for (q, &c) in self.question_cols.iter().enumerate() {
            let a = &self.questions[q];
            let code = match a.code(cell(c), enc) {
                Ok(code) => code,
                Err(text) => {
                    valid = false;
                    let m = match text {
                        Some(t) => {
                            let list: Vec<&str> = a.texts.iter().map(String::as_str).collect();
                            msg::not_an_option(&t, &list, &a.code_list)
                        }
                        None => dmsg::bad_bytes_in_row(c + 1, enc.name(), false),
                    };
                    out.error(self.column_error(row, c, named(), m));
                    0
                }
            };
            out.answers.push(code);
        }
        if self.id_col.is_some() {
            out.ids.push(id);
        }
        if self.weight_col.is_some() {
            out.weights.push(weight);
        }
        out.recs.push(Rec {
            row: local,
            unit,
            stratum,
            valid,
        });
    }
}

/// A weight: a number of at least 0.
fn weight(text: &str) -> Option<Decimal> {
    let t = header::fold(text).replace(',', "");
    let d = Decimal::from_str(&t)
        .ok()
        .or_else(|| Decimal::from_scientific(&t).ok())?;
    (d >= Decimal::ZERO).then_some(d)
}

/// A respondent id's key; a non-numeric id's text goes to `texts`.
fn id_key(raw: &[u8], texts: &mut Vec<u8>) -> IdKey {
    let numeric =
        raw.len() <= 18 && raw.iter().all(u8::is_ascii_digit) && (raw.len() == 1 || raw[0] != b'0');
    if numeric {
        let n = raw.iter().fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
        return IdKey::Number(n);
    }
    let start = u32::try_from(texts.len()).unwrap_or(u32::MAX);
    texts.extend_from_slice(raw);
    let len = u32::try_from(raw.len()).unwrap_or(u32::MAX);
    IdKey::Text(super::hash128(raw), start, len)
}

/// Parses a CSV block's records (the first `skip` are the header and the rows above it).
pub(crate) fn parse_block(plan: &Plan, block: &[u8], delim: u8, skip: usize) -> BlockOut {
    let (out, ok) = parse_records(plan, block, skip, Records::new(block, delim));
    if ok {
        return out;
    }
    // A lone `\r` ends a record too: read the block again, byte by byte.
    parse_records(plan, block, skip, Records::careful(block, delim)).0
}

/// A block's rows, and whether the records were read right (see [`Records::plain_ok`]).
fn parse_records(plan: &Plan, block: &[u8], skip: usize, mut records: Records) -> (BlockOut, bool) {
    let mut out = BlockOut::default();
    // About one row in every 60 bytes, to fill without growing.
    let rows = block.len() / 60 + 16;
    out.recs.reserve(rows);
    out.answers.reserve(rows * plan.question_cols.len());
    let (mut fields, mut scratch): (Vec<Field>, Vec<u8>) = (Vec::new(), Vec::new());
    let mut n = 0usize;
    while records.next(&mut fields, &mut scratch) {
        n += 1;
        if n <= skip {
            continue;
        }
        let cell = |c: usize| fields.get(c).map_or(&[][..], |f| f.get(block, &scratch));
        if fields
            .iter()
            .all(|f| trim(f.get(block, &scratch)).is_empty())
        {
            continue;
        }
        plan.row(&mut out, n, cell);
    }
    out.records = n;
    let ok = records.plain_ok();
    (out, ok)
}

/// The set of respondent ids seen: one bit per numeric id below 2²⁶, a hash per other.
#[derive(Default)]
struct IdSet {
    bits: Vec<u64>,
    others: HashSet<u128, FxBuild>,
}

const MAX_BIT_ID: u64 = 1 << 26;

impl IdSet {
    /// Adds a key; false when it was there already.
    fn insert(&mut self, key: u128, number: Option<u64>) -> bool {
        if let Some(n) = number.filter(|n| *n < MAX_BIT_ID) {
            let (w, b) = ((n / 64) as usize, n % 64);
            if self.bits.len() <= w {
                self.bits.resize((w + 1).next_power_of_two().max(1024), 0);
            }
            let had = self.bits[w] & (1 << b) != 0;
            self.bits[w] |= 1 << b;
            return !had;
        }
        self.others.insert(key)
    }
}

/// One unit's tallies while reading.
struct Acc {
    first_row: usize,
    respondents: u64,
    /// Per question, stratum and code slot: respondents.
    n: Vec<u64>,
    /// The same, weighted (exact), and squared weights; empty without weights.
    w: Vec<Decimal>,
    w2: Vec<f64>,
}

/// A list of units (`--units`): the units, each folded id and name to its unit, and the ids and
/// names for "did you mean".
struct UnitList<'a> {
    units: &'a [Unit],
    index: HashMap<String, usize>,
    names: Vec<String>,
}

/// Adds blocks' rows to the units' tallies, in file order.
pub(crate) struct Aggregator<'a> {
    plan: &'a Plan<'a>,
    /// The list of units (`--units`): folded id or name → unit index, and the names for
    /// "did you mean".
    list: Option<UnitList<'a>>,
    /// Units made from the respondents' unit cells: folded text → index, and each one's text.
    made: HashMap<String, usize>,
    made_names: Vec<String>,
    accs: Vec<Option<Acc>>,
    /// Per question: offset of its slots in a tally, and its slots per stratum.
    offsets: Vec<usize>,
    slots: Vec<usize>,
    /// Slots in a unit's tally.
    slots_total: usize,
    strata: usize,
    weighted: bool,
    ids: IdSet,
    /// Ids given again: the row of the repeat, the key and its text.
    repeats: Vec<(usize, u128, String)>,
    /// When finding where repeated ids were first given: the wanted keys, and the rows found.
    first_rows: Option<FirstRows>,
    pub(crate) log: ErrorLog,
    rows_before: usize,
    respondents: u64,
    counted: u64,
}

/// A respondent id's key in the set of ids seen, and its number when it is one.
fn key_of(id: IdKey) -> Option<(u128, Option<u64>)> {
    match id {
        IdKey::None => None,
        IdKey::Number(n) => Some((u128::from(n) | (1u128 << 127), Some(n))),
        IdKey::Text(h, ..) => Some((h & !(1u128 << 127), None)),
    }
}

/// A respondent id as written, for a message.
fn id_text(id: IdKey, texts: &[u8]) -> String {
    match id {
        IdKey::None => String::new(),
        IdKey::Number(n) => n.to_string(),
        IdKey::Text(_, s, l) => {
            let t = texts
                .get(s as usize..(s as usize + l as usize))
                .unwrap_or_default();
            String::from_utf8_lossy(t).into_owned()
        }
    }
}

impl<'a> Aggregator<'a> {
    pub(crate) fn new(plan: &'a Plan<'a>, units: Option<&'a [Unit]>) -> Self {
        let survey = plan.survey;
        let strata = survey.strata_count();
        let mut offsets = Vec::new();
        let mut at = 0;
        for q in &survey.questions {
            offsets.push(at);
            at += q.slots() * strata;
        }
        let list = units.map(|units| {
            let set = plan.set;
            let mut index = HashMap::new();
            let mut names = Vec::new();
            for (i, u) in units.iter().enumerate() {
                let id = u.values[set.id_field].display();
                index.entry(header::fold(&id)).or_insert(i);
                names.push(id);
                if let Some(nf) = set.name_field {
                    let name = u.values[nf].display();
                    index.entry(header::fold(&name)).or_insert(i);
                    names.push(name);
                }
            }
            UnitList {
                units,
                index,
                names,
            }
        });
        let n = units.map_or(0, <[Unit]>::len);
        let slots: Vec<usize> = survey.questions.iter().map(|q| q.slots()).collect();
        Self {
            plan,
            list,
            slots_total: at,
            slots,
            made: HashMap::new(),
            made_names: Vec::new(),
            accs: (0..n).map(|_| None).collect(),
            offsets,
            strata,
            weighted: survey.weight.is_some(),
            ids: IdSet::default(),
            repeats: Vec::new(),
            first_rows: None,
            log: ErrorLog::default(),
            rows_before: 0,
            respondents: 0,
            counted: 0,
        }
    }

    /// Looks for the rows where these keys were first given, instead of tallying.
    fn finding(plan: &'a Plan<'a>, keys: impl Iterator<Item = u128>) -> Self {
        let mut a = Self::new(plan, None);
        a.first_rows = Some(keys.map(|k| (k, None)).collect());
        a
    }

    /// The unit a block's unit cell names: `Err` with the error when none.
    fn resolve(&mut self, text: &str) -> Result<usize, Message> {
        let f = header::fold(text);
        if let Some(UnitList { index, names, .. }) = &self.list {
            return match index.get(&f) {
                Some(&i) => Ok(i),
                None => {
                    let near = crate::messages::closest(text, names.iter().map(String::as_str));
                    Err(msg::unknown_unit(text, near))
                }
            };
        }
        if let Some(&i) = self.made.get(&f) {
            return Ok(i);
        }
        let i = self.made_names.len();
        self.made.insert(f, i);
        self.made_names.push(text.to_string());
        self.accs.push(None);
        Ok(i)
    }

    /// Adds a block's rows, the block being the next in the file.
    pub(crate) fn add(&mut self, block: BlockOut) {
        let before = self.rows_before;
        self.rows_before += block.records;
        let q = self.plan.question_cols.len();
        let enc = self.plan.enc;
        let mut errors: Vec<DataError> = block
            .errors
            .into_iter()
            .map(|mut e| {
                e.row += before;
                e
            })
            .collect();
        self.log.omitted += block.omitted;
        // Each of the block's unit cells, resolved once.
        let mut resolved: Vec<Option<Result<usize, Message>>> = vec![None; block.dict.len()];
        for (r, rec) in block.recs.iter().enumerate() {
            let row = before + rec.row as usize;
            let id = block.ids.get(r).copied().unwrap_or(IdKey::None);
            if let Some(wanted) = self.first_rows.as_mut() {
                if let Some((key, _)) = key_of(id) {
                    if let Some(slot @ None) = wanted.get_mut(&key) {
                        *slot = Some(row);
                    }
                }
                continue;
            }
            self.respondents += 1;
            let mut ok = rec.valid;
            if let Some((key, number)) = key_of(id) {
                if !self.ids.insert(key, number) {
                    ok = false;
                    let text = id_text(id, &block.texts);
                    let col = self.plan.id_col.unwrap_or(0);
                    errors.push(self.plan.column_error(
                        row,
                        col,
                        None,
                        msg::duplicate_id(&text, None),
                    ));
                    self.repeats.push((row, key, text));
                }
            }
            if rec.unit == u32::MAX {
                continue;
            }
            let d = rec.unit as usize;
            if resolved[d].is_none() {
                let text = decode(enc, &block.dict[d]).0;
                resolved[d] = Some(self.resolve(&text));
            }
            let unit = match &resolved[d] {
                Some(Ok(u)) => *u,
                Some(Err(m)) => {
                    let text = decode(enc, &block.dict[d]).0;
                    errors.push(self.plan.column_error(
                        row,
                        self.plan.unit_col,
                        Some(quoted(&text)),
                        m.clone(),
                    ));
                    continue;
                }
                None => continue,
            };
            if !ok {
                continue;
            }
            self.counted += 1;
            let slots = self.slots_total;
            let weighted = self.weighted;
            let acc = self.accs[unit].get_or_insert_with(|| Acc {
                first_row: row,
                respondents: 0,
                n: vec![0; slots],
                w: if weighted {
                    vec![Decimal::ZERO; slots]
                } else {
                    Vec::new()
                },
                w2: if weighted {
                    vec![0.0; slots]
                } else {
                    Vec::new()
                },
            });
            acc.respondents += 1;
            let answers = &block.answers[r * q..(r + 1) * q];
            let weight = block.weights.get(r).copied().unwrap_or(Decimal::ONE);
            let w2 = if weighted {
                weight.to_f64().unwrap_or(0.0).powi(2)
            } else {
                0.0
            };
            let stratum = usize::from(rec.stratum);
            for ((&code, &off), &slots_q) in answers.iter().zip(&self.offsets).zip(&self.slots) {
                let i = off + stratum * slots_q + usize::from(code);
                if let Some(n) = acc.n.get_mut(i) {
                    *n += 1;
                }
                if weighted {
                    acc.w[i] += weight;
                    acc.w2[i] += w2;
                }
            }
        }
        errors.sort_by_key(|e| e.row);
        for e in errors {
            self.log.push(e);
        }
    }

    /// The ids given twice, for a second reading that finds their first rows.
    fn repeated_keys(&self) -> Vec<u128> {
        self.repeats.iter().map(|(_, k, _)| *k).collect()
    }

    /// Names, in the errors kept, the row where each repeated id was first given.
    fn name_first_rows(&mut self, first: &FirstRows) {
        let by_row: HashMap<usize, (u128, &str)> = self
            .repeats
            .iter()
            .map(|(r, k, t)| (*r, (*k, t.as_str())))
            .collect();
        for e in &mut self.log.kept {
            if e.code != "S0204" {
                continue;
            }
            if let Some((k, text)) = by_row.get(&e.row) {
                let m = msg::duplicate_id(text, first.get(k).copied().flatten());
                *e.message = m.text;
            }
        }
    }

    /// The units with their answer counts, and what was read.
    pub(crate) fn finish(self, encoding: &str) -> Dataset {
        let plan = self.plan;
        let set = plan.set;
        let survey = plan.survey;
        let mut log = self.log;
        let mut units = Vec::new();
        let filled = survey.filled_fields();
        let mut short_units = 0usize;
        let count = self.accs.len();
        for i in 0..count {
            let acc = self.accs[i].as_ref();
            let (row, mut values) = match &self.list {
                Some(list) => (list.units[i].row, list.units[i].values.clone()),
                None => {
                    let name = &self.made_names[i];
                    let mut values: Vec<Value> = set
                        .fields
                        .iter()
                        .map(|f| f.default.clone().unwrap_or(Value::Missing))
                        .collect();
                    for f in std::iter::once(set.id_field).chain(set.name_field) {
                        values[f] = match set.fields[f].ty {
                            FieldType::Text => Value::Text(name.clone()),
                            _ => crate::data::parse_cell(&set.fields[f], name)
                                .unwrap_or(Value::Text(name.clone())),
                        };
                    }
                    (acc.map_or(0, |a| a.first_row), values)
                }
            };
            let sample = Arc::new(unit_sample(survey, acc, &self.offsets, self.strata));
            fill(survey, acc, &self.offsets, self.strata, &mut values);
            let mut unit = Unit {
                row,
                values,
                survey: Some(sample),
            };
            if let Some(f) = survey.short {
                let short = super::is_short(set, &unit);
                unit.values[f] = Value::Bool(short);
            }
            if super::is_short(set, &unit) {
                short_units += 1;
            }
            units.push(unit);
        }
        // Units made from names must carry every required field.
        if self.list.is_none() && !units.is_empty() {
            for (fi, f) in set.fields.iter().enumerate() {
                let own = fi == set.id_field || Some(fi) == set.name_field || filled.contains(&fi);
                if f.required && f.default.is_none() && !own {
                    log.push(DataError::file(msg::field_needs_units(&f.label)));
                    units.clear();
                    break;
                }
            }
        }
        if self.respondents == 0 {
            log.push(DataError::file(msg::no_respondents()));
        }
        let mut errors = log.kept;
        errors.sort_by_key(|e| e.row);
        let units_count = units.len();
        Dataset {
            units,
            errors,
            errors_omitted: log.omitted,
            ignored_columns: Vec::new(),
            columns: Vec::new(),
            encoding: encoding.to_string(),
            respondents: Some(RespondentSummary {
                respondents: self.respondents,
                counted: self.counted,
                units: units_count,
                short_units,
            }),
        }
    }
}

/// A unit's tallies as the statistics read them.
fn unit_sample(survey: &Survey, acc: Option<&Acc>, offsets: &[usize], strata: usize) -> UnitSample {
    let questions = survey
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let slots = q.slots();
            let k = q.options.len();
            let mut cells = Vec::with_capacity(strata);
            let (mut excluded, mut blank) = (0u64, 0u64);
            for s in 0..strata {
                let base = offsets[qi] + s * slots;
                let get = |i: usize| acc.map_or(0, |a| a.n[base + i]);
                blank += get(0);
                excluded += (k + 1..slots).map(get).sum::<u64>();
                let n: Vec<f64> = (1..=k).map(|i| get(i) as f64).collect();
                let (w, w2) = match acc.filter(|a| !a.w.is_empty()) {
                    Some(a) => (
                        (1..=k)
                            .map(|i| a.w[base + i].to_f64().unwrap_or(0.0))
                            .collect(),
                        (1..=k).map(|i| a.w2[base + i]).collect(),
                    ),
                    None => (n.clone(), n.clone()),
                };
                cells.push(Cell { n, w, w2 });
            }
            QuestionTally {
                cells,
                excluded,
                blank,
            }
        })
        .collect();
    UnitSample {
        respondents: acc.map_or(0, |a| a.respondents),
        questions,
    }
}

/// Writes a unit's answer counts into its fields: plain counts; weighted sums with weights;
/// post-stratified, `Σ_h P_h · W · W_hk / W_h` (the index these give is `Σ_h P_h ȳ_h`, and
/// they add up to the unit's weighted total `W`).
fn fill(
    survey: &Survey,
    acc: Option<&Acc>,
    offsets: &[usize],
    strata: usize,
    values: &mut [Value],
) {
    for (qi, q) in survey.questions.iter().enumerate() {
        let slots = q.slots();
        let k = q.options.len();
        let n = |s: usize, i: usize| acc.map_or(0, |a| a.n[offsets[qi] + s * slots + i]);
        let w = |s: usize, i: usize| match acc {
            Some(a) if !a.w.is_empty() => a.w[offsets[qi] + s * slots + i],
            _ => Decimal::from(n(s, i)),
        };
        let counts: Vec<Value> = match &survey.strata {
            None if survey.weight.is_none() => {
                (1..=k).map(|i| Value::Int(n(0, i) as i64)).collect()
            }
            None => (1..=k)
                .map(|i| Value::Number(w(0, i).normalize()))
                .collect(),
            Some(st) => {
                let totals: Vec<Decimal> = (0..strata)
                    .map(|s| (1..=k).map(|i| w(s, i)).sum())
                    .collect();
                let all: Decimal = totals.iter().copied().sum();
                let present: Decimal = st
                    .cells
                    .iter()
                    .zip(&totals)
                    .filter(|(_, t)| **t > Decimal::ZERO)
                    .map(|((_, p), _)| *p)
                    .sum();
                (1..=k)
                    .map(|i| {
                        let mut c = Decimal::ZERO;
                        if present > Decimal::ZERO {
                            for (s, ((_, p), t)) in st.cells.iter().zip(&totals).enumerate() {
                                if *t > Decimal::ZERO {
                                    let part = (*p / present)
                                        .checked_mul(all)
                                        .and_then(|x| x.checked_mul(w(s, i)))
                                        .and_then(|x| x.checked_div(*t))
                                        .unwrap_or_default();
                                    c += part;
                                }
                            }
                        }
                        Value::Number(c.normalize())
                    })
                    .collect()
            }
        };
        for (f, v) in q.counts.iter().zip(counts) {
            values[*f] = v;
        }
        if let Some(f) = q.excluded_count {
            // Excluded answers and no answer: everyone outside the index's base.
            let e: u64 = (0..strata)
                .map(|s| n(s, 0) + (k + 1..slots).map(|i| n(s, i)).sum::<u64>())
                .sum();
            values[f] = Value::Int(e as i64);
        }
    }
    if let Some(f) = survey.sample {
        values[f] = Value::Int(acc.map_or(0, |a| a.respondents) as i64);
    }
}

/// The header: the first of the top rows that names the unit column, decoded.
fn find_header(survey: &Survey, rows: &[(usize, Vec<String>)]) -> Option<(usize, Vec<String>)> {
    rows.iter()
        .find(|(_, cells)| names_unit(survey, cells))
        .cloned()
}

/// Reads a CSV respondents' file from a source `open` opens; when an id is given twice, the
/// source is opened and read again to name the row where it was first given.
pub(crate) fn read_csv<R: Read>(
    set: &RuleSet,
    survey: &Survey,
    open: impl Fn() -> R,
    units: Option<&[Unit]>,
) -> Dataset {
    let mut reader = CsvReader::open(open());
    let (enc, name) = reader.encoding();
    let delim = delimiter(reader.head());
    let Some((header_row, headers)) = reader.header(survey, delim, enc) else {
        return failed(dmsg::empty_file(), name);
    };
    let plan = match layout(set, survey, header_row, headers, enc) {
        Ok(p) => p,
        Err(errors) => return failed_with(errors, name),
    };
    let mut agg = Aggregator::new(&plan, units);
    if let Err(e) = reader.blocks(&plan, delim, &mut |b| agg.add(b)) {
        return failed(dmsg::unreadable(&e.to_string()), name);
    }
    let keys = agg.repeated_keys();
    if !keys.is_empty() {
        let mut again = CsvReader::open(open());
        let _ = again.encoding();
        if again.header(survey, delim, enc).is_some() {
            let mut finder = Aggregator::finding(&plan, keys.into_iter());
            if again.blocks(&plan, delim, &mut |b| finder.add(b)).is_ok() {
                if let Some(first) = finder.first_rows.take() {
                    agg.name_first_rows(&first);
                }
            }
        }
    }
    agg.finish(name)
}

/// Reads a CSV respondents' file held in memory: its blocks are slices of `bytes`, parsed
/// where they lie (UTF-16 and GB18030 are transcoded, through [`read_csv`]).
pub(crate) fn read_csv_bytes(
    set: &RuleSet,
    survey: &Survey,
    bytes: &[u8],
    units: Option<&[Unit]>,
) -> Dataset {
    let mut reader = CsvReader::open(bytes);
    let (enc, name) = reader.encoding();
    if matches!(reader.source, Input::Decoded(_)) {
        return read_csv(set, survey, || bytes, units);
    }
    let body = &bytes[reader.start..];
    let delim = delimiter(reader.head());
    let Some((header_row, headers)) = reader.header(survey, delim, enc) else {
        return failed(dmsg::empty_file(), name);
    };
    let plan = match layout(set, survey, header_row, headers, enc) {
        Ok(p) => p,
        Err(errors) => return failed_with(errors, name),
    };
    let skip = reader.header_skip;
    let mut agg = Aggregator::new(&plan, units);
    slice_blocks(body, delim, skip, &plan, &mut |b| agg.add(b));
    let keys = agg.repeated_keys();
    if !keys.is_empty() {
        let mut finder = Aggregator::finding(&plan, keys.into_iter());
        slice_blocks(body, delim, skip, &plan, &mut |b| finder.add(b));
        if let Some(first) = finder.first_rows.take() {
            agg.name_first_rows(&first);
        }
    }
    agg.finish(name)
}

/// Hands out the blocks of whole records of `body` (the first `skip` records passed over),
/// parsed where they lie, to `each`, in order.
fn slice_blocks(body: &[u8], delim: u8, skip: usize, plan: &Plan, each: &mut Each<'_>) {
    let batch = super::threads() * 4;
    let mut pos = 0;
    let mut skip = skip;
    let mut parsed: Vec<BlockOut> = Vec::new();
    loop {
        let mut blocks: Vec<(&[u8], usize)> = Vec::with_capacity(batch);
        while blocks.len() < batch && pos < body.len() {
            let mut want = BLOCK;
            let cut = loop {
                let end = pos.saturating_add(want).min(body.len());
                if end == body.len() {
                    break end;
                }
                if let Some(c) = last_record_end(&body[pos..end], delim) {
                    break pos + c;
                }
                want = want.saturating_mul(2);
            };
            blocks.push((&body[pos..cut], skip));
            skip = 0;
            pos = cut;
        }
        if blocks.is_empty() {
            break;
        }
        let done = std::mem::take(&mut parsed);
        parsed = super::parse_while(
            || super::parse_blocks(plan, &blocks, delim),
            || {
                for out in done {
                    each(out);
                }
            },
        );
    }
    for out in parsed {
        each(out);
    }
}

fn failed(m: Message, encoding: &str) -> Dataset {
    failed_with(vec![DataError::file(m)], encoding)
}

fn failed_with(errors: Vec<DataError>, encoding: &str) -> Dataset {
    Dataset {
        errors,
        encoding: encoding.to_string(),
        ..Dataset::default()
    }
}

/// A CSV source read in blocks of whole records, transcoded to UTF-8 first when it is UTF-16.
/// Buffers are reused from block to block: they are written by the source and read by the
/// parser, never cleared.
struct CsvReader<R> {
    source: Input<R>,
    /// `buf[start..end]` is read and not yet handed out.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    error: Option<std::io::Error>,
    enc: Option<(Charset, &'static str)>,
    /// The header's record number: the first block passes over the records up to it.
    header_skip: usize,
    /// Buffers of blocks already parsed, to read the next ones into.
    pool: Vec<Vec<u8>>,
}

enum Input<R> {
    Raw(R),
    /// UTF-16 or GB18030, decoded to UTF-8.
    Decoded(Box<Transcode<R>>),
    Taken,
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Input::Raw(r) => r.read(buf),
            Input::Decoded(t) => t.read(buf),
            Input::Taken => Ok(0),
        }
    }
}

/// A buffer's size: a block and a quarter, room for the record a block ends inside.
const BUFFER: usize = BLOCK + BLOCK / 4;

impl<R: Read> CsvReader<R> {
    fn open(source: R) -> Self {
        let mut r = Self {
            source: Input::Raw(source),
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
            eof: false,
            error: None,
            enc: None,
            header_skip: 0,
            pool: Vec::new(),
        };
        r.fill(BLOCK);
        r
    }

    /// Reads until `buf` holds `want` bytes past `start`, or the source ends.
    fn fill(&mut self, want: usize) {
        while self.end - self.start < want && !self.eof {
            let need = self.start + want;
            if self.buf.len() < need {
                self.buf.resize(need.max(self.buf.len() * 2), 0);
            }
            match self.source.read(&mut self.buf[self.end..need]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.eof = true;
                    self.error = Some(e);
                }
            }
        }
    }

    /// The bytes read and not handed out.
    fn head(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Decides the encoding from the first window, as the unit reader does. A UTF-16 or GB18030
    /// source is transcoded to UTF-8 from here on: the cells are then compared as UTF-8 (and no
    /// encoder tables are needed). Gives the encoding the cells are in, and the file's name for it.
    fn encoding(&mut self) -> (Charset, &'static str) {
        if let Some(e) = self.enc {
            return e;
        }
        let (from, bom) = match Charset::for_bom(self.head()) {
            Some(found) => found,
            None => (crate::data::sniff_whole(self.head(), self.eof), 0),
        };
        let found = if from == Charset::Utf8 {
            self.start += bom;
            (Charset::Utf8, "UTF-8")
        } else {
            // What is read so far and the rest, through a decoder.
            let taken = std::mem::replace(&mut self.source, Input::Taken);
            let head = self.buf[self.start + bom..self.end].to_vec();
            match taken {
                Input::Raw(inner) => {
                    self.source = Input::Decoded(Box::new(Transcode::new(head, inner, from)));
                    self.start = 0;
                    self.end = 0;
                    self.eof = false;
                    self.fill(BLOCK);
                }
                other => self.source = other,
            }
            (Charset::Utf8, from.name())
        };
        self.enc = Some(found);
        found
    }

    /// Finds the header among the first rows; the rows up to it are passed over.
    fn header(&mut self, survey: &Survey, delim: u8, enc: Charset) -> Option<(usize, Vec<String>)> {
        let mut grow = BLOCK;
        loop {
            let head = self.head();
            let end = if self.eof {
                head.len()
            } else {
                last_record_end(head, delim).unwrap_or(0)
            };
            let part = &head[..end];
            let mut records = Records::new(part, delim);
            let (mut fields, mut scratch) = (Vec::new(), Vec::new());
            let mut rows = Vec::new();
            let mut n = 0;
            while rows.len() < HEADER_ROWS && records.next(&mut fields, &mut scratch) {
                n += 1;
                let cells: Vec<String> = fields
                    .iter()
                    .map(|f| decode(enc, f.get(part, &scratch)).0)
                    .collect();
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push((n, cells));
            }
            if rows.len() < HEADER_ROWS && !self.eof {
                grow *= 2;
                if grow > 64 * BLOCK {
                    return None;
                }
                self.fill(grow);
                continue;
            }
            let found = find_header(survey, &rows).or_else(|| rows.first().cloned())?;
            self.header_skip = found.0;
            return Some(found);
        }
    }

    /// The next block of whole records: a buffer and the length of its records, the bytes
    /// after them moved to the front of the next buffer. `None` at the end.
    fn next_block(&mut self, delim: u8) -> Option<(Vec<u8>, usize)> {
        self.fill(BLOCK);
        if self.start == self.end {
            return None;
        }
        let mut want = BLOCK;
        let cut = loop {
            let avail = self.head();
            let cut = if self.eof {
                Some(avail.len())
            } else {
                last_record_end(avail, delim)
            };
            match cut {
                Some(c) => break c,
                None => {
                    want *= 2;
                    self.fill(want);
                }
            }
        };
        let split = self.start + cut;
        let mut next = self.pool.pop().unwrap_or_else(|| vec![0; BUFFER]);
        let rest = self.end - split;
        if next.len() < rest + BLOCK {
            next.resize(rest + BLOCK, 0);
        }
        next[..rest].copy_from_slice(&self.buf[split..self.end]);
        let mut block = std::mem::replace(&mut self.buf, next);
        if self.start > 0 {
            block.copy_within(self.start..split, 0);
        }
        let len = cut;
        self.start = 0;
        self.end = rest;
        Some((block, len))
    }

    /// Hands out the file's blocks, parsed (the first without the rows up to the header), to
    /// `each`, in file order.
    fn blocks(&mut self, plan: &Plan, delim: u8, each: &mut Each<'_>) -> std::io::Result<()> {
        let batch = super::threads() * 4;
        let mut skip = self.header_skip;
        // The blocks parsed last round, handed on while the next round is parsed.
        let mut parsed: Vec<BlockOut> = Vec::new();
        loop {
            let mut blocks: Vec<(Vec<u8>, usize, usize)> = Vec::with_capacity(batch);
            while blocks.len() < batch {
                let Some((block, len)) = self.next_block(delim) else {
                    break;
                };
                blocks.push((block, len, skip));
                skip = 0;
            }
            if blocks.is_empty() {
                break;
            }
            let hand_on = |done: Vec<BlockOut>, each: &mut Each<'_>| {
                for out in done {
                    each(out);
                }
            };
            let done = std::mem::take(&mut parsed);
            let slices: Vec<(&[u8], usize)> = blocks
                .iter()
                .map(|(b, len, skip)| (&b[..*len], *skip))
                .collect();
            parsed = super::parse_while(
                || super::parse_blocks(plan, &slices, delim),
                || hand_on(done, each),
            );
            self.pool.extend(blocks.into_iter().map(|(b, ..)| b));
        }
        for out in parsed {
            each(out);
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A UTF-16 or GB18030 source as UTF-8.
struct Transcode<R> {
    head: std::io::Cursor<Vec<u8>>,
    source: R,
    charset: Charset,
    decoder: Option<Decoder>,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Transcode<R> {
    fn new(head: Vec<u8>, source: R, enc: Charset) -> Self {
        Self {
            head: std::io::Cursor::new(head),
            source,
            charset: enc,
            decoder: None,
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.out.len() && !self.done {
            let n = match self.head.read(&mut self.raw)? {
                0 => self.source.read(&mut self.raw)?,
                n => n,
            };
            let last = n == 0;
            let decoder = match &mut self.decoder {
                Some(d) => d,
                None => self.decoder.insert(Decoder::new(self.charset)?),
            };
            self.out.clear();
            decoder.decode(&self.raw[..n], &mut self.out, last)?;
            self.pos = 0;
            self.done = last;
        }
        let n = (self.out.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Whether CSV bytes are a respondents' file for this survey (their header names the unit
/// column and a question).
pub(crate) fn csv_is_respondents(survey: &Survey, bytes: &[u8]) -> bool {
    let mut reader = CsvReader::open(bytes);
    let (enc, _) = reader.encoding();
    let delim = delimiter(reader.head());
    reader
        .header(survey, delim, enc)
        .is_some_and(|(_, cells)| is_respondents_header(survey, &cells))
}

/// Rows of a spreadsheet (number, cells), read into blocks of this many rows.
#[cfg(feature = "spreadsheets")]
const SHEET_BLOCK_ROWS: usize = 8192;

/// The columns a sheet's reader turns into text, once the header is known (`None`: all); the
/// others are passed over (问卷星's timestamps and addresses are long and never read).
#[cfg(feature = "spreadsheets")]
pub(crate) type KeepColumns = std::cell::RefCell<Option<Vec<bool>>>;

/// The next row of a sheet: its number and cells, `None` after the last.
#[cfg(feature = "spreadsheets")]
pub(crate) type NextRow<'r> = &'r mut dyn FnMut() -> Result<Option<(usize, Vec<String>)>, Message>;

/// Where repeated ids were first given: each one's first row, once found.
type FirstRows = HashMap<u128, Option<usize>>;

/// Goes through a sheet's rows again (opening the workbook anew), handing them to its
/// argument, for the first rows of repeated ids.
#[cfg(feature = "spreadsheets")]
pub(crate) type Again<'a> =
    &'a dyn Fn(&mut dyn FnMut(NextRow) -> Option<FirstRows>) -> Option<FirstRows>;

/// Reads a spreadsheet's rows into units in one pass over the open workbook (`rows` gives
/// them; `again` opens the workbook anew, only to name the first row of an id given twice).
/// With `only_respondents`, `None` when the header is not a respondents' one.
#[cfg(feature = "spreadsheets")]
pub(crate) fn read_rows(
    set: &RuleSet,
    survey: &Survey,
    rows: NextRow,
    keep: &KeepColumns,
    again: Again,
    units: Option<&[Unit]>,
    only_respondents: bool,
) -> Option<Dataset> {
    let blank = |cells: &[String]| cells.iter().all(|c| c.trim().is_empty());
    let mut ahead: Vec<(usize, Vec<String>)> = Vec::new();
    while ahead.len() < HEADER_ROWS {
        match rows() {
            Ok(Some((row, cells))) if !blank(&cells) => ahead.push((row, cells)),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(m) => return (!only_respondents).then(|| failed(m, "spreadsheet")),
        }
    }
    let found = find_header(survey, &ahead).or_else(|| ahead.first().cloned());
    if only_respondents
        && !found
            .as_ref()
            .is_some_and(|(_, cells)| is_respondents_header(survey, cells))
    {
        return None;
    }
    let Some((header_row, headers)) = found else {
        return Some(failed(dmsg::empty_file(), "spreadsheet"));
    };
    let plan = match layout(set, survey, header_row, headers, Charset::Utf8) {
        Ok(p) => p,
        Err(errors) => return Some(failed_with(errors, "spreadsheet")),
    };
    keep.replace(Some(plan.columns()));
    // Rows after the header: those read ahead, then the rest.
    let feed = |agg: &mut Aggregator, ahead: Vec<(usize, Vec<String>)>, rows: NextRow| {
        let mut out = BlockOut::default();
        let mut take = |row: usize, cells: Vec<String>, agg: &mut Aggregator| {
            if row <= header_row || blank(&cells) {
                return;
            }
            let empty: &[u8] = &[];
            plan.row(&mut out, row, |c| {
                cells.get(c).map_or(empty, |s| s.as_bytes())
            });
            if out.recs.len() == SHEET_BLOCK_ROWS {
                agg.add(std::mem::take(&mut out));
            }
        };
        for (row, cells) in ahead {
            take(row, cells, agg);
        }
        let result = loop {
            match rows() {
                Ok(Some((row, cells))) => take(row, cells, agg),
                Ok(None) => break Ok(()),
                Err(m) => break Err(m),
            }
        };
        agg.add(out);
        result
    };
    let mut agg = Aggregator::new(&plan, units);
    if let Err(m) = feed(&mut agg, ahead, rows) {
        return Some(failed(m, "spreadsheet"));
    }
    let keys = agg.repeated_keys();
    if !keys.is_empty() {
        let first = again(&mut |rows| {
            let mut finder = Aggregator::finding(&plan, keys.iter().copied());
            feed(&mut finder, Vec::new(), rows).ok()?;
            finder.first_rows.take()
        });
        if let Some(first) = first {
            agg.name_first_rows(&first);
        }
    }
    Some(agg.finish("spreadsheet"))
}

/// Whether the first rows of a sheet hold a respondents' header.
#[cfg(feature = "spreadsheets")]
pub(crate) fn sheet_is_respondents(survey: &Survey, rows: NextRow) -> bool {
    let mut ahead = Vec::new();
    while ahead.len() < HEADER_ROWS {
        match rows() {
            Ok(Some((row, cells))) => {
                if !cells.iter().all(|c| c.trim().is_empty()) {
                    ahead.push((row, cells));
                }
            }
            _ => break,
        }
    }
    find_header(survey, &ahead)
        .or_else(|| ahead.first().cloned())
        .is_some_and(|(_, cells)| is_respondents_header(survey, &cells))
}

/// Calls `f` with the rows of the first sheet of an XLSX that has cells, read cell by cell
/// from the open workbook (never the whole sheet at once), as [`NextRow`].
#[cfg(feature = "spreadsheets")]
pub(crate) fn with_xlsx_rows<T>(
    bytes: &[u8],
    keep: &KeepColumns,
    f: impl FnOnce(NextRow) -> T,
) -> Result<T, Message> {
    use calamine::Reader;
    let unopenable = |e: String| dmsg::spreadsheet_unopenable(&e, false);
    let mut book =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unopenable(e.to_string()))?;
    // The first sheet with a cell.
    for name in book.sheet_names().to_vec() {
        let Ok(mut reader) = book.worksheet_cells_reader(&name) else {
            continue;
        };
        // A cell of the next row, read while finding where this one ends.
        let mut pending: Option<(u32, usize, String)> = None;
        let mut seen = 0usize;
        let mut failed = None;
        let mut pull = |reader: &mut calamine::XlsxCellReader<'_, std::io::Cursor<&[u8]>>| loop {
            let cell = match reader.next_cell() {
                Ok(Some(c)) => c,
                Ok(None) => return Ok(None),
                Err(e) => return Err(unopenable(e.to_string())),
            };
            let (r, c) = cell.get_position();
            if c >= crate::data::MAX_SHEET_COLUMNS {
                continue;
            }
            seen += 1;
            if seen > crate::data::MAX_SHEET_CELLS {
                return Err(dmsg::too_many_cells(&name, crate::data::MAX_SHEET_CELLS));
            }
            let wanted = keep
                .borrow()
                .as_ref()
                .is_none_or(|k| k.get(c as usize).copied().unwrap_or(false));
            if !wanted {
                continue;
            }
            let text = match cell.get_value() {
                calamine::DataRef::SharedString(t) => (*t).to_string(),
                other => crate::data::cell_text(calamine::Data::from(other.clone()), false),
            };
            if text.is_empty() {
                continue;
            }
            return Ok(Some((r, c as usize, text)));
        };
        match pull(&mut reader) {
            Ok(Some(first)) => pending = Some(first),
            Ok(None) => continue,
            Err(m) => failed = Some(m),
        }
        if let Some(m) = failed {
            return Err(m);
        }
        let mut next = || -> Result<Option<(usize, Vec<String>)>, Message> {
            let Some((row, c, text)) = pending.take() else {
                return Ok(None);
            };
            let mut cells: Vec<String> = Vec::new();
            let put = |cells: &mut Vec<String>, c: usize, text: String| {
                if cells.len() <= c {
                    cells.resize(c + 1, String::new());
                }
                cells[c] = text;
            };
            put(&mut cells, c, text);
            loop {
                match pull(&mut reader)? {
                    Some((r, c, text)) if r == row => put(&mut cells, c, text),
                    Some(other) => {
                        pending = Some(other);
                        break;
                    }
                    None => break,
                }
            }
            Ok(Some((row as usize + 1, cells)))
        };
        return Ok(f(&mut next));
    }
    Ok(f(&mut || Ok(None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_reads_every_length_as_the_bytes_in_order() {
        let text = b"0123456789abcdefXYZ";
        for n in 0..=16 {
            let mut a = [0u8; 16];
            a[..n].copy_from_slice(&text[..n]);
            assert_eq!(padded(&text[..n]), u128::from_le_bytes(a), "{n}");
        }
        assert_ne!(short_key(b"ab"), short_key(b"ab\0"));
    }
}
