//! A scoring job from data to a written result (考核任务): where the units come from, the output
//! format, the previous period, whether rows with errors are left out (`keep_going`), and the
//! sink — with the run policy the command line, the JS API and the examples share: which path
//! scores the units (a streamed file in two passes, the batch path for output that prints no
//! explanation — CSV, JSON Lines, the table — the explained report otherwise), the units left out kept on record, the
//! provenance, the byte-order mark of a CSV file.
//!
//! A job runs in two steps so that nothing is written before every problem is known:
//! [`Job::run`] reads and scores (every data error, every rule failure, before any output), then
//! [`Scored::write`] writes the result to any sink — a file written whole or not at all is the
//! caller's (the CLI writes into a temporary file and renames it).

use crate::compile::Rules;
use crate::data::{self, Dataset};
use crate::error::{DataError, DataErrors, Error};
use crate::messages::Text;
use crate::output;
use crate::previous::Previous;
use crate::provenance::Provenance;
use crate::result::Report;
use std::io::Write;

/// What a job writes (输出格式).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// A ranked table for a terminal, one block per cohort, then the units left out for data
    /// errors and the provenance line (`kaohe assess`). Not in the WASM build, which has no
    /// terminal (and so carries no table of character widths).
    #[cfg(not(target_arch = "wasm32"))]
    Table,
    /// CSV, one line per unit with a column per item's points (`--format csv`).
    Csv,
    /// The JSON result with every unit's explanation (计分明细) and the provenance.
    Json,
    /// JSON Lines: one `kaohe-unit` line per unit, in input order (`--format jsonl`). Not in the
    /// WASM build: the JS API's batch handle (`Scores.unit(i)`) gives each unit's line.
    #[cfg(not(target_arch = "wasm32"))]
    JsonLines,
    /// An XLSX workbook: 考核结果, 计分明细, 分组统计 (feature `spreadsheets`).
    Xlsx,
}

impl Output {
    /// Whether the output carries every unit's explanation (计分明细): JSON, JSON Lines' report
    /// lines and the workbook do; a table and CSV do not.
    fn explains(self) -> bool {
        match self {
            Self::Json | Self::Xlsx => true,
            #[cfg(not(target_arch = "wasm32"))]
            Self::JsonLines => true,
            _ => false,
        }
    }
}

/// Whether a data file is streamed in two passes with bounded memory (分两遍流式读取).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Streaming {
    /// A CSV / JSON Lines file streams when the output is JSON Lines, or CSV for a file over
    /// 64 MiB, and the rule set can be answered one unit at a time.
    #[default]
    Auto,
    /// Streams whenever the file and the output allow it (a CSV / JSON Lines file written as
    /// CSV or JSON Lines) and the rule set can be answered one unit at a time; why the rule set
    /// cannot is [`Scored::not_streamed`].
    Always,
    /// Never streams: the units are read whole.
    Never,
}

/// Files over this size stream by themselves (64 MiB: about half a million rows).
#[cfg(not(target_arch = "wasm32"))]
pub const LARGE_INPUT: u64 = 64 << 20;

/// Where a job's units come from (数据来源).
#[derive(Debug)]
#[non_exhaustive]
pub enum Source<'a> {
    /// A data file's bytes and its name: the name's extension and the first bytes tell CSV,
    /// JSON, JSON Lines and workbooks apart; the text encoding is found without being told.
    Bytes {
        /// The file's name, as messages show it.
        name: &'a str,
        /// Its contents.
        bytes: &'a [u8],
    },
    /// A data file on disk: read whole, or streamed in two passes (see [`Streaming`]).
    #[cfg(not(target_arch = "wasm32"))]
    File(&'a std::path::Path),
    /// Units already read (returned forms merged, a survey's respondents tallied).
    Read {
        /// The units and the problems found reading them.
        data: Dataset,
        /// SHA-256 (hex) of each file they were read from, for the provenance.
        sha256: Vec<String>,
    },
}

/// A job (考核任务): a rule set, a source of units and how to write the result. Built with its
/// setters, then [`Job::run`].
///
/// ```
/// let b = kaohe::bundled::default_set();
/// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
/// let source = kaohe::Source::Bytes { name: b.data_path, bytes: b.data.unwrap_or_default() };
/// let mut scored = kaohe::Job::new(&rules, source)
///     .output(kaohe::Output::Csv)
///     .run()
///     .map_err(|e| e.to_string())?;
/// let mut csv = Vec::new();
/// scored.write(&mut csv).map_err(|e| e.to_string())?;
/// assert!(String::from_utf8_lossy(&csv).starts_with("名次,"));
/// # Ok::<(), String>(())
/// ```
pub struct Job<'a> {
    rules: &'a Rules,
    source: Source<'a>,
    output: Output,
    previous: Option<&'a Previous>,
    keep_going: bool,
    streaming: Streaming,
    periods: Option<&'a [&'a [u8]]>,
    byte_order_mark: bool,
    progress: Option<&'a mut dyn FnMut(u64, u64)>,
}

impl std::fmt::Debug for Job<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("rule_set", &self.rules.id())
            .field("source", &self.source)
            .field("output", &self.output)
            .field("keep_going", &self.keep_going)
            .field("streaming", &self.streaming)
            .finish_non_exhaustive()
    }
}

impl<'a> Job<'a> {
    /// A job scoring `source` by `rules`, writing the JSON result, without a previous period;
    /// data errors stop it.
    #[must_use]
    pub fn new(rules: &'a Rules, source: Source<'a>) -> Self {
        Self {
            rules,
            source,
            output: Output::Json,
            previous: None,
            keep_going: false,
            streaming: Streaming::Auto,
            periods: None,
            byte_order_mark: false,
            progress: None,
        }
    }

    /// The format to write.
    #[must_use]
    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// The previous period's result (上期结果): 名次变化, 上期得分, 分差 and the rules that read it.
    #[must_use]
    pub fn previous(mut self, previous: Option<&'a Previous>) -> Self {
        self.previous = previous;
        self
    }

    /// Leave out the rows with data errors and score the rest (they stay on record: the
    /// result's `data_errors`, the table's 未参加计分 lines). Without it a data error stops
    /// the job — as it does when no row is left.
    #[must_use]
    pub fn keep_going(mut self, yes: bool) -> Self {
        self.keep_going = yes;
        self
    }

    /// Whether a file streams (default [`Streaming::Auto`]).
    #[must_use]
    pub fn streaming(mut self, streaming: Streaming) -> Self {
        self.streaming = streaming;
        self
    }

    /// Put the provenance (来源) in the result — kaohe's version, the SHA-256 of the rules,
    /// the data and of `periods` (the previous period's result text last, earlier ones before
    /// it), the parameters — in the JSON, the workbook and the table's footer.
    #[must_use]
    pub fn provenance(mut self, periods: &'a [&'a [u8]]) -> Self {
        self.periods = Some(periods);
        self
    }

    /// Start a CSV with a byte-order mark, as Excel needs to read UTF-8 (for a file; not for
    /// a pipe).
    #[must_use]
    pub fn byte_order_mark(mut self, yes: bool) -> Self {
        self.byte_order_mark = yes;
        self
    }

    /// Told how far a streamed file is, now and then: `(units, bytes)` done, each pass counting
    /// half.
    #[must_use]
    pub fn progress(mut self, report: &'a mut dyn FnMut(u64, u64)) -> Self {
        self.progress = Some(report);
        self
    }

    /// Reads and scores the units: every data error and every rule failure comes out here,
    /// before anything is written. A streamed file is read once here (standings, ranks,
    /// grades) and once more by [`Scored::write`].
    ///
    /// # Errors
    /// [`Error::Data`] for data errors (unless `keep_going` and some row is good),
    /// [`Error::Eval`] for a rule failing, [`Error::Io`] for a file that cannot be read,
    /// [`Error::Workbook`] for a workbook that cannot be written.
    pub fn run(self) -> Result<Scored<'a>, Error> {
        #[cfg(not(target_arch = "wasm32"))]
        if let Source::File(path) = self.source {
            return match self.stream_check(path)? {
                Ok(()) => self.first_pass(path),
                Err(why) => {
                    let mut scored = self.read_whole()?;
                    scored.not_streamed = why;
                    Ok(scored)
                }
            };
        }
        self.read_whole()
    }

    /// Whether [`Job::run`] will stream the file in two passes (a caller may say so first).
    #[must_use]
    pub fn will_stream(&self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        if let Source::File(path) = self.source {
            return matches!(self.stream_check(path), Ok(Ok(())));
        }
        false
    }

    /// `Ok(Ok(()))` when `path` is to be streamed; else, when streaming was asked for
    /// ([`Streaming::Always`]) and the rule set cannot be, why not.
    #[cfg(not(target_arch = "wasm32"))]
    fn stream_check(&self, path: &std::path::Path) -> Result<Result<(), Option<Text>>, Error> {
        let written_by_unit = matches!(self.output, Output::Csv | Output::JsonLines);
        let wanted = match self.streaming {
            Streaming::Never => false,
            Streaming::Always => true,
            Streaming::Auto => {
                matches!(self.output, Output::JsonLines)
                    || std::fs::metadata(path).is_ok_and(|m| m.len() > LARGE_INPUT)
            }
        };
        if !(wanted && written_by_unit) {
            return Ok(Err(None));
        }
        if let Err(why) = self.rules.streamable() {
            return Ok(Err((self.streaming == Streaming::Always).then_some(why)));
        }
        let file = std::fs::File::open(path).map_err(Error::Io)?;
        let name = path.display().to_string();
        let format = data::UnitStream::new(self.rules, &name, file).format();
        Ok(if format.streams() { Ok(()) } else { Err(None) })
    }

    /// The first pass over a streamed file: each unit's standing; then ranks and grades.
    #[cfg(not(target_arch = "wasm32"))]
    fn first_pass(mut self, path: &'a std::path::Path) -> Result<Scored<'a>, Error> {
        let set = &self.rules.set;
        let mut tally = self.rules.tally();
        if let Some(p) = self.previous {
            tally = tally.against(p);
        }
        let mut errors = data::ErrorLog::default();
        let mut units = data::open(set, path).map_err(Error::Io)?;
        let mut seen = 0u64;
        while let Some(item) = units.next() {
            match item {
                Ok(unit) => tally.add(&unit),
                Err(e) => errors.push(e),
            }
            seen += 1;
            if seen.is_multiple_of(4096) {
                if let Some(report) = self.progress.as_mut() {
                    report(seen / 2, units.bytes_read() / 2);
                }
            }
        }
        if let Some(e) = units.io_error() {
            return Err(Error::Io(std::io::Error::new(e.kind(), e.to_string())));
        }
        stop_at(
            errors.kept.clone(),
            errors.omitted,
            self.keep_going && !tally.is_empty(),
        )?;
        tally.place()?;
        let bytes = units.total_bytes().unwrap_or(0);
        Ok(Scored {
            rules: self.rules,
            previous: self.previous,
            output: self.output,
            byte_order_mark: self.byte_order_mark,
            data_errors: errors.kept,
            errors_omitted: errors.omitted,
            respondents: None,
            not_streamed: None,
            held: Held::Bytes(Vec::new()),
            stream: Some(Box::new(SecondPass {
                tally,
                path,
                seen,
                bytes,
                progress: self.progress.take(),
            })),
        })
    }

    /// Reads the units whole, then scores them by the path the output needs.
    fn read_whole(self) -> Result<Scored<'a>, Error> {
        let (dataset, sha256) = match self.source {
            Source::Bytes { name, bytes } => (
                data::read(&self.rules.set, name, bytes),
                vec![crate::provenance::sha256_hex(bytes)],
            ),
            #[cfg(not(target_arch = "wasm32"))]
            Source::File(path) => {
                let bytes = std::fs::read(path).map_err(Error::Io)?;
                let name = path.display().to_string();
                (
                    data::read(&self.rules.set, &name, &bytes),
                    vec![crate::provenance::sha256_hex(&bytes)],
                )
            }
            Source::Read { data, sha256, .. } => (data, sha256),
        };
        stop_at(
            dataset.errors.clone(),
            dataset.errors_omitted,
            self.keep_going && !dataset.units.is_empty(),
        )?;
        let (rules, previous) = (self.rules, self.previous);
        let mut scored = Scored {
            rules,
            #[cfg(not(target_arch = "wasm32"))]
            previous,
            #[cfg(not(target_arch = "wasm32"))]
            stream: None,
            output: self.output,
            byte_order_mark: self.byte_order_mark,
            data_errors: Vec::new(),
            errors_omitted: dataset.errors_omitted,
            respondents: dataset.respondents,
            not_streamed: None,
            held: Held::Bytes(Vec::new()),
        };
        // JSON Lines through the batch path where a unit's line has nothing only a report has
        // (metrics, a state); CSV where it has the report's columns. No report is built. (Not in
        // WASM, whose jobs write the JSON result: the code would only weigh on the page.)
        #[cfg(not(target_arch = "wasm32"))]
        if self.output == Output::JsonLines
            && rules.set.metrics.is_empty()
            && rules.set.state.is_none()
        {
            let scores = rules.score_batch_against(&dataset.units, previous)?;
            scored.data_errors = dataset.errors;
            scored.held = Held::Lines {
                units: dataset.units,
                scores,
            };
            return Ok(scored);
        }
        let provenance = self.periods.map(|periods| Provenance {
            data_sha256: sha256,
            ..Provenance::of(rules, &[], periods)
        });
        #[cfg(not(target_arch = "wasm32"))]
        if self.output == Output::Csv {
            if let Some(csv) = rules.csv_batch(&dataset.units, previous)? {
                scored.data_errors = dataset.errors;
                scored.held = Held::Bytes(csv);
                return Ok(scored);
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.output == Output::Table {
            if let Some(table) = rules.table_batch(&dataset.units, previous)? {
                scored.data_errors = dataset.errors;
                let left_out = scored
                    .respondents
                    .is_none()
                    .then_some(&scored.data_errors[..]);
                let text = with_footer(table, left_out, provenance.as_ref());
                scored.held = Held::Bytes(text.into_bytes());
                return Ok(scored);
            }
        }
        // A table and CSV print no explanation: the report without its words, built in a
        // fraction of the time and memory (JSON and XLSX's 计分明细 carry every reason).
        let mut report = if self.output.explains() {
            rules.assess(&dataset.units, previous)
        } else {
            rules.assess_unexplained(&dataset.units, previous)
        }?;
        report.data_errors.clone_from(&dataset.errors);
        report.provenance = provenance;
        scored.data_errors = dataset.errors;
        scored.held = match self.output {
            Output::Xlsx => Held::Workbook {
                bytes: output::xlsx(&report).map_err(Error::Workbook)?,
                report: Box::new(report),
            },
            _ => Held::Report(Box::new(report)),
        };
        Ok(scored)
    }
}

/// Stops at data errors unless the good rows go on.
fn stop_at(errors: Vec<DataError>, omitted: usize, go_on: bool) -> Result<(), Error> {
    if (errors.is_empty() && omitted == 0) || go_on {
        return Ok(());
    }
    Err(Error::Data(DataErrors { errors, omitted }))
}

/// A table with, after it, the units `left_out` for data errors (none for a respondents' file:
/// its rows are respondents, not units, and the survey's summary counts them) and the
/// provenance line.
#[cfg(not(target_arch = "wasm32"))]
fn with_footer(
    mut text: String,
    left_out: Option<&[DataError]>,
    provenance: Option<&Provenance>,
) -> String {
    if let Some(errors) = left_out {
        text += &output::left_out(errors);
    }
    if let Some(p) = provenance {
        text += &format!("\n{}\n", p.line());
    }
    text
}

/// A job read and scored, to be written ([`Scored::write`]).
pub struct Scored<'a> {
    rules: &'a Rules,
    #[cfg(not(target_arch = "wasm32"))]
    previous: Option<&'a Previous>,
    /// A streamed file's second pass, to come.
    #[cfg(not(target_arch = "wasm32"))]
    stream: Option<Box<SecondPass<'a>>>,
    output: Output,
    byte_order_mark: bool,
    data_errors: Vec<DataError>,
    errors_omitted: usize,
    respondents: Option<crate::survey::RespondentSummary>,
    not_streamed: Option<Text>,
    held: Held,
}

impl std::fmt::Debug for Scored<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scored")
            .field("output", &self.output)
            .field("streamed", &self.streamed())
            .field("data_errors", &self.data_errors.len())
            .finish_non_exhaustive()
    }
}

/// What a scored job holds until it is written, by the path that scored it.
enum Held {
    /// The explained or unexplained report.
    Report(Box<Report>),
    /// A workbook, written when the job ran, and its report.
    Workbook { bytes: Vec<u8>, report: Box<Report> },
    /// A CSV written by the batch path.
    Bytes(Vec<u8>),
    /// Units and their batch scores, for JSON Lines.
    #[cfg(not(target_arch = "wasm32"))]
    Lines {
        units: Vec<crate::data::Unit>,
        scores: Vec<crate::batch::UnitScore>,
    },
}

/// A streamed file placed by its first pass: the second pass reads it again and writes it.
#[cfg(not(target_arch = "wasm32"))]
struct SecondPass<'a> {
    tally: crate::cohort::Tally<'a>,
    path: &'a std::path::Path,
    /// Units read by the first pass (for the progress).
    seen: u64,
    /// The file's size.
    bytes: u64,
    progress: Option<&'a mut dyn FnMut(u64, u64)>,
}

impl<'a> Scored<'a> {
    /// The rules the units were scored by.
    #[must_use]
    pub fn rules(&self) -> &'a Rules {
        self.rules
    }

    /// The rows left out for data errors (with `keep_going`), in file order: the first of
    /// each column, see [`Scored::errors_omitted`].
    #[must_use]
    pub fn data_errors(&self) -> &[DataError] {
        &self.data_errors
    }

    /// How many more data errors were found than [`Scored::data_errors`] lists.
    #[must_use]
    pub fn errors_omitted(&self) -> usize {
        self.errors_omitted
    }

    /// Whether the file is streamed in two passes (its units are written in input order).
    #[must_use]
    pub fn streamed(&self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        if self.stream.is_some() {
            return true;
        }
        false
    }

    /// Why a file that was to stream ([`Streaming::Always`]) was read whole instead; `None`
    /// when it streamed or was not asked to.
    #[must_use]
    pub fn not_streamed(&self) -> Option<&Text> {
        self.not_streamed.as_ref()
    }

    /// For a respondents' file: how many respondents were read, counted and tallied.
    #[must_use]
    pub fn respondents(&self) -> Option<&crate::survey::RespondentSummary> {
        self.respondents.as_ref()
    }

    /// The report, when the output needed one: JSON and a workbook; a table, CSV or JSON Lines
    /// only for a rule set whose metrics or state only a report has (otherwise they are written
    /// from the batch path, without one).
    #[must_use]
    pub fn report(&self) -> Option<&Report> {
        match &self.held {
            Held::Report(report) | Held::Workbook { report, .. } => Some(report),
            _ => None,
        }
    }

    /// The report, taken out (see [`Scored::report`]).
    #[must_use]
    pub fn into_report(self) -> Option<Report> {
        match self.held {
            Held::Report(report) | Held::Workbook { report, .. } => Some(*report),
            _ => None,
        }
    }

    /// Writes the result to `w`. A streamed file is read a second time, each unit written as
    /// it comes.
    ///
    /// # Errors
    /// Whatever `w` fails with; for a streamed file, a rule failing on the second pass.
    pub fn write(&mut self, w: &mut dyn Write) -> std::io::Result<()> {
        if self.byte_order_mark && self.output == Output::Csv {
            w.write_all(b"\xEF\xBB\xBF")?;
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(pass) = self.stream.as_deref_mut() {
            return pass.write(self.output, self.previous, w);
        }
        match &mut self.held {
            Held::Bytes(bytes) | Held::Workbook { bytes, .. } => w.write_all(bytes),
            #[cfg(not(target_arch = "wasm32"))]
            Held::Lines { units, scores } => {
                let set = &self.rules.set;
                let mut writer = output::UnitWriter::json_lines(set, self.previous, w);
                for (unit, score) in units.iter().zip(scores.iter()) {
                    writer.write(unit, &set.cohort_of(unit), score)?;
                }
                writer.finish()
            }
            Held::Report(report) => {
                let text = match self.output {
                    Output::Json => return output::write_json(w, report),
                    #[cfg(not(target_arch = "wasm32"))]
                    Output::JsonLines => return output::write_json_lines(w, report),
                    // A workbook is held as its bytes.
                    Output::Csv | Output::Xlsx => output::csv(report),
                    #[cfg(not(target_arch = "wasm32"))]
                    Output::Table => with_footer(
                        output::table(report),
                        self.respondents.is_none().then_some(&self.data_errors[..]),
                        report.provenance.as_ref(),
                    ),
                };
                w.write_all(text.as_bytes())
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl SecondPass<'_> {
    /// Reads the file again and writes each unit as it comes, with its place from the first
    /// pass.
    fn write(
        &mut self,
        output: Output,
        previous: Option<&Previous>,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        let (tally, path) = (&self.tally, self.path);
        let set = &tally.rules().set;
        // The file again: say which, should it be gone since the first pass.
        let mut units = data::open(set, path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let mut writer = match output {
            Output::JsonLines => output::UnitWriter::json_lines(set, previous, w),
            _ => output::UnitWriter::csv(set, tally.columns(), previous, w)?,
        };
        let mut i = 0usize;
        while let Some(item) = units.next() {
            // The reader is deterministic: the same rows are good in both passes.
            let Ok(unit) = item else { continue };
            let score = tally.score(i, &unit).map_err(std::io::Error::other)?;
            writer.write(&unit, tally.cohort(i).unwrap_or_default(), &score)?;
            i += 1;
            if i.is_multiple_of(4096) {
                if let Some(report) = self.progress.as_mut() {
                    report(
                        self.seen / 2 + i as u64 / 2,
                        self.bytes / 2 + units.bytes_read() / 2,
                    );
                }
            }
        }
        if let Some(e) = units.io_error() {
            return Err(std::io::Error::new(e.kind(), e.to_string()));
        }
        writer.finish()
    }
}
