//! Reading unit data (数据读取): CSV in UTF-8, UTF-16 or GBK/GB18030 detected without being
//! told, JSON, JSON Lines and spreadsheets. Every bad cell is reported; good rows are kept. A
//! missing or doubled column is reported once, beside every bad cell of the rows below (which
//! then make no units): all data errors (数据错误) in one reading, each with its code, place and
//! fix hint in zh-CN and English (see [`crate::messages`]).
//!
//! CSV and JSON Lines stream: [`UnitStream`] reads any [`std::io::Read`] a chunk at a time and
//! yields units one by one in memory bounded independent of the file's size, and [`read`] runs
//! the same code over bytes already in memory.

use crate::error::DataError;
use crate::messages::data as msg;
use crate::messages::{Message, Text};
use crate::model::{Field, FieldType, RuleSet, Value};
use crate::text::{Charset, Decoder};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead, Read};
use std::str::FromStr;

/// How many bytes a stream reads from its source at a time; the text encoding is decided from
/// the first such window that holds a non-ASCII byte, and the CSV delimiter from the first line
/// (at most this long).
pub const CHUNK: usize = 64 * 1024;

/// One unit's data, in the rule set's field order.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Row in the source: a CSV's spreadsheet row (header = 1), a JSON array index + 1, or a
    /// JSON Lines line number.
    pub(crate) row: usize,
    /// One value per declared field.
    pub(crate) values: Vec<Value>,
    /// The unit's survey answers, when its counts were tallied from respondents' rows (问卷):
    /// what the statistics of its indices (sample size, interval) are computed from.
    pub(crate) survey: Option<std::sync::Arc<crate::survey::UnitSample>>,
}

impl Unit {
    /// Its row in the source: a CSV's spreadsheet row (the header is row 1), a JSON array's
    /// index + 1, or a JSON Lines line number.
    #[must_use]
    pub fn row(&self) -> usize {
        self.row
    }

    /// Its values, one per declared field in the order of [`crate::Rules::fields`].
    #[must_use]
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The value of the field at `index` (see [`crate::Rules::field_index`]).
    #[must_use]
    pub fn value(&self, index: usize) -> Option<&Value> {
        self.values.get(index)
    }
}

/// What reading a data file gave: the good units and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Units whose every cell parsed.
    pub units: Vec<Unit>,
    /// The problems found, in file order: the first 20 of each column, and at most 1,000.
    pub errors: Vec<DataError>,
    /// How many more problems were found and not kept.
    pub errors_omitted: usize,
    /// Columns no field reads.
    pub ignored_columns: Vec<String>,
    /// For a table (CSV, a sheet), each field's 1-based column in its header, 0 for none;
    /// empty for JSON.
    pub columns: Vec<usize>,
    /// The text encoding found (`UTF-8`, `GB18030`, `UTF-16LE` …).
    pub encoding: String,
    /// For a respondents' file (一行一份答卷): how many were read, counted and tallied into
    /// how many units.
    pub respondents: Option<crate::survey::RespondentSummary>,
}

impl Dataset {
    /// Gathers a reader's units and errors, each list in file order.
    fn gather(items: impl IntoIterator<Item = Result<Unit, DataError>>) -> Self {
        let mut out = Self::default();
        let mut log = ErrorLog::default();
        for item in items {
            match item {
                Ok(unit) => out.units.push(unit),
                Err(e) => log.push(e),
            }
        }
        out.errors = log.kept;
        out.errors_omitted = log.omitted;
        out
    }
}

/// The data formats kaohe reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-, semicolon- or tab-separated values with a header row.
    Csv,
    /// A JSON array of objects, or `{"units": [...]}`.
    Json,
    /// JSON Lines (`.jsonl`, `.ndjson`): one object per line.
    JsonLines,
    /// A spreadsheet: XLSX, XLSM, XLS or ODS.
    Spreadsheet,
}

impl Format {
    /// Guesses the format from a file name, then from the first bytes.
    pub fn detect(name: &str, bytes: &[u8]) -> Self {
        let lower = name.to_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            return Self::JsonLines;
        }
        if lower.ends_with(".json") {
            return Self::Json;
        }
        if [".xlsx", ".xlsm", ".xls", ".ods"]
            .iter()
            .any(|e| lower.ends_with(e))
            || bytes.starts_with(b"PK\x03\x04")
            || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        {
            return Self::Spreadsheet;
        }
        if lower.ends_with(".csv") || lower.ends_with(".tsv") || lower.ends_with(".txt") {
            return Self::Csv;
        }
        let first = bytes
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
        match first {
            Some(b'[' | b'{') => Self::Json,
            _ => Self::Csv,
        }
    }

    /// Whether [`UnitStream`] reads this format a chunk at a time (CSV and JSON Lines); the
    /// others are read whole.
    pub fn streams(self) -> bool {
        matches!(self, Self::Csv | Self::JsonLines)
    }
}

/// Reads a file of any format held in memory. For a rule set that declares a survey, a
/// respondents' file (one row per respondent) is tallied into units ([`crate::survey::read`]),
/// and a file of counts per unit is checked against each unit's sample size.
pub fn read(set: &RuleSet, name: &str, bytes: &[u8]) -> Dataset {
    if let Some(respondents) = crate::survey::try_read(set, name, bytes, None) {
        return respondents;
    }
    let mut dataset = match Format::detect(name, bytes) {
        Format::Csv => read_csv(set, bytes),
        Format::JsonLines => read_json_lines(set, bytes),
        Format::Json => read_json(set, bytes),
        Format::Spreadsheet => read_spreadsheet(set, bytes),
    };
    if set.survey.is_some() {
        crate::survey::check_counts(set, &mut dataset);
    }
    dataset
}

/// Reads CSV bytes (any of the encodings [`decode`] knows).
pub fn read_csv(set: &RuleSet, bytes: &[u8]) -> Dataset {
    UnitStream::in_memory(set, Format::Csv, bytes).into_dataset()
}

/// Reads JSON Lines bytes: one object per line, keyed like [`read_json`]'s.
pub fn read_json_lines(set: &RuleSet, bytes: &[u8]) -> Dataset {
    UnitStream::in_memory(set, Format::JsonLines, bytes).into_dataset()
}

/// Decodes text as Excel and WPS save it: UTF-8 (with or without BOM), UTF-16 with BOM,
/// otherwise GB18030 (a superset of GBK and GB2312).
///
/// Where the host cannot decode the encoding (a JavaScript host without GB18030), the bytes
/// that are not UTF-8 read as U+FFFD.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    match decode_checked(bytes) {
        Ok((text, encoding, _)) => (text, encoding),
        Err(_) => (
            String::from_utf8_lossy(bytes).into_owned(),
            whole_file_encoding(bytes).0.name(),
        ),
    }
}

/// As [`decode`], and whether some bytes were not valid in the encoding (each became U+FFFD).
fn decode_checked(bytes: &[u8]) -> io::Result<(String, &'static str, bool)> {
    let (encoding, bom) = whole_file_encoding(bytes);
    let (text, malformed) = encoding.decode_whole(&bytes[bom..])?;
    Ok((text, encoding.name(), malformed))
}

/// The encoding of a whole file, and the length of its byte-order mark: decided as a stream
/// decides it (from the window of [`CHUNK`] bytes at the first non-ASCII byte), so a file read
/// whole and the same file streamed read the same. A byte further on that is not valid in that
/// encoding is an error in its row, never a reason to read the whole file otherwise.
fn whole_file_encoding(bytes: &[u8]) -> (Charset, usize) {
    if let Some(found) = Charset::for_bom(bytes) {
        return found;
    }
    match bytes.iter().position(|b| !b.is_ascii()) {
        None => (Charset::Utf8, 0),
        Some(i) => {
            let end = i.saturating_add(CHUNK).min(bytes.len());
            sniff_encoding(&bytes[i..end], false, end == bytes.len()).unwrap_or((Charset::Utf8, 0))
        }
    }
}

/// The encoding of a file from its first bytes `head` (`eof`: they are the whole file), decided
/// as a stream decides it (byte-order marks aside): from the window of [`CHUNK`] bytes at the
/// first non-ASCII byte.
#[cfg(feature = "respondents")]
pub(crate) fn sniff_whole(head: &[u8], eof: bool) -> Charset {
    match head.iter().position(|b| !b.is_ascii()) {
        None => Charset::Utf8,
        Some(i) => {
            let end = i.saturating_add(CHUNK).min(head.len());
            sniff_encoding(&head[i..end], false, eof && end == head.len())
                .map_or(Charset::Utf8, |f| f.0)
        }
    }
}

/// Why a row of a table cannot be read.
#[derive(Debug)]
enum Unreadable {
    /// A cell holds U+FFFD where the decoder met bytes not valid in the encoding: its 1-based
    /// column.
    Bytes {
        column: usize,
        encoding: &'static str,
    },
    /// The reader failed: its own words.
    Failed(String),
}

impl Unreadable {
    /// The data error, for the header row or a row below it.
    fn message(&self, header: bool) -> Message {
        match self {
            Self::Bytes { column, encoding } => msg::bad_bytes_in_row(*column, encoding, header),
            Self::Failed(why) if header => msg::header_unreadable(why),
            Self::Failed(why) => msg::row_unreadable(why, false),
        }
    }
}

/// Why a row that holds U+FFFD (what a decoder puts for bytes it cannot read) cannot be used.
fn undecodable(cells: &Record, encoding: &'static str) -> Option<Unreadable> {
    let column = cells.iter().position(|c| c.contains('\u{fffd}'))?;
    Some(Unreadable::Bytes {
        column: column + 1,
        encoding,
    })
}

/// Most data errors kept per column, and in all; the rest are counted.
pub const MAX_ERRORS_PER_COLUMN: usize = 20;
/// See [`MAX_ERRORS_PER_COLUMN`].
pub const MAX_ERRORS: usize = 1_000;

/// Data errors as kept for a person to read: the first [`MAX_ERRORS_PER_COLUMN`] of each column
/// (and [`MAX_ERRORS`] in all), the others only counted — a file of a million bad rows must not
/// hold or print a million messages.
#[derive(Debug, Clone, Default)]
pub struct ErrorLog {
    /// The errors kept, in file order.
    pub kept: Vec<DataError>,
    /// How many more were found and not kept.
    pub omitted: usize,
    per_column: HashMap<(usize, Option<String>), usize>,
}

impl ErrorLog {
    /// Keeps or counts one error.
    pub fn push(&mut self, e: DataError) {
        let n = self
            .per_column
            .entry((e.column, e.header.clone()))
            .or_insert(0);
        *n += 1;
        if *n <= MAX_ERRORS_PER_COLUMN && self.kept.len() < MAX_ERRORS {
            self.kept.push(e);
        } else {
            self.omitted += 1;
        }
    }
}

/// A cell's text as an error message quotes it: control characters escaped, and at most 40
/// characters (a 50 MB cell is not echoed whole).
pub(crate) fn quoted(text: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = text.chars().take(MAX).collect();
    let n = text.chars().count();
    if n > MAX {
        out.push_str(&format!("…（共 {n} 个字符）"));
    }
    crate::output::printable(out)
}

/// Which encoding `window` is in, as Excel and WPS save text: a byte-order mark's (looked for
/// only `at_start` of the file), else UTF-8 if the bytes are valid UTF-8, else GB18030. A UTF-8
/// sequence cut off by the end of the window counts as valid unless the window ends the file
/// (`at_eof`). `None` while the bytes are all ASCII and more may follow: ASCII reads the same
/// either way. Also gives the byte-order mark's length.
pub(crate) fn sniff_encoding(
    window: &[u8],
    at_start: bool,
    at_eof: bool,
) -> Option<(Charset, usize)> {
    if at_start {
        if let Some(found) = Charset::for_bom(window) {
            return Some(found);
        }
    }
    match std::str::from_utf8(window) {
        Ok(text) if text.is_ascii() && !at_eof => None,
        Ok(_) => Some((Charset::Utf8, 0)),
        Err(e) if e.error_len().is_none() && !at_eof => Some((Charset::Utf8, 0)),
        Err(_) => Some((Charset::Gb18030, 0)),
    }
}

/// Raw bytes in, UTF-8 out: reads the source a [`CHUNK`] at a time and decodes as it goes. Until
/// the encoding is known, ASCII passes through unchanged; the first non-ASCII byte decides it,
/// from a full window of bytes starting there.
struct Decode<R> {
    source: R,
    /// The raw window: `raw[start..end]` is read but not yet decoded.
    raw: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes read from the source so far.
    bytes_read: u64,
    /// Byte-order-mark bytes still to pass over.
    skip: usize,
    /// Whether any byte has been passed on (a byte-order mark can only come first).
    passed: bool,
    /// The encoding, once decided.
    encoding: Option<Charset>,
    /// Its decoder, made on first use; none while UTF-8 passes as it is (`raw_utf8`).
    decoder: Option<Decoder>,
    /// Whether UTF-8 passes undecoded: the reader checks each record's bytes itself (CSV).
    raw_utf8: bool,
    /// Decoded text: `out[out_pos..]` is not yet handed on.
    out: Vec<u8>,
    out_pos: usize,
    /// The decoder has been told the input ended and has given all it had.
    done: bool,
    /// The first failure to read the source; every later read fails the same way.
    error: Option<io::Error>,
    /// Whether the decoded text holds U+FFFD: bytes not valid in the encoding.
    malformed: bool,
}

impl<R: Read> Decode<R> {
    /// A decoder for `source`; `known` gives the encoding and byte-order-mark length when the
    /// whole file was already looked at.
    fn new(source: R, known: Option<(Charset, usize)>) -> Self {
        Self {
            source,
            raw: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            bytes_read: 0,
            skip: known.map_or(0, |(_, bom)| bom),
            passed: false,
            encoding: known.map(|(e, _)| e),
            decoder: None,
            raw_utf8: false,
            out: Vec::new(),
            out_pos: 0,
            done: false,
            error: None,
            malformed: false,
        }
    }

    /// The encoding's name: `UTF-8` while only ASCII has been seen.
    fn encoding_name(&self) -> &'static str {
        self.encoding.unwrap_or(Charset::Utf8).name()
    }

    fn failure(&self) -> Option<io::Error> {
        self.error
            .as_ref()
            .map(|e| io::Error::new(e.kind(), e.to_string()))
    }

    /// Fills the raw window up to a whole chunk, or to the end of the source.
    fn top_up(&mut self) -> io::Result<()> {
        if let Some(e) = self.failure() {
            return Err(e);
        }
        if self.start > 0 {
            self.raw.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.end < self.raw.len() && !self.eof {
            match self.source.read(&mut self.raw[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.end += n;
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let copy = io::Error::new(e.kind(), e.to_string());
                    self.error = Some(e);
                    return Err(copy);
                }
            }
        }
        Ok(())
    }

    /// The first bytes of the source, for telling its format.
    fn first_bytes(&mut self) -> &[u8] {
        if self.end == 0 && !self.eof {
            // A failure is kept and reported by the first read.
            let _ = self.top_up();
        }
        &self.raw[self.start..self.end]
    }

    /// Everything not yet decoded, read to the end: for formats that are read whole.
    fn rest(&mut self) -> io::Result<Vec<u8>> {
        if let Some(e) = self.failure() {
            return Err(e);
        }
        let mut all = self.raw[self.start..self.end].to_vec();
        self.start = self.end;
        let n = self.source.read_to_end(&mut all)?;
        self.bytes_read += n as u64;
        self.eof = true;
        Ok(all)
    }

    /// Decodes the next piece of text into `out`, which stays empty only at the end.
    fn decode_more(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.done {
            if self.start == self.end || (self.encoding.is_none() && !self.eof) {
                self.top_up()?;
            }
            if self.skip > 0 {
                let n = self.skip.min(self.end - self.start);
                self.start += n;
                self.skip = if n == 0 { 0 } else { self.skip - n };
                continue;
            }
            let window = &self.raw[self.start..self.end];
            let Some(encoding) = self.encoding else {
                let ascii = window.iter().take_while(|b| b.is_ascii()).count();
                if ascii > 0 {
                    self.out.extend_from_slice(&window[..ascii]);
                    self.start += ascii;
                    self.passed = true;
                } else if window.is_empty() {
                    self.done = true;
                } else {
                    let (encoding, bom) = sniff_encoding(window, !self.passed, self.eof)
                        .unwrap_or((Charset::Utf8, 0));
                    self.encoding = Some(encoding);
                    self.skip = bom;
                    self.passed = true;
                }
                continue;
            };
            if encoding == Charset::Utf8 && self.raw_utf8 {
                self.out.extend_from_slice(window);
                self.start = self.end;
                self.done = self.eof;
                continue;
            }
            let decoder = match &mut self.decoder {
                Some(d) => d,
                None => self.decoder.insert(Decoder::new(encoding)?),
            };
            self.malformed |= decoder.decode(window, &mut self.out, self.eof)?;
            self.start = self.end;
            self.done = self.eof;
        }
        Ok(())
    }
}

impl<R: Read> BufRead for Decode<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_pos >= self.out.len() {
            self.decode_more()?;
        }
        Ok(&self.out[self.out_pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.out_pos = (self.out_pos + amount).min(self.out.len());
    }
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Headers compare after trimming and folding full-width brackets and spaces.
pub(crate) fn normalize_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// How a table's or an object's columns feed the fields.
struct Columns {
    /// For each field, the column index that feeds it.
    field_col: Vec<Option<usize>>,
    /// Missing and doubled columns (row 1; the caller sets the real row).
    errors: Vec<DataError>,
    /// Columns no field reads.
    ignored: Vec<String>,
}

/// One cell as read: its raw text, 1-based column (0: not a column, as in JSON) and header.
#[derive(Clone, Copy)]
struct Cell<'c> {
    raw: &'c str,
    column: usize,
    header: &'c str,
}

/// Turns rows into units: matches headers to fields, checks every cell, and remembers unit ids
/// to report one that appears twice. The ids are the only memory kept per unit read.
struct Checker<'a> {
    set: &'a RuleSet,
    /// Every field name, label and alias (normalized), to the field's index.
    lookup: HashMap<String, usize>,
    /// Each unit id seen, with the row it was first seen in.
    seen: SeenIds,
}

impl<'a> Checker<'a> {
    fn new(set: &'a RuleSet) -> Self {
        let mut lookup: HashMap<String, usize> = HashMap::new();
        for (i, f) in set.fields.iter().enumerate() {
            for name in std::iter::once(&*f.name)
                .chain(std::iter::once(&*f.label))
                .chain(f.aliases.iter().map(|a| a.as_str()))
            {
                lookup.entry(normalize_header(name)).or_insert(i);
            }
        }
        Self {
            set,
            lookup,
            seen: SeenIds::default(),
        }
    }

    /// Whether a row names the unit-id column: the header below a title and notes.
    fn names_id(&self, cells: &Record) -> bool {
        let id_field = &self.set.fields[self.set.id_field];
        cells.iter().any(|c| {
            let c = normalize_header(c);
            std::iter::once(&*id_field.label)
                .chain(std::iter::once(&*id_field.name))
                .chain(id_field.aliases.iter().map(|a| a.as_str()))
                .any(|n| normalize_header(n) == c)
        })
    }

    /// Maps header names (of a JSON object: its keys, `keyed`) to fields; reports missing and
    /// doubled columns.
    fn match_headers(&self, headers: &[String], keyed: bool) -> Columns {
        let set = self.set;
        let mut errors = Vec::new();
        let mut ignored = Vec::new();
        let mut field_col: Vec<Option<usize>> = vec![None; set.fields.len()];
        for (c, h) in headers.iter().enumerate() {
            let key = normalize_header(h);
            if key.is_empty() {
                continue;
            }
            match self.lookup.get(&key) {
                Some(&fi) => {
                    if let Some(prev) = field_col[fi] {
                        let column = if keyed { 0 } else { c + 1 };
                        errors.push(DataError::at(
                            1,
                            column,
                            Some(quoted(h)),
                            msg::second_column(
                                h,
                                &set.fields[fi].label,
                                (prev + 1, &headers[prev]),
                                keyed,
                            ),
                        ));
                    } else {
                        field_col[fi] = Some(c);
                    }
                }
                None => ignored.push(h.clone()),
            }
        }
        for (fi, f) in set.fields.iter().enumerate() {
            if field_col[fi].is_none() && f.required && f.default.is_none() {
                let mut accepted = vec![&*f.label];
                accepted.extend(f.aliases.iter().map(String::as_str));
                if f.name != f.label {
                    accepted.push(&*f.name);
                }
                let near = crate::messages::closest(&f.label, ignored.iter().map(String::as_str));
                errors.push(DataError::at(
                    1,
                    0,
                    Some(f.label.to_string()),
                    msg::missing_column(&f.label, &f.name, &accepted, near, keyed),
                ));
            }
        }
        Columns {
            field_col,
            errors,
            ignored,
        }
    }

    /// Checks one row's cells (`cell(i)` feeds field i; `None`: no such column) and gives the
    /// unit when every cell parses and the columns are `usable` (no header problem); every bad
    /// cell is an error queued on `out`, named by its unit's id and name.
    fn row<'c>(
        &mut self,
        row: usize,
        cell: impl Fn(usize) -> Option<Cell<'c>>,
        usable: bool,
        out: &mut VecDeque<Result<Unit, DataError>>,
    ) -> Option<Unit> {
        let set = self.set;
        // The id as written (for the duplicate check) and the unit's name (单位名称), when the
        // rule set names units; quoted only for a message.
        let id_raw = written(cell(set.id_field));
        let name_raw = set.name_field.and_then(|f| written(cell(f)));
        let placed = |e: DataError| DataError {
            unit: id_raw.map(quoted),
            unit_name: name_raw.map(quoted),
            ..e
        };
        let error = |column: usize, header: &str, m: Message| {
            Err(placed(DataError::at(row, column, Some(quoted(header)), m)))
        };
        let mut values = Vec::with_capacity(set.fields.len());
        let mut ok = true;
        for (i, f) in set.fields.iter().enumerate() {
            // A column that is absent altogether was reported once for the whole file.
            let found = cell(i);
            let absent = found.is_none();
            let Cell {
                raw,
                column,
                header,
            } = found.unwrap_or(Cell {
                raw: "",
                column: 0,
                header: &f.label,
            });
            // A plain cell whose value needs no further check goes straight in.
            if let Some(value) = parse_plain(f, raw) {
                let checked = match &value {
                    Value::Missing => f.required,
                    Value::Text(_) => !f.one_of.is_empty(),
                    Value::Int(_) | Value::Number(_) => {
                        !f.one_of.is_empty() || !f.range.holds(&value)
                    }
                    Value::Bool(_) => false,
                };
                if !checked {
                    values.push(value);
                    continue;
                }
            }
            let value = match parse_written(f, raw) {
                Ok(v)
                    if !f.one_of.is_empty()
                        && !matches!(v, Value::Missing)
                        && !f.one_of.contains(&v.display()) =>
                {
                    ok = false;
                    let found = match v {
                        Value::Text(t) => t,
                        _ => raw.trim().to_string(),
                    };
                    out.push_back(error(column, header, msg::not_allowed(&found, &f.one_of)));
                    continue;
                }
                Ok(v) if !f.range.holds(&v) => {
                    ok = false;
                    let r = &f.range;
                    let (lo, hi) = (
                        r.min.map(crate::figures::fmt),
                        r.max.map(crate::figures::fmt),
                    );
                    let m = msg::out_of_range(raw.trim(), lo.as_deref(), hi.as_deref(), r.declared);
                    out.push_back(error(column, header, m));
                    continue;
                }
                Ok(v) => v,
                // A yes/no field with its own words: one of them.
                Err(_) if f.spellings.is_some() => {
                    ok = false;
                    let words = f.spellings.as_ref().map(|s| s.all()).unwrap_or_default();
                    out.push_back(error(column, header, msg::not_allowed(raw.trim(), &words)));
                    continue;
                }
                Err(help) => {
                    ok = false;
                    out.push_back(error(
                        column,
                        header,
                        msg::not_of_type(f.ty, raw.trim(), help),
                    ));
                    continue;
                }
            };
            if matches!(value, Value::Missing) && f.required {
                ok = false;
                if absent {
                    values.push(value);
                    continue;
                }
                let m = if i == set.id_field {
                    msg::blank_id()
                } else {
                    msg::blank_required(&f.label)
                };
                out.push_back(error(column, header, m));
            }
            values.push(value);
        }
        if let Some(raw) = id_raw {
            if let Some(first) = self.seen.first_seen(raw, row) {
                ok = false;
                out.push_back(Err(placed(DataError::at(
                    row,
                    0,
                    None,
                    msg::duplicate_id(raw, first),
                ))));
            }
        }
        (ok && usable).then_some(Unit {
            row,
            values,
            survey: None,
        })
    }

    /// Checks one JSON value as a unit: an object keyed by field name, label or alias. A
    /// missing or doubled key is reported beside the object's bad values, and no unit is made.
    fn object(
        &mut self,
        row: usize,
        item: serde_json::Value,
        ignored: &mut Vec<String>,
        out: &mut VecDeque<Result<Unit, DataError>>,
    ) {
        let serde_json::Value::Object(obj) = item else {
            out.push_back(Err(DataError::at(row, 0, None, msg::not_an_object())));
            return;
        };
        let keys: Vec<String> = obj.keys().cloned().collect();
        let columns = self.match_headers(&keys, true);
        for k in columns.ignored {
            if !ignored.contains(&k) {
                ignored.push(k);
            }
        }
        // Each field's value as text, and the key it came under.
        let texts: Vec<Option<(Cow<'_, str>, &str)>> = columns
            .field_col
            .iter()
            .map(|c| {
                c.map(|c| {
                    let raw = match &obj[&keys[c]] {
                        serde_json::Value::Null => Cow::Borrowed(""),
                        serde_json::Value::String(s) => Cow::Borrowed(s.as_str()),
                        serde_json::Value::Bool(b) => Cow::Owned(b.to_string()),
                        other => Cow::Owned(other.to_string()),
                    };
                    (raw, keys[c].as_str())
                })
            })
            .collect();
        let cell = |i: usize| {
            texts
                .get(i)
                .and_then(Option::as_ref)
                .map(|(raw, header)| Cell {
                    raw,
                    column: 0,
                    header,
                })
        };
        // A missing or doubled key is the object's own: named by its unit, as its cells are.
        let unit = written(cell(self.set.id_field)).map(quoted);
        let unit_name = self
            .set
            .name_field
            .and_then(|f| written(cell(f)))
            .map(quoted);
        let usable = columns.errors.is_empty();
        for e in columns.errors {
            out.push_back(Err(DataError {
                row,
                unit: unit.clone(),
                unit_name: unit_name.clone(),
                ..e
            }));
        }
        if let Some(unit) = self.row(row, cell, usable, out) {
            out.push_back(Ok(unit));
        }
    }
}

/// The trimmed text of a field's cell in a row, when the field has a column and the cell is
/// not blank.
fn written(cell: Option<Cell<'_>>) -> Option<&str> {
    cell.map(|c| c.raw.trim()).filter(|s| !s.is_empty())
}

/// A unit id's 128-bit hash (two SipHash values with the standard library's fixed keys, so
/// the same on every run): two ids sharing one is not to be expected in any data set.
fn id_hash(id: &str) -> u128 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut a = DefaultHasher::new();
    id.hash(&mut a);
    let mut b = DefaultHasher::new();
    (0x6b616f6865u64, id).hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// The unit ids seen, each as an 88-bit hash (of [`id_hash`]: two ids sharing one is not to be
/// expected in any data set) with the row it was first seen in: 16 bytes an id. While the ids
/// come in increasing order (as bytes: codes sorted as they usually are), none can repeat an
/// earlier one, and they are only listed, in that order; the first id out of order moves them
/// all into a table where every later id is looked up.
#[derive(Default)]
struct SeenIds {
    /// Whether an id has come out of order (and the tables hold them all).
    unordered: bool,
    /// The last id, while in order.
    last: String,
    /// The ids, while in order, as `table` keeps them.
    ordered: Vec<(u64, u64)>,
    /// The ids: 64 bits of the hash to 24 more (above [`ROW_BITS`]) and the row.
    table: HashMap<u64, u64, BuildHasherDefault<IdHashes>>,
    /// The few ids whose 64 bits `table` already holds for another id: by all 88 bits.
    others: HashMap<(u64, u64), u64>,
}

/// The rows [`SeenIds`] tells apart: 2^40 (a trillion) and more are all [`ROW_MAX`].
const ROW_BITS: u32 = 40;

impl SeenIds {
    /// The row `id` was first seen in, or `None` when it is new (and is remembered as seen in
    /// `row`).
    fn first_seen(&mut self, id: &str, row: usize) -> Option<usize> {
        let hash = id_hash(id);
        // Truncation intended: the low 64 bits are the key, 24 of the high ones go beside it.
        let key = hash as u64;
        let value = (((hash >> 64) as u64) << ROW_BITS) | (row as u64).min(ROW_MAX);
        if !self.unordered {
            if id.as_bytes() > self.last.as_bytes() {
                self.last.clear();
                self.last.push_str(id);
                self.ordered.push((key, value));
                return None;
            }
            self.unordered = true;
            self.last = String::new();
            self.table.reserve(self.ordered.len());
            for (key, value) in std::mem::take(&mut self.ordered) {
                self.look_up(key, value);
            }
        }
        self.look_up(key, value)
            .and_then(|v| usize::try_from(v & ROW_MAX).ok())
    }

    /// The entry of the id `key` and `value` stand for, when it was seen before; else it is
    /// kept.
    fn look_up(&mut self, key: u64, value: u64) -> Option<u64> {
        match self.table.entry(key) {
            Entry::Occupied(first) if first.get() >> ROW_BITS == value >> ROW_BITS => {
                Some(*first.get())
            }
            // Another id with the same 64 bits of hash.
            Entry::Occupied(_) => match self.others.entry((key, value >> ROW_BITS)) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(value);
                    None
                }
            },
            Entry::Vacant(slot) => {
                slot.insert(value);
                None
            }
        }
    }
}

/// The largest row [`SeenIds`] keeps.
const ROW_MAX: u64 = (1 << ROW_BITS) - 1;

/// The table of unit ids seen hashes its keys, already [`id_hash`]es, no further.
#[derive(Default)]
struct IdHashes(u64);

impl Hasher for IdHashes {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 ^= i;
    }
}

/// Parses one cell for a field. `Err` carries the fix hint (提示) when one is known: the
/// number a numeral or a counter stands for (“六次” → 6), a percentage written out, a yes/no
/// variant, or what to do about a decimal or a `%` in a whole-number field.
pub fn parse_cell(field: &Field, raw: &str) -> Result<Value, Option<Text>> {
    match parse_plain(field, raw) {
        Some(value) => Ok(value),
        None => parse_written(field, raw),
    }
}

/// The fast path of [`parse_cell`]: a cell written plainly — empty, a number of ASCII digits with at
/// most a sign and a point (and `%` after a percentage), a yes/no word as the list has it, text
/// without spaces around it — parsed to the value [`parse_written`] gives it. Its folding
/// (spaces, full-width characters, thousands separators, letter case) leaves such a cell as it
/// is, and the short numbers are read digit by digit into the value `str::parse` and
/// `Decimal::from_str` make of them. `None`: any other cell, for [`parse_written`].
#[inline(always)]
fn parse_plain(field: &Field, raw: &str) -> Option<Value> {
    if raw.is_empty() {
        return Some(field.default.clone().unwrap_or(Value::Missing));
    }
    match field.ty {
        FieldType::Int => match short_digits(raw.as_bytes()) {
            Some((n, false)) => i64::try_from(n).ok().map(Value::Int),
            // `str::parse` takes an optional sign and ASCII digits, nothing else.
            _ => raw.parse::<i64>().ok().map(Value::Int),
        },
        FieldType::Number => plain_decimal(raw).map(Value::Number),
        FieldType::Percent => {
            plain_decimal(raw.strip_suffix('%').unwrap_or(raw)).map(Value::Number)
        }
        FieldType::Bool if field.spellings.is_some() => field
            .spellings
            .as_ref()
            .and_then(|s| s.read(raw))
            .map(Value::Bool),
        FieldType::Bool => match raw {
            "是" | "有" | "true" | "yes" | "y" | "1" | "√" | "✓" => Some(Value::Bool(true)),
            "否" | "无" | "false" | "no" | "n" | "0" | "×" | "✗" => Some(Value::Bool(false)),
            _ => None,
        },
        FieldType::Text => {
            let first = raw.chars().next()?;
            let last = raw.chars().next_back()?;
            (!first.is_whitespace() && !last.is_whitespace()).then(|| Value::Text(raw.to_string()))
        }
    }
}

/// Up to 18 ASCII digits with at most one point among or around them (so the number fits a
/// `u64`): the digits as a whole number and whether there was a point, with the count of
/// digits after it. `None` for anything else: no digit, a sign, a second point, another
/// character, more digits.
#[inline]
fn short_digits(bytes: &[u8]) -> Option<(u64, bool)> {
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    let mut n: u64 = 0;
    let mut point = false;
    let mut digits = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                n = n * 10 + u64::from(b - b'0');
                digits = true;
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    digits.then_some((n, point))
}

/// A plain unsigned decimal (see [`short_digits`]) as `Decimal::from_str` reads it: the digits'
/// value, scaled by how many follow the point (`97.350` is 97350 at scale 3). Anything else
/// that holds only digits, signs and points goes to `Decimal::from_str` itself.
#[inline]
fn plain_decimal(t: &str) -> Option<Decimal> {
    let bytes = t.as_bytes();
    match short_digits(bytes) {
        Some((n, point)) => {
            let scale = match point {
                true => bytes.iter().rev().position(|&b| b == b'.').unwrap_or(0),
                false => 0,
            };
            // At most 18 digits: below 2^64, and the scale below 28.
            let scale = u32::try_from(scale).ok()?;
            Some(Decimal::from_parts(
                n as u32,
                (n >> 32) as u32,
                0,
                false,
                scale,
            ))
        }
        None if !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+')) =>
        {
            Decimal::from_str(t).ok()
        }
        None => None,
    }
}

/// [`parse_cell`] for any cell: spaces trimmed, full-width digits, points, signs and `%`
/// folded, thousands separators dropped, yes/no words in any case.
fn parse_written(field: &Field, raw: &str) -> Result<Value, Option<Text>> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let full_width = |c: char| matches!(c, '０'..='９' | '．' | '－' | '％');
    let t: Cow<str> = if trimmed.contains(full_width) {
        trimmed
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '－' => '-',
                '％' => '%',
                other => other,
            })
            .collect()
    } else {
        Cow::Borrowed(trimmed)
    };
    if t.is_empty() {
        return Ok(field.default.clone().unwrap_or(Value::Missing));
    }
    let hint = || msg::cell_hint(field.ty, trimmed, &t);
    match field.ty {
        FieldType::Text => Ok(Value::Text(raw.trim().to_string())),
        FieldType::Bool if field.spellings.is_some() => field
            .spellings
            .as_ref()
            .and_then(|s| s.read(&t))
            .map(Value::Bool)
            .ok_or(None),
        FieldType::Bool => match t.to_lowercase().as_str() {
            "是" | "有" | "true" | "yes" | "y" | "1" | "√" | "✓" => Ok(Value::Bool(true)),
            "否" | "无" | "false" | "no" | "n" | "0" | "×" | "✗" => Ok(Value::Bool(false)),
            _ => Err(hint()),
        },
        FieldType::Int => {
            let plain = without_commas(&t);
            if let Ok(i) = plain.parse::<i64>() {
                return Ok(Value::Int(i));
            }
            // A count is written out, not in scientific notation (1e3).
            if plain.contains(['e', 'E']) {
                return Err(hint());
            }
            match Decimal::from_str(&plain) {
                Ok(d) if d.fract().is_zero() => {
                    i64::try_from(d).map(Value::Int).map_err(|_| hint())
                }
                _ => Err(hint()),
            }
        }
        FieldType::Number => number(&t).map(Value::Number).ok_or_else(hint),
        FieldType::Percent => {
            let body = t.strip_suffix('%').unwrap_or(&t);
            number(body).map(Value::Number).ok_or_else(hint)
        }
    }
}

/// Thousands separators out: `1,234.5` → `1234.5`.
fn without_commas(t: &str) -> Cow<'_, str> {
    if t.contains(',') {
        Cow::Owned(t.replace(',', ""))
    } else {
        Cow::Borrowed(t)
    }
}

fn number(t: &str) -> Option<Decimal> {
    let plain = without_commas(t);
    Decimal::from_str(&plain)
        .ok()
        .or_else(|| Decimal::from_scientific(&plain).ok())
}

/// What a reader has found and not yet handed out, and whether it has reached the end.
#[derive(Default)]
struct Queue {
    items: VecDeque<Result<Unit, DataError>>,
    done: bool,
}

impl Queue {
    /// Queues a last error and ends the reading.
    fn stop(&mut self, error: DataError) {
        self.items.push_back(Err(error));
        self.done = true;
    }
}

/// A reader that finds units and errors a step (a row, a line) at a time.
trait Steps {
    fn queue(&mut self) -> &mut Queue;
    /// Reads one more step, queueing the errors it finds, or marks the queue done at the end.
    /// Gives the unit the step made, if any, which comes after those errors.
    fn step(&mut self) -> Option<Unit>;

    /// The next unit or error, reading as many steps as it takes.
    fn next_item(&mut self) -> Option<Result<Unit, DataError>> {
        loop {
            let queue = self.queue();
            if let Some(item) = queue.items.pop_front() {
                return Some(item);
            }
            if queue.done {
                return None;
            }
            if let Some(unit) = self.step() {
                // A unit without errors before it goes straight out.
                let queue = self.queue();
                if queue.items.is_empty() {
                    return Some(Ok(unit));
                }
                queue.items.push_back(Ok(unit));
            }
        }
    }
}

/// How many rows from the top may hold the header (below a title and notes).
const HEADER_SEARCH_ROWS: usize = 10;

/// One row of a table: its spreadsheet row number and its cells, or why it cannot be read.
type TableRow = (usize, Result<Record, Unreadable>);

/// One row's cells: their text one after another, and where each ends.
#[derive(Debug, Default, Clone)]
struct Record {
    text: String,
    ends: Vec<usize>,
}

impl Record {
    /// Cell `i`'s text.
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)?,
        };
        self.text.get(start..end)
    }

    /// Every cell's text, in order.
    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i).unwrap_or(""))
    }

    /// Takes a CSV record's cells, checked as UTF-8 all at once. `Err`: the 1-based column of
    /// the first cell that is not valid UTF-8 (or holds U+FFFD, as a decoder would have put for
    /// its bytes).
    fn read(&mut self, bytes: &csv::ByteRecord) -> Result<(), usize> {
        self.text.clear();
        self.ends.clear();
        if let Ok(text) = std::str::from_utf8(bytes.as_slice()) {
            self.text.push_str(text);
            self.ends.extend(
                (0..bytes.len())
                    .filter_map(|i| bytes.range(i))
                    .map(|r| r.end),
            );
            // Cells valid one after another are valid each on its own unless one ends inside a
            // character the next one completes.
            if self.ends.iter().all(|&end| self.text.is_char_boundary(end)) {
                return Ok(());
            }
        }
        let column = bytes
            .iter()
            .position(|cell| String::from_utf8_lossy(cell).contains('\u{fffd}'))
            .unwrap_or(0);
        Err(column + 1)
    }
}

impl From<Vec<String>> for Record {
    fn from(cells: Vec<String>) -> Self {
        let mut record = Self::default();
        for cell in cells {
            record.text.push_str(&cell);
            record.ends.push(record.text.len());
        }
        record
    }
}

/// A table's rows in order. A row's record, once checked, may be handed back for the next row
/// to be read into (no allocation per row).
trait TableRows: Iterator<Item = TableRow> {
    /// Takes back a checked row's record.
    fn recycle(&mut self, _record: Record) {}
}

fn is_blank(row: &TableRow) -> bool {
    row.1
        .as_ref()
        .is_ok_and(|cells| cells.iter().all(|c| c.trim().is_empty()))
}

/// The header row found, and how its columns feed the fields.
struct Header {
    names: Vec<String>,
    field_col: Vec<Option<usize>>,
    /// Whether the columns can make units: no required column is missing and none is doubled.
    /// When not, every row is still checked, so that all errors are reported at once.
    usable: bool,
}

/// A table's rows as units, one row at a time (CSV and spreadsheets alike): the header is the
/// first of the first rows that names the unit-id column (spreadsheets often carry a title
/// above it), or else the first non-blank row. At most [`HEADER_SEARCH_ROWS`] rows are held.
struct Table<'a, I> {
    rows: I,
    checker: Checker<'a>,
    /// Rows read while looking for the header, not yet checked.
    ahead: VecDeque<TableRow>,
    header: Option<Header>,
    started: bool,
    /// Whether any non-blank row followed the header.
    any: bool,
    ignored: Vec<String>,
    queue: Queue,
}

impl<'a, I: TableRows> Table<'a, I> {
    fn new(set: &'a RuleSet, rows: I) -> Self {
        Self {
            rows,
            checker: Checker::new(set),
            ahead: VecDeque::new(),
            header: None,
            started: false,
            any: false,
            ignored: Vec::new(),
            queue: Queue::default(),
        }
    }

    /// Finds the header row and matches its columns. A missing or doubled column is reported
    /// once, and the rows below are still checked (their bad cells reported too), but make no
    /// units.
    fn find_header(&mut self) {
        self.started = true;
        for row in self.rows.by_ref() {
            if self.ahead.is_empty() && is_blank(&row) {
                continue;
            }
            self.ahead.push_back(row);
            if self.ahead.len() == HEADER_SEARCH_ROWS {
                break;
            }
        }
        let skip = self
            .ahead
            .iter()
            .position(|(_, r)| r.as_ref().is_ok_and(|cells| self.checker.names_id(cells)))
            .unwrap_or(0);
        self.ahead.drain(..skip);
        let (header_row, names) = match self.ahead.pop_front() {
            Some((row, Ok(names))) => (row, names.iter().map(str::to_string).collect::<Vec<_>>()),
            Some((_, Err(e))) => return self.queue.stop(DataError::file(e.message(true))),
            None => return self.queue.stop(DataError::file(msg::empty_file())),
        };
        let columns = self.checker.match_headers(&names, false);
        self.ignored = columns.ignored;
        let usable = columns.errors.is_empty();
        for mut e in columns.errors {
            e.row = header_row;
            self.queue.items.push_back(Err(e));
        }
        self.header = Some(Header {
            names,
            field_col: columns.field_col,
            usable,
        });
    }

    /// Each field's 1-based column in the header, 0 for none (nothing before the header).
    fn columns(&self) -> Vec<usize> {
        self.header.as_ref().map_or_else(Vec::new, |h| {
            h.field_col.iter().map(|c| c.map_or(0, |c| c + 1)).collect()
        })
    }

    /// Checks the next row below the header: its unit, when it makes one.
    fn next_row(&mut self) -> Option<Unit> {
        let Some(header) = &self.header else {
            self.queue.done = true;
            return None;
        };
        let Some((row, cells)) = self.ahead.pop_front().or_else(|| self.rows.next()) else {
            if !self.any {
                self.queue
                    .items
                    .push_back(Err(DataError::file(msg::header_only())));
            }
            self.queue.done = true;
            return None;
        };
        let cells = match cells {
            Ok(cells) => cells,
            Err(e) => {
                self.queue
                    .items
                    .push_back(Err(DataError::at(row, 0, None, e.message(false))));
                return None;
            }
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            self.rows.recycle(cells);
            return None;
        }
        self.any = true;
        let cell = |i: usize| {
            header.field_col.get(i).copied().flatten().map(|c| Cell {
                raw: cells.get(c).unwrap_or(""),
                column: c + 1,
                header: header.names.get(c).map_or("", String::as_str),
            })
        };
        let unit = self
            .checker
            .row(row, cell, header.usable, &mut self.queue.items);
        self.rows.recycle(cells);
        unit
    }
}

impl<I: TableRows> Steps for Table<'_, I> {
    fn queue(&mut self) -> &mut Queue {
        &mut self.queue
    }

    fn step(&mut self) -> Option<Unit> {
        if self.started {
            self.next_row()
        } else {
            self.find_header();
            None
        }
    }
}

/// A CSV's records as table rows, read through a [`Decode`] from any source. The delimiter
/// (`,`, tab or `;`) is the one the first line holds most of.
struct CsvRows<R> {
    csv: csv::Reader<io::Chain<io::Cursor<Vec<u8>>, Decode<R>>>,
    /// The record being read.
    bytes: csv::ByteRecord,
    /// A row's record handed back, to read the next into.
    spare: Option<Record>,
    /// Records read so far.
    rows: usize,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    fn new(mut input: Decode<R>) -> Self {
        // The first line, kept to be read again by the CSV reader. A failure to read is
        // reported by that reader.
        let mut head = Vec::new();
        while head.len() < CHUNK {
            let Ok(text) = input.fill_buf() else { break };
            if text.is_empty() {
                break;
            }
            let (n, found) = match text.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(i) => (i + 1, true),
                None => (text.len(), false),
            };
            head.extend_from_slice(&text[..n]);
            input.consume(n);
            if found {
                break;
            }
        }
        let first_line = String::from_utf8_lossy(&head);
        let first_line = first_line.lines().next().unwrap_or("");
        let delimiter = [b',', b'\t', b';']
            .into_iter()
            .max_by_key(|d| first_line.matches(char::from(*d)).count())
            .unwrap_or(b',');
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(io::Cursor::new(head).chain(input));
        Self {
            csv,
            bytes: csv::ByteRecord::new(),
            spare: None,
            rows: 0,
            done: false,
        }
    }

    fn input(&self) -> &Decode<R> {
        self.csv.get_ref().get_ref().1
    }
}

impl<R: Read> TableRows for CsvRows<R> {
    fn recycle(&mut self, record: Record) {
        self.spare = Some(record);
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = TableRow;

    fn next(&mut self) -> Option<TableRow> {
        if self.done {
            return None;
        }
        let mut record = self.spare.take().unwrap_or_default();
        match self.csv.read_byte_record(&mut self.bytes) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.rows += 1;
                let input = self.input();
                let encoding = input.encoding_name();
                // UTF-8 comes undecoded and is checked here; a decoder marks bytes it could
                // not read with U+FFFD.
                let why = match record.read(&self.bytes) {
                    Err(column) => Some(Unreadable::Bytes { column, encoding }),
                    Ok(()) if input.malformed => undecodable(&record, encoding),
                    Ok(()) => None,
                };
                match why {
                    Some(why) => {
                        self.spare = Some(record);
                        Some((self.rows, Err(why)))
                    }
                    None => Some((self.rows, Ok(record))),
                }
            }
            Err(e) => {
                // Reading the source failed: nothing more can be read.
                self.done = e.is_io_error();
                self.rows += 1;
                Some((self.rows, Err(Unreadable::Failed(e.to_string()))))
            }
        }
    }
}

/// The units of a JSON Lines text, one line at a time; blank lines are passed over.
struct JsonLines<'a, R> {
    input: Decode<R>,
    line: String,
    /// Lines read so far.
    rows: usize,
    checker: Checker<'a>,
    ignored: Vec<String>,
    any: bool,
    queue: Queue,
}

impl<R: Read> Steps for JsonLines<'_, R> {
    fn queue(&mut self) -> &mut Queue {
        &mut self.queue
    }

    fn step(&mut self) -> Option<Unit> {
        self.next_line();
        None
    }
}

impl<R: Read> JsonLines<'_, R> {
    /// Reads the next line, queueing its unit or its errors.
    fn next_line(&mut self) {
        self.line.clear();
        let row = self.rows + 1;
        match self.input.read_line(&mut self.line) {
            Ok(0) => {
                self.queue.done = true;
                if !self.any {
                    self.queue.stop(DataError::file(msg::empty_file()));
                }
            }
            Ok(_) => {
                self.rows = row;
                if self.line.trim().is_empty() {
                    return;
                }
                self.any = true;
                if self.input.malformed && self.line.contains('\u{fffd}') {
                    let encoding = self.input.encoding_name();
                    self.queue.items.push_back(Err(DataError::at(
                        row,
                        0,
                        None,
                        msg::bad_bytes_in_json(None, encoding),
                    )));
                    return;
                }
                match serde_json::from_str(self.line.trim_end_matches(['\n', '\r'])) {
                    Ok(item) => {
                        self.checker
                            .object(row, item, &mut self.ignored, &mut self.queue.items)
                    }
                    Err(e) => {
                        // serde_json ends its message with the place: line 1 always here.
                        let text = e.to_string();
                        let what = text.rsplit_once(" at line ").map_or(text.as_str(), |p| p.0);
                        self.queue.items.push_back(Err(DataError::at(
                            row,
                            0,
                            None,
                            msg::line_not_json(e.column(), what),
                        )));
                    }
                }
            }
            Err(e) => self.queue.stop(DataError::at(
                row,
                0,
                None,
                msg::row_unreadable(&e.to_string(), true),
            )),
        }
    }
}

/// Units read one at a time from any [`Read`] source — a file, standard input — in memory
/// bounded independent of the source's size (see [`UnitStream::new`]). Yields each good unit
/// and each problem in file order; [`UnitStream::into_dataset`] gathers them as
/// [`crate::read`] does.
pub struct UnitStream<'a, R> {
    /// The rule set: a file of survey counts is checked unit by unit, as `read` checks it.
    set: &'a RuleSet,
    format: Format,
    total: Option<u64>,
    rows: Rows<'a, R>,
}

enum Rows<'a, R> {
    Csv(Box<Table<'a, CsvRows<R>>>),
    Lines(Box<JsonLines<'a, R>>),
    /// A format read whole (JSON arrays, spreadsheets): its units and errors by row.
    Whole {
        items: VecDeque<Result<Unit, DataError>>,
        encoding: String,
        ignored: Vec<String>,
        bytes_read: u64,
        units: usize,
        error: Option<io::Error>,
    },
}

impl<'a, R: Read> UnitStream<'a, R> {
    /// Streams units from `source`, whose format is told by `name` (its file name) and its
    /// first bytes. CSV and JSON Lines are read 64 KiB at a time: the text encoding is
    /// decided from the first window holding a non-ASCII byte, the CSV delimiter from the first
    /// line, the header from the first `HEADER_SEARCH_ROWS` rows, and then one row is held at
    /// a time (a CSV record or a line is held whole, however long). Beside that, only each unit
    /// id is kept, to report an id seen twice. Other formats (JSON arrays, spreadsheets) are
    /// read whole first. Reading never fails as such: a source that cannot be read gives a
    /// [`DataError`] and ends the stream, and [`Self::io_error`] tells why.
    ///
    /// ```
    /// let b = kaohe::bundled::default_set();
    /// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
    /// let file = b.data.unwrap_or_default(); // any `std::io::Read`: a file, standard input
    /// let mut units = 0;
    /// for item in kaohe::UnitStream::new(&rules, b.data_path, file) {
    ///     match item {
    ///         Ok(_unit) => units += 1,
    ///         Err(e) => return Err(e.to_string()),
    ///     }
    /// }
    /// assert_eq!(units, kaohe::read(&rules, b.data_path, file).units.len());
    /// # Ok::<(), String>(())
    /// ```
    pub fn new(rules: &'a crate::Rules, name: &str, source: R) -> Self {
        Self::of_set(&rules.set, name, source)
    }

    /// [`Self::new`] by the declarations alone.
    pub(crate) fn of_set(set: &'a RuleSet, name: &str, source: R) -> Self {
        let mut input = Decode::new(source, None);
        let format = Format::detect(name, input.first_bytes());
        Self::from_decode(set, format, input)
    }

    /// Gives the source's size in bytes, for [`Self::total_bytes`] (a file's length).
    #[must_use]
    pub fn with_total(mut self, total_bytes: u64) -> Self {
        self.total = Some(total_bytes);
        self
    }

    fn from_decode(set: &'a RuleSet, format: Format, mut input: Decode<R>) -> Self {
        let rows = match format {
            Format::Csv => {
                input.raw_utf8 = true;
                Rows::Csv(Box::new(Table::new(set, CsvRows::new(input))))
            }
            Format::JsonLines => Rows::Lines(Box::new(JsonLines {
                input,
                line: String::new(),
                rows: 0,
                checker: Checker::new(set),
                ignored: Vec::new(),
                any: false,
                queue: Queue::default(),
            })),
            Format::Json | Format::Spreadsheet => {
                let (dataset, error) = match input.rest() {
                    Ok(bytes) if format == Format::Json => (read_json(set, &bytes), None),
                    Ok(bytes) => (read_spreadsheet(set, &bytes), None),
                    Err(e) => {
                        let mut d = Dataset::default();
                        d.errors
                            .push(DataError::file(msg::unreadable(&e.to_string())));
                        (d, Some(e))
                    }
                };
                // Units and errors back in file order: by row, errors first.
                let mut items = VecDeque::with_capacity(dataset.units.len() + dataset.errors.len());
                let mut errors = dataset.errors.into_iter().peekable();
                for unit in dataset.units {
                    while let Some(e) = errors.next_if(|e| e.row <= unit.row) {
                        items.push_back(Err(e));
                    }
                    items.push_back(Ok(unit));
                }
                items.extend(errors.map(Err));
                Rows::Whole {
                    items,
                    encoding: dataset.encoding,
                    ignored: dataset.ignored_columns,
                    bytes_read: input.bytes_read,
                    units: 0,
                    error,
                }
            }
        };
        Self {
            set,
            format,
            total: None,
            rows,
        }
    }

    fn input(&self) -> Option<&Decode<R>> {
        match &self.rows {
            Rows::Csv(table) => Some(table.rows.input()),
            Rows::Lines(lines) => Some(&lines.input),
            Rows::Whole { .. } => None,
        }
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Bytes read from the source so far (read ahead of the units yielded by up to a few
    /// chunks): with [`Self::total_bytes`], how far along the stream is.
    pub fn bytes_read(&self) -> u64 {
        match &self.rows {
            Rows::Whole { bytes_read, .. } => *bytes_read,
            _ => self.input().map_or(0, |i| i.bytes_read),
        }
    }

    /// Rows read so far: CSV records (header and blank rows included), JSON lines, or the
    /// units yielded of a format read whole.
    pub fn rows_read(&self) -> usize {
        match &self.rows {
            Rows::Csv(table) => table.rows.rows,
            Rows::Lines(lines) => lines.rows,
            Rows::Whole { units, .. } => *units,
        }
    }

    /// The source's size in bytes, when known (see [`Self::with_total`]).
    pub fn total_bytes(&self) -> Option<u64> {
        self.total
    }

    /// The text encoding found (`UTF-8`, `GB18030`, `UTF-16LE` …; `spreadsheet`); `UTF-8`
    /// while only ASCII has been read.
    pub fn encoding(&self) -> &str {
        match &self.rows {
            Rows::Whole { encoding, .. } => encoding,
            _ => self.input().map_or("UTF-8", Decode::encoding_name),
        }
    }

    /// Columns no field reads: known once the header is read (CSV); growing as objects with
    /// new keys are read (JSON Lines).
    pub fn ignored_columns(&self) -> &[String] {
        match &self.rows {
            Rows::Csv(table) => &table.ignored,
            Rows::Lines(lines) => &lines.ignored,
            Rows::Whole { ignored, .. } => ignored,
        }
    }

    /// Why the source could not be read, if it could not: the stream has given a
    /// [`DataError`] for it and ended.
    pub fn io_error(&self) -> Option<&io::Error> {
        match &self.rows {
            Rows::Whole { error, .. } => error.as_ref(),
            _ => self.input().and_then(|i| i.error.as_ref()),
        }
    }

    /// Reads everything left and gathers it as [`crate::read`] does.
    pub fn into_dataset(mut self) -> Dataset {
        let mut dataset = Dataset::gather(self.by_ref());
        dataset.encoding = self.encoding().to_string();
        dataset.ignored_columns = self.ignored_columns().to_vec();
        if let Rows::Csv(table) = &self.rows {
            dataset.columns = table.columns();
        }
        dataset
    }
}

impl<'a, 'b> UnitStream<'a, &'b [u8]> {
    /// Bytes already in memory: the encoding is decided from all of them, as [`decode`] does.
    fn in_memory(set: &'a RuleSet, format: Format, bytes: &'b [u8]) -> Self {
        Self::from_decode(
            set,
            format,
            Decode::new(bytes, Some(whole_file_encoding(bytes))),
        )
    }
}

/// Opens a data file to stream its units, with its length as the total for progress.
pub fn open<'a>(
    set: &'a RuleSet,
    path: &std::path::Path,
) -> io::Result<UnitStream<'a, std::fs::File>> {
    let file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    Ok(UnitStream::of_set(set, &path.display().to_string(), file).with_total(length))
}

impl<R: Read> Iterator for UnitStream<'_, R> {
    type Item = Result<Unit, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match &mut self.rows {
            Rows::Csv(table) => table.next_item(),
            Rows::Lines(lines) => lines.next_item(),
            Rows::Whole { items, units, .. } => {
                let item = items.pop_front();
                if let Some(Ok(_)) = item {
                    *units += 1;
                }
                item
            }
        };
        if self.set.survey.is_none() {
            return item;
        }
        // A file of survey counts: each unit's counts must add up to its sample size.
        match item {
            Some(Ok(mut unit)) => {
                let mut errors = crate::survey::check_unit(self.set, &mut unit);
                if errors.is_empty() {
                    Some(Ok(unit))
                } else {
                    // The unit's first error; its others follow it.
                    let first = errors.remove(0);
                    let queue = match &mut self.rows {
                        Rows::Csv(table) => &mut table.queue.items,
                        Rows::Lines(lines) => &mut lines.queue.items,
                        Rows::Whole { items, .. } => items,
                    };
                    for e in errors.into_iter().rev() {
                        queue.push_front(Err(e));
                    }
                    Some(Err(first))
                }
            }
            other => other,
        }
    }
}

/// Without the `spreadsheets` feature a spreadsheet is refused, with an error that says so.
#[cfg(not(feature = "spreadsheets"))]
pub fn read_spreadsheet(_set: &RuleSet, _bytes: &[u8]) -> Dataset {
    Dataset::gather([Err(DataError::file(msg::no_spreadsheets()))])
}

/// The most bytes a spreadsheet's parts may unpack to, all together: a few-MB file can be a
/// "zip bomb" that unpacks to many GB. Real workbooks of 200,000 rows stay well under this.
pub const MAX_UNZIPPED_BYTES: u64 = 512 << 20;
/// The most parts (files inside the zip) a spreadsheet may hold.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// The most cells with content a sheet may hold.
pub const MAX_SHEET_CELLS: usize = 20_000_000;
/// Columns read from a sheet (A … ALL); cells further right are passed over: no header a rule
/// set declares is that far out, and one stray cell at XFD1048576 must not make every row
/// 16,384 cells wide.
pub const MAX_SHEET_COLUMNS: u32 = 1_000;

/// A sheet's cell with content: 0-based row and column, and its text.
#[cfg(feature = "spreadsheets")]
type SheetCell = (u32, u32, String);

/// A spreadsheet refused, with why and how to fix it (by default: save it again, or as CSV).
#[cfg(feature = "spreadsheets")]
fn spreadsheet_refused(mut why: Message) -> Dataset {
    if why.help.is_none() {
        why.help = Some(msg::save_again());
    }
    Dataset::gather([Err(DataError::file(why))])
}

/// Checks a zip-based spreadsheet (XLSX, ODS) against [`MAX_ZIP_ENTRIES`] and
/// [`MAX_UNZIPPED_BYTES`], unpacking every part to count its real size (the sizes a zip
/// declares may lie) and stopping as soon as the budget is spent.
#[cfg(feature = "spreadsheets")]
pub(crate) fn check_zip(bytes: &[u8]) -> Result<(), Message> {
    let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes))
        .map_err(|e| msg::spreadsheet_unopenable(&e.to_string(), false))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(msg::too_many_parts(archive.len(), MAX_ZIP_ENTRIES));
    }
    let mut left = MAX_UNZIPPED_BYTES;
    for i in 0..archive.len() {
        let part = archive
            .by_index(i)
            .map_err(|e| msg::part_unreadable(Ok(i + 1), &e.to_string()))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let read = io::copy(&mut part.take(left + 1), &mut io::sink())
            .map_err(|e| msg::part_unreadable(Err(&name), &e.to_string()))?;
        if read > left {
            return Err(msg::zip_bomb(MAX_UNZIPPED_BYTES >> 20));
        }
        left -= read;
    }
    Ok(())
}

/// One cell's text as the table reader takes it. Cells formatted as percentages in XLSX (stored
/// as 0.965) read as 96.5.
#[cfg(feature = "spreadsheets")]
pub(crate) fn cell_text(cell: calamine::Data, percent: bool) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s,
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            // The shortest text that reads back as the same double: 89.95, not 89.9499…
            let shown = f.to_string();
            if percent {
                Decimal::from_str(&shown)
                    .ok()
                    .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
                    .map_or(shown, |d| d.normalize().to_string())
            } else {
                shown
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => format!("#{e:?}"),
        other => other.to_string(),
    }
}

/// Rows made whole beforehand (a spreadsheet's): none is read into again.
#[cfg(feature = "spreadsheets")]
struct Made<I>(I);

#[cfg(feature = "spreadsheets")]
impl<I: Iterator<Item = TableRow>> Iterator for Made<I> {
    type Item = TableRow;

    fn next(&mut self) -> Option<TableRow> {
        self.0.next()
    }
}

#[cfg(feature = "spreadsheets")]
impl<I: Iterator<Item = TableRow>> TableRows for Made<I> {}

/// Cells `(row, column, text)` as table rows: sorted, grouped by row, each row as wide as its
/// last cell. Rows without cells are not made at all.
#[cfg(feature = "spreadsheets")]
fn cells_to_rows(mut cells: Vec<SheetCell>) -> Made<impl Iterator<Item = TableRow>> {
    cells.sort_unstable_by_key(|c| (c.0, c.1));
    let mut cells = cells.into_iter().peekable();
    Made(std::iter::from_fn(move || {
        let (row, col, text) = cells.next()?;
        let mut out: Vec<String> = vec![String::new(); col as usize];
        out.push(text);
        while let Some((_, col, text)) = cells.next_if(|c| c.0 == row) {
            out.resize(col as usize, String::new());
            out.push(text);
        }
        let row = usize::try_from(row).unwrap_or(usize::MAX).saturating_add(1);
        Some((row, Ok(Record::from(out))))
    }))
}

/// The cells of the sheets of an XLSX with any — the first such sheet, or `all` of them, each
/// with its name — read one at a time (never as a dense range: a sheet's extent says nothing
/// of how many cells it really has).
#[cfg(feature = "spreadsheets")]
fn xlsx_cells(
    mut book: calamine::Xlsx<io::Cursor<&[u8]>>,
    all: bool,
) -> Result<Vec<(String, Vec<SheetCell>)>, Message> {
    use calamine::Reader;
    let mut sheets = Vec::new();
    for name in book.sheet_names().to_vec() {
        let Ok(mut reader) = book.worksheet_cells_reader(&name) else {
            continue;
        };
        let mut cells = Vec::new();
        loop {
            let (cell, style) = match reader.next_cell_with_style_id() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(msg::spreadsheet_unopenable(&e.to_string(), false)),
            };
            let (row, col) = cell.get_position();
            if col >= MAX_SHEET_COLUMNS {
                continue;
            }
            let percent = reader
                .styles()
                .get(style)
                .and_then(|s| s.number_format.as_ref())
                .is_some_and(|f| f.format_code.contains('%'));
            let text = cell_text(calamine::Data::from(cell.get_value().clone()), percent);
            if text.is_empty() {
                continue;
            }
            if cells.len() == MAX_SHEET_CELLS {
                return Err(msg::too_many_cells(&name, MAX_SHEET_CELLS));
            }
            cells.push((row, col, text));
        }
        if !cells.is_empty() {
            sheets.push((name, cells));
            if !all {
                break;
            }
        }
    }
    Ok(sheets)
}

/// The most cells an XLS sheet's extent may span (rows × columns between its farthest cells, and
/// as its DIMENSIONS record declares): the reader allocates the whole extent at once.
pub const MAX_XLS_EXTENT: u64 = 10_000_000;

/// Checks an XLS (BIFF, in an OLE compound file) before it is opened: walks the workbook
/// stream's records and refuses a sheet whose extent — declared, or between its farthest cells
/// — is over [`MAX_XLS_EXTENT`] cells (one stray cell at row 65,536, column 16,384 would make
/// the reader allocate billions).
#[cfg(feature = "spreadsheets")]
fn check_xls(bytes: &[u8]) -> Result<(), Message> {
    let damaged = |e: io::Error| msg::spreadsheet_unopenable(&e.to_string(), true);
    let mut file = cfb::CompoundFile::open(io::Cursor::new(bytes)).map_err(damaged)?;
    let mut stream = Vec::new();
    let opened = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .map_err(damaged)?;
    opened
        .take(bytes.len() as u64)
        .read_to_end(&mut stream)
        .map_err(damaged)?;
    // The whole stream in order, then each sheet where its BOUNDSHEET record says it starts (as
    // the reader finds them, whatever lies between).
    let mut sheets = Vec::new();
    xls_records(&stream, 0, true, &mut |kind, data| {
        if kind == 0x0085 && data.len() >= 4 {
            sheets.push(u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize);
        }
    })?;
    for at in sheets {
        xls_records(&stream, at, false, &mut |_, _| {})?;
    }
    Ok(())
}

/// Walks an XLS workbook stream's records from `from`: every sheet substream (from BOF to its
/// EOF, nested substreams such as charts passed over as the reader does) must span at most
/// [`MAX_XLS_EXTENT`] cells, declared or between its farthest cells. `whole`: on to the end of
/// the stream, else to the end of the sheet that starts at `from`. `seen` sees every record.
#[cfg(feature = "spreadsheets")]
fn xls_records(
    stream: &[u8],
    from: usize,
    whole: bool,
    seen: &mut dyn FnMut(u16, &[u8]),
) -> Result<(), Message> {
    let u16_at = |d: &[u8], i: usize| {
        d.get(i..i + 2)
            .map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |d: &[u8], i: usize| {
        d.get(i..i + 4).map_or(0, |b| {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })
    };
    let too_large = |rows: u64, cols: u64| -> Result<(), Message> {
        if rows.saturating_mul(cols) > MAX_XLS_EXTENT {
            Err(msg::sheet_too_large(rows, cols, MAX_XLS_EXTENT))
        } else {
            Ok(())
        }
    };
    // (first row, last row, first column, last column) of the sheet being read.
    let mut bounds: Option<(u64, u64, u64, u64)> = None;
    let mut depth = 0usize;
    let mut at = from;
    while at.saturating_add(4) <= stream.len() {
        let kind = u16::try_from(u16_at(stream, at)).unwrap_or(0);
        let len = usize::try_from(u16_at(stream, at + 2)).unwrap_or(0);
        let data = stream.get(at + 4..at + 4 + len).unwrap_or(&[]);
        at += 4 + len;
        seen(kind, data);
        match kind {
            0x0809 => {
                depth += 1;
                if depth == 1 {
                    bounds = None;
                }
                continue;
            }
            0x000A => {
                depth = depth.saturating_sub(1);
                if depth == 0 && !whole {
                    return Ok(());
                }
                continue;
            }
            _ if depth > 1 && !whole => continue,
            _ => {}
        }
        let cell = match kind {
            // DIMENSIONS: the extent the sheet declares.
            0x0200 => {
                let (first, last, c0, c1) = if data.len() >= 14 {
                    (
                        u32_at(data, 0),
                        u32_at(data, 4),
                        u16_at(data, 8),
                        u16_at(data, 10),
                    )
                } else {
                    (
                        u16_at(data, 0),
                        u16_at(data, 2),
                        u16_at(data, 4),
                        u16_at(data, 6),
                    )
                };
                too_large(last.saturating_sub(first) + 1, c1.saturating_sub(c0) + 1)?;
                continue;
            }
            // Number, Label, RString, BoolErr, RK, LabelSst, Formula: row, column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                let (r, c) = (u16_at(data, 0), u16_at(data, 2));
                [(r, c), (r, c)]
            }
            // MulRk: row, first column, …, last column.
            0x00BD if data.len() >= 6 => {
                let r = u16_at(data, 0);
                [(r, u16_at(data, 2)), (r, u16_at(data, data.len() - 2))]
            }
            _ => continue,
        };
        for (r, c) in cell {
            let b = bounds.get_or_insert((r, r, c, c));
            *b = (b.0.min(r), b.1.max(r), b.2.min(c), b.3.max(c));
            too_large(b.1 - b.0 + 1, b.3 - b.2 + 1)?;
        }
    }
    Ok(())
}

/// Checks an ODS (OpenDocument) before it is opened: walks `content.xml` and refuses a sheet
/// whose extent — rows (with their repeats) between its first and last cells with content,
/// times the columns up to its farthest one — is over [`MAX_XLS_EXTENT`] cells, or whose rows
/// hold more cells than that when each is read out (the reader repeats a cell as often as its
/// `number-columns-repeated` says, and allocates the whole extent at once).
#[cfg(feature = "spreadsheets")]
fn check_ods(bytes: &[u8]) -> Result<(), Message> {
    use quick_xml::events::Event;
    let Ok(mut archive) = zip::ZipArchive::new(io::Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(()); // an XLSX, or not a spreadsheet: calamine says which
    };
    let mut xml = quick_xml::Reader::from_reader(io::BufReader::new(content));
    let repeats = |e: &quick_xml::events::BytesStart, name: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let refuse = |rows: u64, cols: u64| msg::sheet_too_large(rows, cols, MAX_XLS_EXTENT);
    let mut buf = Vec::new();
    // The sheet: next row number, first and last rows with content, widest row, cells read out.
    let (mut row, mut first, mut last, mut width, mut stored) = (0u64, None, 0u64, 0u64, 0u64);
    // The row: its repeats, the next column, the column after its last cell with content.
    let (mut row_repeats, mut col, mut row_width) = (1u64, 0u64, 0u64);
    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        // A row ends at its end tag, or at once when it is written `<table:table-row …/>`.
        let mut row_ends = false;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => match e.name().as_ref() {
                "table:table" => (row, first, last, width, stored) = (0, None, 0, 0, 0),
                "table:table-row" => {
                    (row_repeats, col, row_width) =
                        (repeats(e, "table:number-rows-repeated"), 0, 0);
                    row_ends = matches!(event, Event::Empty(_));
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeats(e, "table:number-columns-repeated");
                    // Content as the reader may take it: any value, type or formula attribute
                    // (anything but the cell's style and spans), or any text inside.
                    let content = matches!(event, Event::Start(_))
                        || e.attributes().flatten().any(|a| {
                            !matches!(
                                a.key.as_ref(),
                                "table:style-name"
                                    | "table:number-columns-repeated"
                                    | "table:number-columns-spanned"
                                    | "table:number-rows-spanned"
                            )
                        });
                    col = col.saturating_add(n).min(16_384);
                    if content {
                        row_width = col;
                    }
                }
                _ => {}
            },
            Event::End(ref e) => row_ends = e.name().as_ref() == "table:table-row",
            _ => {}
        }
        if row_ends {
            if row_width > 0 {
                first.get_or_insert(row);
                last = row.saturating_add(row_repeats - 1);
                width = width.max(row_width);
                stored = stored.saturating_add(row_width);
            }
            row = row.saturating_add(row_repeats);
            let rows = first.map_or(0, |f| last - f + 1);
            if rows.saturating_mul(width) > MAX_XLS_EXTENT || stored > MAX_XLS_EXTENT {
                return Err(refuse(rows, width));
            }
        }
        buf.clear();
    }
    Ok(())
}

/// The cells of the sheets with data of an XLS or ODS workbook — the first, or `all` of them,
/// each with its name (checked before it was opened: these readers fill in a sheet's whole
/// extent).
#[cfg(feature = "spreadsheets")]
fn range_cells(
    mut book: calamine::Sheets<io::Cursor<&[u8]>>,
    all: bool,
) -> Result<Vec<(String, Vec<SheetCell>)>, Message> {
    use calamine::Reader;
    let mut sheets = Vec::new();
    for name in book.sheet_names().to_vec() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let cells: Vec<SheetCell> = range
            .used_cells()
            .filter_map(|(r, c, v)| {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                let row = r0 + u32::try_from(r).ok()?;
                let col = c0 + u32::try_from(c).ok()?;
                let text = cell_text(v.clone(), false);
                (col < MAX_SHEET_COLUMNS && !text.is_empty()).then_some((row, col, text))
            })
            .collect();
        if !cells.is_empty() {
            sheets.push((name, cells));
            if !all {
                break;
            }
        }
    }
    Ok(sheets)
}

/// A sheet's rows: spreadsheet row number and cells' texts.
pub(crate) type SheetRows = Vec<(usize, Vec<String>)>;

/// The rows `(row, cells)` of the first sheet with data of an XLS or ODS workbook (not XLSX,
/// which is read cell by cell), within the limits [`read_spreadsheet`] keeps; `Ok(None)` for
/// an XLSX or XLSB.
#[cfg(feature = "spreadsheets")]
pub(crate) fn xls_or_ods_rows(bytes: &[u8]) -> Result<Option<SheetRows>, Message> {
    use calamine::Reader;
    let cursor = || io::Cursor::new(bytes);
    let unopenable = |e: calamine::Error| msg::spreadsheet_unopenable(&e.to_string(), false);
    let cells = match zip::ZipArchive::new(cursor()) {
        Ok(archive) => {
            if archive.index_for_name("content.xml").is_none() {
                return Ok(None);
            }
            check_zip(bytes)?;
            check_ods(bytes)?;
            calamine::Ods::new(cursor())
                .map_err(|e| unopenable(e.into()))
                .and_then(|book| range_cells(calamine::Sheets::Ods(book), false))?
        }
        Err(_) => {
            check_xls(bytes)?;
            calamine::Xls::new(cursor())
                .map_err(|e| unopenable(e.into()))
                .and_then(|book| range_cells(calamine::Sheets::Xls(book), false))?
        }
    };
    Ok(Some(
        cells_to_rows(cells.into_iter().next().map(|s| s.1).unwrap_or_default())
            .map(|(row, cells)| {
                let cells = cells
                    .map(|c| c.iter().map(str::to_string).collect())
                    .unwrap_or_default();
                (row, cells)
            })
            .collect(),
    ))
}

/// Reads the first sheet with data of a spreadsheet: XLSX, XLSM, XLS or ODS (as Excel and WPS
/// save them), within limits that hold for any file: [`MAX_UNZIPPED_BYTES`],
/// [`MAX_ZIP_ENTRIES`], [`MAX_SHEET_CELLS`] and [`MAX_SHEET_COLUMNS`].
#[cfg(feature = "spreadsheets")]
pub fn read_spreadsheet(set: &RuleSet, bytes: &[u8]) -> Dataset {
    match workbook_cells(bytes, false) {
        Ok(sheets) => match sheets.into_iter().next() {
            Some((_, cells)) => sheet_dataset(set, cells),
            None => Dataset::gather([Err(DataError::file(msg::empty_file()))]),
        },
        Err(why) => spreadsheet_refused(why),
    }
}

/// One sheet of a workbook, read as [`read_spreadsheet`] reads the first.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name (`""` for a file that could not be opened).
    pub name: String,
    /// Its units and errors.
    pub dataset: Dataset,
}

/// Reads every sheet of a spreadsheet that holds units: the first sheet with data (the one
/// [`read_spreadsheet`] reads), then each other sheet whose header row — within the first
/// rows, below a title — names the unit-id column. A file that cannot be opened gives one
/// sheet without a name, holding the error.
#[cfg(feature = "spreadsheets")]
pub fn read_sheets(set: &RuleSet, bytes: &[u8]) -> Vec<Sheet> {
    let sheets = match workbook_cells(bytes, true) {
        Ok(sheets) if sheets.is_empty() => {
            let dataset = Dataset::gather([Err(DataError::file(msg::empty_file()))]);
            return vec![Sheet {
                name: String::new(),
                dataset,
            }];
        }
        Ok(sheets) => sheets,
        Err(why) => {
            return vec![Sheet {
                name: String::new(),
                dataset: spreadsheet_refused(why),
            }]
        }
    };
    let checker = Checker::new(set);
    sheets
        .into_iter()
        .enumerate()
        .filter(|(i, (_, cells))| {
            *i == 0
                || cells_to_rows(cells.clone())
                    .take(HEADER_SEARCH_ROWS)
                    .any(|(_, r)| r.is_ok_and(|cells| checker.names_id(&cells)))
        })
        .map(|(_, (name, cells))| Sheet {
            name,
            dataset: sheet_dataset(set, cells),
        })
        .collect()
}

/// Without the `spreadsheets` feature a spreadsheet is refused, with an error that says so.
#[cfg(not(feature = "spreadsheets"))]
pub fn read_sheets(set: &RuleSet, bytes: &[u8]) -> Vec<Sheet> {
    vec![Sheet {
        name: String::new(),
        dataset: read_spreadsheet(set, bytes),
    }]
}

/// One sheet's cells as a table of units.
#[cfg(feature = "spreadsheets")]
fn sheet_dataset(set: &RuleSet, cells: Vec<SheetCell>) -> Dataset {
    let mut table = Table::new(set, cells_to_rows(cells));
    let mut dataset = Dataset::gather(std::iter::from_fn(|| table.next_item()));
    dataset.columns = table.columns();
    dataset.ignored_columns = table.ignored;
    dataset.encoding = "spreadsheet".into();
    dataset
}

/// The rows `(row, cells' texts)` of the first sheet with data of a workbook (XLSX, XLS or
/// ODS), within the limits every workbook is read in: for a table that is not units, such
/// as a published rubric (`kaohe import`).
#[cfg(feature = "spreadsheets")]
pub(crate) fn first_sheet_rows(bytes: &[u8]) -> Result<SheetRows, Message> {
    let cells = workbook_cells(bytes, false)?
        .into_iter()
        .next()
        .map(|s| s.1)
        .unwrap_or_default();
    Ok(text_rows(cells))
}

/// A sheet's cells as rows of texts.
#[cfg(feature = "spreadsheets")]
fn text_rows(cells: Vec<SheetCell>) -> SheetRows {
    cells_to_rows(cells)
        .map(|(row, cells)| {
            let cells = cells
                .map(|c| c.iter().map(str::to_string).collect())
                .unwrap_or_default();
            (row, cells)
        })
        .collect()
}

/// Why a small table file (a rubric, a parameter table) could not be read as rows.
#[derive(Debug)]
pub(crate) enum RowsError {
    /// Neither a workbook nor a CSV by its name or first bytes.
    Unsupported,
    /// A workbook refused (too large, damaged, XLSB …), or workbooks not read in this build.
    Unreadable(Message),
    /// A CSV line that does not parse (unpaired quotes).
    Csv {
        /// The 1-based line.
        line: usize,
        /// The parser's words.
        why: String,
    },
}

/// The rows `(row, cells)` of a small table file: a workbook's first sheet with data, or a CSV
/// in the encoding Excel or WPS saved it in, separated by `,` `;` or tab (by its first line).
pub(crate) fn plain_rows(name: &str, bytes: &[u8]) -> Result<SheetRows, RowsError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let looks_zip_or_ole = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF]);
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => workbook_rows(bytes),
        "csv" | "txt" | "tsv" => csv_plain_rows(bytes),
        _ if looks_zip_or_ole => workbook_rows(bytes),
        // Standard input (`-`): a workbook by its first bytes, else text.
        _ if name == "-" => csv_plain_rows(bytes),
        _ => Err(RowsError::Unsupported),
    }
}

#[cfg(feature = "spreadsheets")]
fn workbook_rows(bytes: &[u8]) -> Result<SheetRows, RowsError> {
    first_sheet_rows(bytes).map_err(RowsError::Unreadable)
}

#[cfg(not(feature = "spreadsheets"))]
fn workbook_rows(_bytes: &[u8]) -> Result<SheetRows, RowsError> {
    Err(RowsError::Unreadable(msg::no_spreadsheets()))
}

fn csv_plain_rows(bytes: &[u8]) -> Result<SheetRows, RowsError> {
    let (text, _) = decode(bytes);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = |p: Option<&csv::Position>| p.map_or(i + 1, |p| p.line() as usize);
        let record = record.map_err(|e| RowsError::Csv {
            line: line(e.position()),
            why: e.to_string(),
        })?;
        rows.push((
            line(record.position()),
            record.iter().map(str::to_string).collect(),
        ));
    }
    Ok(rows)
}

/// Why a named sheet could not be read.
#[cfg(feature = "spreadsheets")]
pub(crate) enum NamedSheetError {
    /// The workbook was refused or is damaged.
    Unreadable(Box<Message>),
    /// It has no sheet of that name: the names of those with data.
    NoSuchSheet(Vec<String>),
}

/// The rows `(row, cells' texts)` of the sheet named `sheet` of a workbook (XLSX, XLS or
/// ODS), within the limits every workbook is read in: a rule set's table kept in a workbook
/// beside it.
#[cfg(feature = "spreadsheets")]
pub(crate) fn named_sheet_rows(bytes: &[u8], sheet: &str) -> Result<SheetRows, NamedSheetError> {
    let sheets =
        workbook_cells(bytes, true).map_err(|why| NamedSheetError::Unreadable(Box::new(why)))?;
    let names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
    let Some((_, cells)) = sheets.into_iter().find(|(n, _)| n.trim() == sheet.trim()) else {
        return Err(NamedSheetError::NoSuchSheet(names));
    };
    Ok(text_rows(cells))
}

/// The sheets with data of a workbook, with their names — the first, or `all` — after the
/// checks every workbook passes (zip limits, XLS extents, no XLSB).
#[cfg(feature = "spreadsheets")]
fn workbook_cells(bytes: &[u8], all: bool) -> Result<Vec<(String, Vec<SheetCell>)>, Message> {
    use calamine::Reader;
    let cursor = || io::Cursor::new(bytes);
    // A zip is whatever opens as one (bytes before it included), and is checked as a whole;
    // then read by the one reader its content names, never by guessing. XLSB is not read: its
    // reader fills in a sheet's whole extent unchecked.
    let unopenable = |e: calamine::Error| msg::spreadsheet_unopenable(&e.to_string(), false);
    match zip::ZipArchive::new(cursor()) {
        Ok(archive) => {
            let ods = archive.index_for_name("content.xml").is_some();
            if archive.index_for_name("xl/workbook.bin").is_some() {
                return Err(msg::xlsb());
            }
            check_zip(bytes)?;
            if ods {
                check_ods(bytes)?;
                calamine::Ods::new(cursor())
                    .map_err(|e| unopenable(e.into()))
                    .and_then(|book| range_cells(calamine::Sheets::Ods(book), all))
            } else {
                match calamine::Xlsx::new(cursor()) {
                    Ok(book) => xlsx_cells(book, all),
                    Err(e) => Err(unopenable(e.into())),
                }
            }
        }
        Err(_) => {
            check_xls(bytes)?;
            calamine::Xls::new(cursor())
                .map_err(|e| unopenable(e.into()))
                .and_then(|book| range_cells(calamine::Sheets::Xls(book), all))
        }
    }
}

/// Reads JSON: an array of objects keyed by field name or header, or `{"units": [...]}`.
pub fn read_json(set: &RuleSet, bytes: &[u8]) -> Dataset {
    let (text, encoding, malformed) = match decode_checked(bytes) {
        Ok(decoded) => decoded,
        Err(e) => return Dataset::gather([Err(DataError::file(msg::unreadable(&e.to_string())))]),
    };
    let bad_line = malformed
        .then(|| text.lines().position(|l| l.contains('\u{fffd}')))
        .flatten();
    if let Some(line) = bad_line {
        let mut d = Dataset::gather([Err(DataError::file(msg::bad_bytes_in_json(
            Some(line + 1),
            encoding,
        )))]);
        d.encoding = encoding.to_string();
        return d;
    }
    let mut dataset = json_units(set, &text);
    dataset.encoding = encoding.to_string();
    dataset
}

fn json_units(set: &RuleSet, text: &str) -> Dataset {
    let fail = |m: Message| Dataset::gather([Err(DataError::file(m))]);
    if text.trim().is_empty() {
        return fail(msg::empty_file());
    }
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return fail(msg::not_json(e.line(), e.column(), &e.to_string())),
    };
    let list = match value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(mut o) => match o.remove("units") {
            Some(serde_json::Value::Array(a)) => a,
            _ => return fail(msg::not_a_list(true)),
        },
        _ => return fail(msg::not_a_list(false)),
    };
    if list.is_empty() {
        return fail(msg::no_units());
    }
    let mut checker = Checker::new(set);
    let mut ignored = Vec::new();
    let mut items = VecDeque::new();
    for (i, item) in list.into_iter().enumerate() {
        checker.object(i + 1, item, &mut ignored, &mut items);
    }
    let mut dataset = Dataset::gather(items);
    dataset.ignored_columns = ignored;
    dataset
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod tests {
    use super::*;

    fn field(ty: FieldType, required: bool, default: Option<Value>) -> Field {
        Field {
            name: "f".into(),
            label: "字段".into(),
            aliases: Vec::new(),
            ty,
            required,
            default,
            one_of: Vec::new(),
            spellings: None,
            range: crate::model::Range::of(ty),
        }
    }

    /// Cells the fast path takes and cells it must leave to the general path.
    const CELLS: &[&str] = &[
        "",
        " ",
        "\u{3000}",
        "5",
        "+5",
        "-5",
        " 5 ",
        "5 ",
        "\t5",
        "-0",
        "+0",
        "007",
        "5.0",
        "5.",
        ".5",
        "-.5",
        "0.50",
        "97.35",
        "97.350",
        "-1.5",
        "+1.5",
        "1e3",
        "1E3",
        "1,234",
        "1,234.5",
        "５",
        "１２",
        "９７．５",
        "－３",
        "１００％",
        "100%",
        "99.9%",
        "%",
        "5%%",
        "1.2.3",
        "--5",
        "+-5",
        "5-",
        "1_000",
        "123456789012345678",
        "1234567890123456789",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "0000000000000000001",
        "12345678901234567.8",
        "1234567890123456789.5",
        "79228162514264337593543950336",
        "0.0000000000000000000000000001",
        "0.00000000000000000000000000001",
        "是",
        "否",
        "有",
        "无",
        "Y",
        "y",
        "YES",
        "True",
        "√",
        "✓",
        "×",
        "✗",
        "1",
        "0",
        " 是",
        "是 ",
        "六次",
        "三",
        "甲",
        " 甲 ",
        "甲 乙",
        "ａ",
    ];

    /// A decimal's exact representation: sign, scale and digits.
    fn exact(v: &Value) -> Option<[u8; 16]> {
        match v {
            Value::Number(d) => Some(d.serialize()),
            _ => None,
        }
    }

    #[test]
    fn the_fast_path_gives_what_the_general_path_gives() {
        let types = [
            FieldType::Int,
            FieldType::Number,
            FieldType::Percent,
            FieldType::Bool,
            FieldType::Text,
        ];
        let mut fast = 0;
        for ty in types {
            for (required, default) in [(true, None), (false, None), (true, Some(Value::Int(0)))] {
                let f = field(ty, required, default);
                for cell in CELLS {
                    let general = parse_written(&f, cell);
                    assert_eq!(parse_cell(&f, cell), general, "{ty:?} `{cell}`");
                    if let Some(v) = parse_plain(&f, cell) {
                        fast += 1;
                        assert_eq!(Ok(v.clone()), general, "{ty:?} `{cell}`");
                        let exact_general = general.as_ref().ok().and_then(exact);
                        assert_eq!(exact(&v), exact_general, "{ty:?} `{cell}`: scale or sign");
                    }
                }
            }
        }
        assert!(fast > 100, "the fast path took only {fast} cells");
    }

    #[test]
    fn plain_cells_take_the_fast_path() {
        let cases: &[(FieldType, &str, Value)] = &[
            (FieldType::Int, "5", Value::Int(5)),
            (FieldType::Int, "-0", Value::Int(0)),
            (FieldType::Int, "+5", Value::Int(5)),
            (FieldType::Int, "9223372036854775807", Value::Int(i64::MAX)),
            (
                FieldType::Number,
                "97.350",
                Value::Number(Decimal::new(97350, 3)),
            ),
            (FieldType::Number, "5.", Value::Number(Decimal::new(5, 0))),
            (FieldType::Number, ".5", Value::Number(Decimal::new(5, 1))),
            (
                FieldType::Percent,
                "96.5%",
                Value::Number(Decimal::new(965, 1)),
            ),
            (FieldType::Bool, "是", Value::Bool(true)),
            (FieldType::Bool, "0", Value::Bool(false)),
            (FieldType::Text, "甲", Value::Text("甲".into())),
            (FieldType::Int, "", Value::Missing),
        ];
        for (ty, cell, want) in cases {
            let got = parse_plain(&field(*ty, false, None), cell);
            assert_eq!(got.as_ref(), Some(want), "{ty:?} `{cell}`");
            assert_eq!(got.as_ref().and_then(exact), exact(want), "{ty:?} `{cell}`");
        }
        // Left to the general path: folding, separators, words, exponents, too many digits.
        for (ty, cell) in [
            (FieldType::Int, " 5 "),
            (FieldType::Int, "5.0"),
            (FieldType::Int, "1,234"),
            (FieldType::Int, "５"),
            (FieldType::Int, "六次"),
            (FieldType::Int, "9223372036854775808"),
            (FieldType::Number, "1e3"),
            (FieldType::Number, "1,234.5"),
            (FieldType::Percent, "１００％"),
            (FieldType::Bool, "YES"),
            (FieldType::Bool, " 是"),
            (FieldType::Text, " 甲 "),
        ] {
            assert_eq!(
                parse_plain(&field(ty, false, None), cell),
                None,
                "{ty:?} `{cell}`"
            );
        }
    }

    #[test]
    fn ids_in_order_and_out_of_order_are_each_seen_once() {
        let mut seen = SeenIds::default();
        // In order (as bytes): only listed.
        for (row, id) in [(2, "A1"), (3, "A2"), (4, "B")] {
            assert_eq!(seen.first_seen(id, row), None);
        }
        assert!(!seen.unordered);
        // The last id again: out of order, and a repeat.
        assert_eq!(seen.first_seen("B", 5), Some(4));
        assert!(seen.unordered);
        assert_eq!(seen.first_seen("A1", 6), Some(2));
        assert_eq!(seen.first_seen("10", 7), None);
        assert_eq!(seen.first_seen("9", 8), None);
        assert_eq!(seen.first_seen("10", 9), Some(7));
        assert_eq!(seen.first_seen("A2", 10), Some(3));
    }

    #[test]
    fn two_ids_sharing_64_bits_of_hash_are_told_apart() {
        let mut seen = SeenIds::default();
        let (key, one, two) = (7u64, 1u64 << ROW_BITS, 2u64 << ROW_BITS);
        assert_eq!(seen.look_up(key, one | 5), None);
        assert_eq!(seen.look_up(key, two | 7), None);
        assert_eq!(seen.look_up(key, two | 9), Some(two | 7));
        assert_eq!(seen.look_up(key, one | 11), Some(one | 5));
    }
}
