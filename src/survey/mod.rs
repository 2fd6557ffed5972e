//! Surveys (问卷): from respondents' rows to each unit's 安全感, 满意度 and 知晓率, with sample
//! checks, weights and margins of error.
//!
//! A rule set declares its survey with `survey(#{ … })` and one `question(…)` per scored
//! question; each question's options count into unit fields, which the rule set's metrics
//! (`#{ survey: [...], points | share }`) turn into indices. So one rule set reads either a
//! file of counts per unit (按单位填报) or a file of answers per respondent (一行一份答卷, as
//! 问卷星 or a CATI system exports it), and every indicator, rank, 进前3名 and consequence works
//! on the indices unchanged.
//!
//! | file | job |
//! |---|---|
//! | `model.rs` | the declarations: columns, questions, strata, each metric's question |
//! | `header.rs` | finding the declared columns among headers (text, leading words, number) |
//! | `csv.rs` | CSV records on raw bytes, a block of whole records at a time |
//! | `read.rs` | respondents' rows → checks → per-unit tallies → units with their counts |
//! | `stats.rs` | sample sizes, standard errors, Wilson and mean intervals, margins of error |
//! | `annotate.rs` | the statistics in a result: each index's `sample`, notes and 备注 |

mod annotate;
#[cfg(feature = "respondents")]
mod csv;
#[cfg(feature = "respondents")]
mod header;
pub(crate) mod model;
#[cfg(feature = "respondents")]
mod read;
pub(crate) mod stats;

pub(crate) use model::{Column, MetricLink, Question, Strata, Survey};

pub(crate) use annotate::{annotate, metric_note, sample_result};

use crate::compile::Rules;
use crate::data::{Dataset, Unit};
use crate::error::DataError;
use crate::model::{RuleSet, Value};
use serde::Serialize;
#[cfg(feature = "respondents")]
use std::hash::{BuildHasherDefault, Hasher};

/// One unit's answers as tallied from respondents' rows: what the statistics of its indices
/// are computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct UnitSample {
    /// Respondents counted for the unit.
    pub respondents: u64,
    /// Per question, in declaration order.
    pub questions: Vec<QuestionTally>,
}

/// One question's answers in one unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct QuestionTally {
    /// Per stratum (one without post-stratification): each option's respondents and weights.
    pub cells: Vec<stats::Cell>,
    /// Answers left out of the base (不清楚, 拒答).
    pub excluded: u64,
    /// Respondents who gave no answer (跳过, blank).
    pub blank: u64,
}

/// What reading a respondents' file gave, in numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RespondentSummary {
    /// Respondents' rows read (blank rows aside).
    pub respondents: u64,
    /// Respondents counted: rows without errors.
    pub counted: u64,
    /// Units the respondents were tallied into.
    pub units: usize,
    /// Units with an index below the survey's minimum sample.
    pub short_units: usize,
}

/// A question of the rule set's survey (题目) as declared: its answers and the unit fields that
/// count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuestionInfo<'a> {
    /// Its stable id (`safety`).
    pub id: &'a str,
    /// The answers in the base (有效选项), in the questionnaire's order.
    pub options: &'a [String],
    /// For each option, the unit field that counts how many respondents chose it, by index
    /// into [`Rules::fields`] (a unit's [`Unit::values`]).
    pub counts: &'a [usize],
    /// The answers left out of the base (不清楚, 拒答).
    pub excluded: &'a [String],
}

/// How many of one unit's respondents answered a question outside its base, and how many gave
/// no answer (不清楚、拒答 / 未作答).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutsideBase {
    /// Respondents who gave an answer left out of the base.
    pub excluded: u64,
    /// Respondents who gave no answer.
    pub blank: u64,
}

/// The questions of the rule set's survey, in declaration order; none without a survey.
pub fn questions(rules: &Rules) -> impl ExactSizeIterator<Item = QuestionInfo<'_>> + '_ {
    let questions = rules
        .set
        .survey
        .as_ref()
        .map_or(&[][..], |s| &s.questions[..]);
    questions.iter().map(|q| QuestionInfo {
        id: &q.id,
        options: &q.options,
        counts: &q.counts,
        excluded: &q.excluded,
    })
}

/// A unit's answers outside the base of question `question` (an index into [`questions`]),
/// when the unit was tallied from respondents' rows ([`read`]); `None` for a unit read from a
/// file of counts.
pub fn outside_base(unit: &Unit, question: usize) -> Option<OutsideBase> {
    let tally = unit.survey.as_ref()?.questions.get(question)?;
    Some(OutsideBase {
        excluded: tally.excluded,
        blank: tally.blank,
    })
}

#[cfg(feature = "respondents")]
/// A small, fast hasher for the short keys of one reading (unit names, ids): FxHash.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

#[cfg(feature = "respondents")]
impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in chunks.by_ref() {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

#[cfg(feature = "respondents")]
pub(crate) type FxBuild = BuildHasherDefault<Fx>;

#[cfg(feature = "respondents")]
/// A text's 128-bit hash (two SipHash values with fixed keys: the same on every run).
pub(crate) fn hash128(b: &[u8]) -> u128 {
    use std::hash::{DefaultHasher, Hash};
    let mut x = DefaultHasher::new();
    b.hash(&mut x);
    let mut y = DefaultHasher::new();
    (0x7375_7276_6579u64, b).hash(&mut y);
    (u128::from(x.finish()) << 64) | u128::from(y.finish())
}

#[cfg(feature = "respondents")]
/// Threads that parse CSV blocks: rayon's (`RAYON_NUM_THREADS=1` for one); one in WebAssembly.
pub(crate) fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::current_num_threads().max(1)
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

#[cfg(feature = "respondents")]
/// Runs `parse` and `meanwhile` at once where there are threads (the blocks of one round are
/// parsed while the last round's are added up), one after the other in WebAssembly.
#[cfg(not(target_arch = "wasm32"))]
fn parse_while<T: Send>(parse: impl FnOnce() -> T + Send, meanwhile: impl FnOnce() + Send) -> T {
    if threads() > 1 {
        return rayon::join(parse, meanwhile).0;
    }
    meanwhile();
    parse()
}

#[cfg(feature = "respondents")]
/// Runs `meanwhile`, then `parse` (WebAssembly has one thread, and the rule set's values are
/// not shared across threads there).
#[cfg(target_arch = "wasm32")]
fn parse_while<T>(parse: impl FnOnce() -> T, meanwhile: impl FnOnce()) -> T {
    meanwhile();
    parse()
}

#[cfg(feature = "respondents")]
/// Parses blocks of CSV records, across cores, keeping their order.
fn parse_blocks(plan: &read::Plan, blocks: &[(&[u8], usize)], delim: u8) -> Vec<read::BlockOut> {
    #[cfg(not(target_arch = "wasm32"))]
    if blocks.len() > 1 && threads() > 1 {
        use rayon::prelude::*;
        return blocks
            .par_iter()
            .map(|(b, skip)| read::parse_block(plan, b, delim, *skip))
            .collect();
    }
    blocks
        .iter()
        .map(|(b, skip)| read::parse_block(plan, b, delim, *skip))
        .collect()
}

#[cfg(feature = "respondents")]
/// Whether `bytes` (a file named `name`) are a respondents' file for this rule set's survey:
/// a header row that names the survey's unit column and at least one question.
pub fn is_respondents(rules: &Rules, name: &str, bytes: &[u8]) -> bool {
    let Some(survey) = &rules.set.survey else {
        return false;
    };
    match crate::data::Format::detect(name, bytes) {
        crate::data::Format::Csv => read::csv_is_respondents(survey, bytes),
        crate::data::Format::Spreadsheet => sheet_is_respondents(survey, bytes),
        _ => false,
    }
}

#[cfg(feature = "respondents")]
/// Reads `bytes` as a respondents' file when they are one for this rule set's survey;
/// `None` otherwise (a file of units, to read as such).
pub(crate) fn try_read(
    set: &RuleSet,
    name: &str,
    bytes: &[u8],
    units: Option<&[Unit]>,
) -> Option<Dataset> {
    let survey = set.survey.as_ref()?;
    match crate::data::Format::detect(name, bytes) {
        crate::data::Format::Csv => read::csv_is_respondents(survey, bytes)
            .then(|| read::read_csv_bytes(set, survey, bytes, units)),
        crate::data::Format::Spreadsheet => read_sheet(set, survey, bytes, units, true),
        _ => None,
    }
}

#[cfg(feature = "respondents")]
/// Reads a respondents' file held in memory into units: with `units` (a list of units, as a
/// `--units` file gives it), respondents are tallied into those units, found by code or name,
/// and a name in no unit is an error; without, one unit is made per distinct unit name, in
/// order of first appearance. Every bad row is reported (at most 20 per column, as for data)
/// and left out; the counts are in [`Dataset::respondents`]. A rule set without a survey reads
/// `bytes` as data ([`crate::read`]).
///
/// ```
/// let b = kaohe::bundled::ALL.iter().find(|b| b.id == "satisfaction-survey").ok_or("no survey")?;
/// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|_| "no rules")?;
/// let answers = b.file("samples/satisfaction-survey.csv").ok_or("no sample")?;
/// assert!(kaohe::survey::is_respondents(&rules, "answers.csv", answers));
/// let data = kaohe::survey::read(&rules, "answers.csv", answers, None);
/// assert!(data.errors.is_empty());
/// let summary = data.respondents.ok_or("no summary")?;
/// assert_eq!(summary.units, data.units.len());
/// # Ok::<(), &str>(())
/// ```
pub fn read(rules: &Rules, name: &str, bytes: &[u8], units: Option<&[Unit]>) -> Dataset {
    read_set(&rules.set, name, bytes, units)
}

#[cfg(feature = "respondents")]
/// [`read`] by the declarations alone.
pub(crate) fn read_set(set: &RuleSet, name: &str, bytes: &[u8], units: Option<&[Unit]>) -> Dataset {
    let Some(survey) = &set.survey else {
        return crate::data::read(set, name, bytes);
    };
    match crate::data::Format::detect(name, bytes) {
        crate::data::Format::Spreadsheet => {
            read_sheet(set, survey, bytes, units, false).unwrap_or_default()
        }
        _ => read::read_csv_bytes(set, survey, bytes, units),
    }
}

#[cfg(feature = "respondents")]
/// Reads a CSV respondents' file from any reader `open` opens, a block at a time, in memory
/// bounded whatever its size: a few blocks of 1 MiB, the tallies (a few hundred bytes per
/// unit) and one bit per numeric respondent id (16 bytes per other id). `open` is called a
/// second time only when an id is given twice, to name the row where it was first given.
pub fn read_stream<R: std::io::Read>(
    rules: &Rules,
    open: impl Fn() -> R,
    units: Option<&[Unit]>,
) -> Dataset {
    match &rules.set.survey {
        Some(survey) => read::read_csv(&rules.set, survey, open, units),
        None => Dataset::default(),
    }
}

#[cfg(feature = "respondents")]
/// Reads a respondents' file from disk: CSV streamed in blocks (memory bounded whatever the
/// file's size), spreadsheets whole.
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub(crate) fn read_path(
    set: &RuleSet,
    path: &std::path::Path,
    units: Option<&[Unit]>,
) -> std::io::Result<Dataset> {
    let Some(survey) = &set.survey else {
        let bytes = std::fs::read(path)?;
        return Ok(crate::data::read(set, &path.display().to_string(), &bytes));
    };
    let name = path.display().to_string();
    let mut first = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path)?, 8),
        &mut first,
    )?;
    if crate::data::Format::detect(&name, &first) == crate::data::Format::Spreadsheet {
        let bytes = std::fs::read(path)?;
        return Ok(read_sheet(set, survey, &bytes, units, false).unwrap_or_default());
    }
    // Opened again only to name the first row of a repeated id.
    std::fs::File::open(path)?;
    let open = || {
        std::fs::File::open(path)
            .map(|f| Box::new(f) as Box<dyn std::io::Read>)
            .unwrap_or_else(|_| Box::new(std::io::empty()))
    };
    Ok(read::read_csv(set, survey, open, units))
}

#[cfg(feature = "respondents")]
/// Reads a file on disk as a respondents' file when it is one for this rule set's survey (its
/// header names the unit column and a question): CSV streamed in blocks, a spreadsheet read in
/// one pass; `None` for another file (a file of units, to read as such).
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub(crate) fn try_read_path(
    set: &RuleSet,
    path: &std::path::Path,
    units: Option<&[Unit]>,
) -> std::io::Result<Option<Dataset>> {
    let Some(survey) = &set.survey else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let mut head = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path)?, 4 << 20),
        &mut head,
    )?;
    match crate::data::Format::detect(&name, &head) {
        crate::data::Format::Spreadsheet => {
            let bytes = std::fs::read(path)?;
            Ok(read_sheet(set, survey, &bytes, units, true))
        }
        crate::data::Format::Csv if read::csv_is_respondents(survey, &head) => {
            read_path(set, path, units).map(Some)
        }
        _ => Ok(None),
    }
}

/// Without the respondents' reader (the browser's engine module, built without the
/// `respondents` feature): a rule set with a survey reads no data here, and says that the
/// full module reads it (the JS API fetches that module for such a rule set).
#[cfg(not(feature = "respondents"))]
pub(crate) fn try_read(
    set: &RuleSet,
    _name: &str,
    _bytes: &[u8],
    _units: Option<&[Unit]>,
) -> Option<Dataset> {
    set.survey.as_ref()?;
    let mut dataset = Dataset::default();
    dataset.errors.push(DataError::at(
        0,
        0,
        None,
        crate::messages::survey::needs_full_module(),
    ));
    Some(dataset)
}

/// The rule set a file of units (`--units`) is read with: the fields the survey fills in
/// (answer counts, sample size, the short-sample flag) are not required there.
pub(crate) fn units_rule_set(set: &RuleSet) -> RuleSet {
    let mut set = set.clone();
    if let Some(survey) = &set.survey {
        for f in survey.filled_fields() {
            set.fields[f].required = false;
        }
    }
    set
}

/// Reads a list of units (单位名单, `kaohe assess --units`) for [`read`]: the units respondents
/// are tallied into, by code or name. The fields a survey fills in (answer counts, sample size)
/// may be absent from it.
pub fn read_units(rules: &Rules, name: &str, bytes: &[u8]) -> Dataset {
    crate::data::read(&units_rule_set(&rules.set), name, bytes)
}

#[cfg(feature = "respondents")]
/// A spreadsheet of respondents, read in one pass over the open workbook (see
/// [`read::read_rows`]), after the zip checks.
#[cfg(feature = "spreadsheets")]
fn read_sheet(
    set: &RuleSet,
    survey: &Survey,
    bytes: &[u8],
    units: Option<&[Unit]>,
    only_respondents: bool,
) -> Option<Dataset> {
    let keep = read::KeepColumns::default();
    let opened = with_sheet_rows(bytes, true, &keep, &mut |rows| {
        let again = |find: &mut dyn FnMut(read::NextRow) -> Option<_>| {
            with_sheet_rows(bytes, false, &keep, &mut |rows| find(rows))
                .ok()
                .flatten()
        };
        read::read_rows(set, survey, rows, &keep, &again, units, only_respondents)
    });
    match opened {
        Ok(read) => read,
        Err(m) => (!only_respondents).then(|| Dataset {
            errors: vec![DataError::file(m)],
            encoding: "spreadsheet".into(),
            ..Dataset::default()
        }),
    }
}

#[cfg(feature = "respondents")]
/// Whether a spreadsheet's first rows hold a respondents' header (the workbook is opened,
/// after the zip checks, and only its first rows read).
#[cfg(feature = "spreadsheets")]
fn sheet_is_respondents(survey: &Survey, bytes: &[u8]) -> bool {
    with_sheet_rows(bytes, true, &read::KeepColumns::default(), &mut |rows| {
        read::sheet_is_respondents(survey, rows)
    })
    .unwrap_or(false)
}

#[cfg(feature = "respondents")]
#[cfg(not(feature = "spreadsheets"))]
fn sheet_is_respondents(_survey: &Survey, _bytes: &[u8]) -> bool {
    false
}

#[cfg(feature = "respondents")]
#[cfg(not(feature = "spreadsheets"))]
fn read_sheet(
    _set: &RuleSet,
    _survey: &Survey,
    _bytes: &[u8],
    _units: Option<&[Unit]>,
    only_respondents: bool,
) -> Option<Dataset> {
    (!only_respondents).then(|| Dataset {
        errors: vec![DataError::file(crate::messages::data::no_spreadsheets())],
        ..Dataset::default()
    })
}

#[cfg(feature = "respondents")]
/// Calls `f` with the rows of the first sheet with data of a spreadsheet: XLSX cell by cell
/// from the open workbook, after the zip checks (`check`); XLS and ODS read whole.
#[cfg(feature = "spreadsheets")]
fn with_sheet_rows<T>(
    bytes: &[u8],
    check: bool,
    keep: &read::KeepColumns,
    f: &mut dyn FnMut(read::NextRow) -> T,
) -> Result<T, crate::messages::Message> {
    use crate::messages::data as dmsg;
    if let Some(rows) = crate::data::xls_or_ods_rows(bytes)? {
        let mut rows = rows.into_iter();
        return Ok(f(&mut || Ok(rows.next())));
    }
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| dmsg::spreadsheet_unopenable(&e.to_string(), false))?;
    if archive.index_for_name("xl/workbook.bin").is_some() {
        return Err(dmsg::xlsb());
    }
    if check {
        crate::data::check_zip(bytes)?;
    }
    read::with_xlsx_rows(bytes, keep, |rows| f(rows))
}

/// A unit's statistics for metric `k`, when the metric is a survey index.
pub(crate) fn estimate(set: &RuleSet, unit: &Unit, k: usize) -> Option<stats::Estimate> {
    let survey = set.survey.as_ref()?;
    let link = survey.metric_links.get(k)?.as_ref()?;
    let q = &survey.questions[link.question];
    let values: Vec<f64> = link
        .values
        .iter()
        .map(|v| rust_decimal::prelude::ToPrimitive::to_f64(v).unwrap_or(0.0))
        .collect();
    let strata: Vec<(Option<f64>, stats::Cell)> = match &unit.survey {
        Some(sample) => {
            let tally = sample.questions.get(link.question)?;
            let shares: Vec<Option<f64>> = match &survey.strata {
                Some(st) => st
                    .cells
                    .iter()
                    .map(|(_, p)| rust_decimal::prelude::ToPrimitive::to_f64(p))
                    .collect(),
                None => vec![None],
            };
            shares
                .into_iter()
                .zip(tally.cells.iter().cloned())
                .collect()
        }
        None => {
            // A file of counts per unit: the counts as they are, unweighted.
            let n: Vec<f64> = q
                .counts
                .iter()
                .map(|f| {
                    unit.values[*f]
                        .number()
                        .and_then(|d| rust_decimal::prelude::ToPrimitive::to_f64(&d))
                        .unwrap_or(0.0)
                        .max(0.0)
                })
                .collect();
            vec![(
                None,
                stats::Cell {
                    w: n.clone(),
                    w2: n.clone(),
                    n,
                },
            )]
        }
    };
    Some(stats::estimate(&strata, &values, link.share))
}

/// Whether any of a unit's survey indices has fewer valid answers than the survey's minimum.
pub(crate) fn is_short(set: &RuleSet, unit: &Unit) -> bool {
    let Some(min) = set.survey.as_ref().and_then(|s| s.min_sample) else {
        return false;
    };
    (0..set.metrics.len()).any(|k| estimate(set, unit, k).is_some_and(|e| e.n < min))
}

/// A file of counts per unit, for a rule set with a survey: each question's counts (with
/// those left out of the base) must add up to the unit's sample size (`sample`), or the unit
/// is left out with an error; the short-sample flag (`short`) is set.
pub(crate) fn check_counts(set: &RuleSet, dataset: &mut Dataset) {
    if set.survey.is_none() {
        return;
    }
    let mut errors = Vec::new();
    dataset.units.retain_mut(|unit| {
        let found = check_unit(set, unit);
        let ok = found.is_empty();
        errors.extend(found);
        ok
    });
    if !errors.is_empty() {
        dataset.errors.extend(errors);
        dataset.errors.sort_by_key(|e| e.row);
    }
}

/// One unit of a file of counts (see [`check_counts`]): the errors that leave it out, none
/// when its counts add up (its short-sample flag is then set).
pub(crate) fn check_unit(set: &RuleSet, unit: &mut Unit) -> Vec<DataError> {
    let Some(survey) = &set.survey else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    if let Some(sf) = survey.sample {
        if let Some(sample) = unit.values[sf].number() {
            for q in &survey.questions {
                let mut parts = Vec::new();
                let mut total = rust_decimal::Decimal::ZERO;
                for f in q.counts.iter().chain(q.excluded_count.iter()) {
                    let v = unit.values[*f].number().unwrap_or_default();
                    total += v;
                    parts.push((set.fields[*f].label.to_string(), v.normalize().to_string()));
                }
                if total != sample {
                    let mut e = DataError::at(
                        unit.row,
                        0,
                        None,
                        crate::messages::survey::counts_do_not_add_up(
                            &q.id,
                            &parts,
                            &total.normalize().to_string(),
                            &set.fields[sf].label,
                            &sample.normalize().to_string(),
                        ),
                    );
                    e.unit = Some(unit.values[set.id_field].display());
                    e.unit_name = set.name_field.map(|f| unit.values[f].display());
                    errors.push(e);
                }
            }
        }
    }
    if errors.is_empty() {
        if let Some(f) = survey.short {
            unit.values[f] = Value::Bool(is_short(set, unit));
        }
    }
    errors
}
