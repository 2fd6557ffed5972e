//! Writing results (输出) as a user of the crate does: a [`Report`] as JSON, a terminal table,
//! CSV or a workbook, and a streamed run's units one at a time ([`UnitWriter`]). The writers
//! themselves are `crate::output`'s, which the CLI and the JS API share; the same report gives
//! the same bytes everywhere.

use crate::batch::UnitScore;
use crate::cohort::Tally;
use crate::compile::Rules;
use crate::data::Unit;
use crate::messages::Message;
use crate::output;
use crate::previous::Previous;
use crate::result::Report;
use std::io::Write;

impl Report {
    /// The result as pretty JSON in the documented schema (README, "The result"), as
    /// `kaohe assess --format json` prints it (without the provenance the CLI adds).
    ///
    /// ```
    /// let b = kaohe::bundled::default_set();
    /// let (report, _) = kaohe::assess(b.rules_path, b.rules, b.data_path, b.data.unwrap_or_default(), None, false)
    ///     .map_err(|e| e.to_string())?;
    /// let json: serde_json::Value = serde_json::from_str(&report.to_json()).map_err(|e| e.to_string())?;
    /// assert_eq!(json["schema"], "kaohe-result");
    /// assert!(report.to_table().starts_with(&report.rule_set.title));
    /// assert!(report.to_csv().lines().count() > report.units.len());
    /// # Ok::<(), String>(())
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        output::json(self)
    }

    /// The same JSON as [`Report::to_json`], with its closing newline, written straight to `w`:
    /// a large result is never held twice.
    pub fn write_json(&self, w: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(w, self)
    }

    /// The result as JSON Lines (`--format jsonl`): one unit per line in input order, schema
    /// `kaohe-unit` — what a batch run of the same units writes, with the metrics and state
    /// only a report has.
    pub fn write_json_lines(&self, w: &mut dyn Write) -> std::io::Result<()> {
        output::write_json_lines(w, self)
    }

    /// A ranked table for a terminal (aligned by display width, one block per cohort), as
    /// `kaohe assess` prints it.
    #[must_use]
    pub fn to_table(&self) -> String {
        output::table(self)
    }

    /// The result as CSV: one row per unit, with a column per metric and per item's points;
    /// cells Excel would run as formulas are written after a `'`. No byte-order mark: put
    /// `\u{feff}` first for Excel to read it as UTF-8.
    #[must_use]
    pub fn to_csv(&self) -> String {
        output::csv(self)
    }

    /// The result as an XLSX workbook: 考核结果 (one row per unit), 计分明细 (every item's
    /// points and reasons) and 分组统计, numbers with their published decimals. Without the
    /// `spreadsheets` feature, or when the writer fails, the error is C0011.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, Message> {
        output::xlsx(self).map_err(|e| crate::messages::cli::cannot_build_workbook(&e))
    }
}

/// Results written one unit at a time (逐个单位输出), in the order they are given, for a
/// streamed run ([`Tally`]): CSV with the columns and cells a report's CSV of the same units
/// has ([`Report::to_csv`], metrics and state aside), or JSON Lines, one object per unit.
///
/// ```
/// let b = kaohe::bundled::default_set();
/// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
/// let data = kaohe::read(&rules, b.data_path, b.data.unwrap_or_default());
/// // First pass: each unit's standing; then ranks and grades.
/// let mut tally = rules.tally();
/// for unit in &data.units {
///     tally.add(unit);
/// }
/// tally.place().map_err(|e| e.to_string())?;
/// // Second pass, over the same units in the same order: each unit's result, written at once.
/// let mut out = kaohe::UnitWriter::csv(&tally, Vec::new()).map_err(|e| e.to_string())?;
/// for (i, unit) in data.units.iter().enumerate() {
///     let score = tally.score(i, unit).map_err(|e| e.to_string())?;
///     out.write(unit, tally.cohort(i).unwrap_or_default(), &score).map_err(|e| e.to_string())?;
/// }
/// let csv = out.into_inner().unwrap_or_default();
/// assert_eq!(csv.iter().filter(|b| **b == b'\n').count(), data.units.len() + 1);
/// # Ok::<(), String>(())
/// ```
pub struct UnitWriter<'r, W: Write> {
    inner: output::UnitWriter<'r, W>,
}

impl<'r, W: Write> UnitWriter<'r, W> {
    /// A CSV writer for the units of a placed [`Tally`] (after [`Tally::place`]): the columns a
    /// report's CSV of the same units has (上期得分 and 分差 against the tally's previous
    /// period, 备注, the items some unit is assessed on). Writes the header row at once.
    pub fn csv(tally: &Tally<'r>, out: W) -> std::io::Result<Self> {
        let rules = tally.rules();
        let inner = output::UnitWriter::csv(&rules.set, tally.columns(), tally.previous(), out)?;
        Ok(Self { inner })
    }

    /// A JSON Lines writer, against the previous period if any: one object per unit, schema
    /// `kaohe-unit` (`docs/schema/unit.schema.json`) — the fields of the JSON result's unit
    /// without the explanation, the same names with the same values.
    pub fn json_lines(rules: &'r Rules, previous: Option<&'r Previous>, out: W) -> Self {
        Self {
            inner: output::UnitWriter::json_lines(&rules.set, previous, out),
        }
    }

    /// Writes one unit's result: its data, its cohort's name ([`Tally::cohort`]) and its score.
    pub fn write(&mut self, unit: &Unit, cohort: &str, score: &UnitScore) -> std::io::Result<()> {
        self.inner.write(unit, cohort, score)
    }

    /// Flushes what is written and gives back the CSV's writer (`None` for JSON Lines).
    pub fn into_inner(self) -> Option<W> {
        self.inner.into_inner()
    }

    /// Gives back the JSON Lines writer (`None` for CSV).
    pub fn into_lines(self) -> Option<W> {
        self.inner.into_lines()
    }

    /// Flushes what is buffered.
    pub fn finish(self) -> std::io::Result<()> {
        self.inner.finish()
    }
}
