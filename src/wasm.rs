//! The JavaScript API (wasm32 only): JSON-in, JSON-out functions over the same types the CLI
//! prints, so a result in the browser is byte-identical to `kaohe assess --format json`.
//! Nothing here throws: failures come back as data. `www/kaohe.js` wraps these raw exports in
//! a typed API (`pkg/kaohe.d.ts`).
//!
//! For batch jobs (批量评分) data is read once into a [`Units`] handle and scored any number of
//! times into a [`Scores`] handle; both stay in WASM memory, so only what the caller asks for
//! (the count, a compact CSV) crosses into JavaScript.

#[cfg(feature = "spreadsheets")]
use crate::cases::{self, SuiteReport};
use crate::error::{DataError, RuleError};
use crate::view::{ItemColumns, UnitView};
use crate::{bundled, data, output, Previous, Report, Rules, Unit, UnitScore};
use serde::Serialize;
use std::borrow::Cow;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen::prelude::*;

/// Every allocation is counted, so the rule sandbox can stop a script that takes too much
/// memory with an error instead of aborting the module.
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Bytes the module holds now, for the sandbox's memory budget.
pub(crate) fn allocated() -> usize {
    ALLOCATOR.allocated()
}

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: the sandbox's clock, monotonic (`std::time::Instant` is not there
    /// on wasm32), in pages, workers and Node alike.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn js_performance_now() -> f64;
}

/// Milliseconds on a monotonic clock, for the sandbox's time budget.
pub(crate) fn clock_millis() -> f64 {
    js_performance_now()
}

/// Reads a data file; errors past the cap per column (`data::ErrorLog`) are counted in one
/// last error, so the page says how many it does not list.
fn read_data(set: &crate::model::RuleSet, file_name: &str, bytes: &[u8]) -> data::Dataset {
    let mut ds = data::read(set, file_name, bytes);
    ds.errors = counted(std::mem::take(&mut ds.errors), ds.errors_omitted);
    ds
}

/// Data errors with, when more were found than listed, a last one that counts them.
fn counted(mut errors: Vec<DataError>, omitted: usize) -> Vec<DataError> {
    if omitted > 0 {
        errors.push(DataError::file(crate::messages::data::more_not_shown(
            omitted,
            data::MAX_ERRORS_PER_COLUMN,
            data::MAX_ERRORS,
        )));
    }
    errors
}

/// Runs a job that writes the JSON result, as `kaohe assess --format json` does, for the JS
/// API's `assess`: the result's text (without the final newline) and its report, or the stage
/// that stopped it and its errors. The data errors come back counted (see [`counted`]).
fn json_job(job: crate::Job<'_>, left_out: &[DataError]) -> Assessment {
    let mut scored = match job.run() {
        Ok(scored) => scored,
        Err(crate::Error::Data(d)) => {
            let errors = counted(d.errors, d.omitted);
            return Assessment::failed("data", to_json(&errors), errors);
        }
        Err(crate::Error::Eval(e)) => {
            return Assessment::failed("eval", to_json(&e.0), left_out.to_vec())
        }
        // Units already read, JSON written: nothing else stops it (no file is read, no workbook
        // written). Said in fixed words: the errors' text in every language would weigh on the
        // page for a case that does not come.
        Err(_) => {
            let errors = r#"[{"message":"评分未能完成","en":{"message":"the assessment could not finish"}}]"#;
            return Assessment::failed("eval", errors.into(), left_out.to_vec());
        }
    };
    let mut json = Vec::new();
    // Writing into memory does not fail.
    let _ = scored.write(&mut json);
    if json.last() == Some(&b'\n') {
        json.pop();
    }
    Assessment {
        report_json: String::from_utf8(json).unwrap_or_default(),
        stage: String::new(),
        errors_json: "[]".into(),
        data_errors: counted(scored.data_errors().to_vec(), scored.errors_omitted()),
        report: scored.into_report(),
        encoding: String::new(),
        ignored: Vec::new(),
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| {
        format!("{{\"type\":\"failure\",\"errors\":[{{\"message\":\"{e}\"}}]}}")
    })
}

/// Grows WASM memory for a batch in one step. The allocator grows linear memory only by what
/// each allocation lacks (64 KiB pages), and every `memory.grow` costs V8 about a millisecond:
/// measured in Node 20, the first `scoreBatch` of 100k units spent 1.4 of its 2.1 s growing
/// memory 80 MB a page at a time (a later run, in memory already grown, took 0.63 s). A block
/// of the batch's size, allocated and freed at once, leaves the memory in the allocator's free
/// top chunk, where the batch's small allocations are then carved from. Best effort: when the
/// block cannot be had, memory grows as it would have.
fn reserve_heap(bytes: usize) {
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(bytes).is_ok() {
        // Kept opaque, so that the allocation is not optimised away with its free.
        drop(std::hint::black_box(block));
    }
}

/// At least what an explained report takes per unit and item, with its JSON text: reasons, the
/// data they read and the item's wording (about 2.7 KB for the county rule set, measured: 808 MB
/// of WASM memory for 10k units of 30 items). Reserved before `assess`, a first report of 10k
/// units in Node 20 took 4.2 and 5.5 s instead of 6.1 and 8.3 s (two runs each); at 1000 units
/// no difference was measurable.
const REPORT_BYTES_PER_ITEM: usize = 2048;

/// About what one loaded unit takes in WASM memory: its values, its row and the text cells'
/// own bytes (about 930 B for the county rule set's 30 fields, measured).
fn unit_bytes(fields: usize) -> usize {
    std::mem::size_of::<Unit>() + fields * (std::mem::size_of::<crate::model::Value>() + 8)
}

/// About what one unit's batch result takes while it is scored and kept: its points per item
/// and the row around them (about 800 B for the county rule set, measured).
fn score_bytes(items: usize) -> usize {
    std::mem::size_of::<UnitScore>()
        + items * std::mem::size_of::<Option<rust_decimal::Decimal>>()
        + 64
}

/// The version of the kaohe crate.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Whether this build reads spreadsheets and writes XLSX workbooks (the `spreadsheets`
/// feature). The web app's engine module is built without; `www/kaohe.js` then fetches the
/// full module when a spreadsheet is read or a workbook written.
#[wasm_bindgen]
pub fn spreadsheets() -> bool {
    cfg!(feature = "spreadsheets")
}

/// Whether data named `file_name` starting with `first_bytes` is a spreadsheet (XLSX, XLS,
/// ODS), by the same rule as reading it.
#[wasm_bindgen(js_name = isSpreadsheet)]
pub fn is_spreadsheet(file_name: &str, first_bytes: &[u8]) -> bool {
    data::Format::detect(file_name, first_bytes) == data::Format::Spreadsheet
}

/// The bundled rule sets, as JSON: `[{id, title, rulesPath, rules, dataPath, data, cases}]`,
/// with the sample data decoded to text.
#[wasm_bindgen(js_name = bundledJson)]
pub fn bundled_json() -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        id: &'static str,
        title: String,
        rules_path: &'static str,
        rules: &'static str,
        data_path: &'static str,
        data: Option<String>,
        /// The sample data is in the full module (see [`bundled::Bundled::samples_elsewhere`]).
        data_in_full: bool,
        cases: Option<&'static str>,
    }
    let list: Vec<Entry> = bundled::ALL
        .iter()
        .map(|b| Entry {
            id: b.id,
            title: Rules::compile(b.rules_path, b.rules)
                .map(|r| r.set.title)
                .unwrap_or_else(|_| b.id.to_string()),
            rules_path: b.rules_path,
            rules: b.rules,
            data_path: b.data_path,
            data: b.data.map(|d| data::decode(d).0),
            data_in_full: b.samples_elsewhere,
            cases: b.cases,
        })
        .collect();
    to_json(&list)
}

/// A compiled rule set, or the errors that kept it from compiling.
#[wasm_bindgen]
pub struct Compiled {
    rules: Result<Rules, Vec<RuleError>>,
    /// Tells this rule set's [`Units`] from another's: units hold values in a rule set's own
    /// field order.
    id: u32,
}

/// The next [`Compiled::id`].
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

thread_local! {
    /// The files beside the rules (规则附表), by the path the script writes: what the page
    /// loaded with the rule set.
    static RULE_FILES: std::cell::RefCell<std::collections::HashMap<String, Vec<u8>>> =
        std::cell::RefCell::default();
}

/// Sets the files beside the rules for every compile that follows (规则附表: a decision table's
/// workbook): `files_json` is `[[path, length], …]` and `files_bytes` their bytes one after
/// another; `"[]"` for none. A workbook is read only in the module with spreadsheet support.
#[wasm_bindgen(js_name = setRuleFiles)]
pub fn set_rule_files(files_json: &str, files_bytes: &[u8]) {
    let lengths: Vec<(String, usize)> = serde_json::from_str(files_json).unwrap_or_default();
    let mut files = std::collections::HashMap::new();
    let mut at = 0usize;
    for (path, len) in lengths {
        let end = at.saturating_add(len).min(files_bytes.len());
        files.insert(path, files_bytes[at.min(end)..end].to_vec());
        at = end;
    }
    RULE_FILES.with(|f| *f.borrow_mut() = files);
}

/// Compiles with the helper modules given and the files set by [`set_rule_files`].
fn compile_rules(
    name: &str,
    source: &str,
    modules: &[(String, String)],
) -> Result<Rules, crate::RuleErrors> {
    let files = RULE_FILES.with(|f| f.borrow().clone());
    Rules::compile_with_files(
        name,
        source,
        modules,
        Box::new(move |p| files.get(p).cloned()),
    )
}

/// The previous period from the JS API's `previous`: `""` for none, one `kaohe-result` text, or
/// a JSON array of such texts, oldest first (`--history`: the last is the previous period). With
/// each period's text, for the provenance (来源).
fn periods(previous: &str) -> Result<(Option<Previous>, Vec<String>), DataError> {
    let named = |mut err: DataError| {
        // The zh-CN words name the previous result (上期结果) already.
        err.message.en = format!("the previous result: {}", err.message.en);
        err
    };
    if previous.trim().is_empty() {
        return Ok((None, Vec::new()));
    }
    let Ok(texts) = serde_json::from_str::<Vec<String>>(previous) else {
        let p = Previous::from_json(previous).map_err(named)?;
        return Ok((Some(p), vec![previous.to_string()]));
    };
    let read: Result<Vec<Previous>, DataError> =
        texts.iter().map(|t| Previous::from_json(t)).collect();
    Ok((Previous::from_periods(read.map_err(named)?), texts))
}

#[wasm_bindgen]
impl Compiled {
    /// Compiles `source`, named `name` in messages; `modules_json` is `[[path, source], …]`
    /// for scripts that `import` helper modules (`"[]"` for none).
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, source: &str, modules_json: &str) -> Compiled {
        let modules: Vec<(String, String)> = serde_json::from_str(modules_json).unwrap_or_default();
        Compiled {
            rules: compile_rules(name, source, &modules).map_err(|e| e.0),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Whether it compiled.
    pub fn ok(&self) -> bool {
        self.rules.is_ok()
    }

    /// The compile errors as JSON: `[{location: {file, line, column}, message, help?}]`.
    #[wasm_bindgen(js_name = errorsJson)]
    pub fn errors_json(&self) -> String {
        match &self.rules {
            Ok(_) => "[]".into(),
            Err(e) => to_json(e),
        }
    }

    /// The warnings of a rule set that compiled, as JSON, in the errors' form (`[]` when it
    /// did not compile: its errors come first).
    #[wasm_bindgen(js_name = warningsJson)]
    pub fn warnings_json(&self) -> String {
        match &self.rules {
            Ok(r) => to_json(&r.warnings()),
            Err(_) => "[]".into(),
        }
    }

    /// What the rule set declares, as JSON: id, title, fields (name, label, aliases, type,
    /// required), indicators, vetoes, grade bands, consequences, metrics, and the 通报's
    /// issuing body, period and document number (`issuer`, `period`, `document`; null when not
    /// declared).
    #[wasm_bindgen(js_name = infoJson)]
    pub fn info_json(&self) -> String {
        let Ok(rules) = &self.rules else {
            return "null".into();
        };
        let set = &rules.set;
        let fields: Vec<serde_json::Value> = set
            .fields
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name, "label": f.label, "aliases": f.aliases,
                    "type": format!("{:?}", f.ty).to_lowercase(), "required": f.required && f.default.is_none(),
                })
            })
            .collect();
        let items: Vec<serde_json::Value> = set
            .items
            .iter()
            .map(|i| serde_json::json!({"id": i.id, "label": i.label, "category": i.category, "max": i.max, "kind": i.kind}))
            .chain(set.cohort_items.iter().map(|i| {
                serde_json::json!({"id": i.id, "label": i.label, "category": i.category, "max": i.max, "kind": "cohort"})
            }))
            .collect();
        to_json(&serde_json::json!({
            "id": set.id, "title": set.title, "max": set.max, "bonusMax": set.bonus_max,
            "base": (!set.base.is_zero()).then_some(set.base),
            "fields": fields, "items": items,
            "vetoes": set.vetoes.iter().map(|v| serde_json::json!({"id": v.id, "label": v.label})).collect::<Vec<_>>(),
            "grades": set.bands.iter().map(|b| b.name.clone()).collect::<Vec<_>>(),
            "params": set.params.iter().map(|p| serde_json::json!({"id": p.id, "label": p.label, "value": p.declared.normalize().to_string()})).collect::<Vec<_>>(),
            "consequences": set.consequences.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            "metrics": set.metrics.iter().map(|m| serde_json::json!({"id": m.id, "label": m.label})).collect::<Vec<_>>(),
            "survey": set.survey.is_some(),
            "issuer": set.publication.issuer, "period": set.publication.period, "document": set.publication.document,
        }))
    }

    /// Sets the parameters' values for the runs that follow (参数): `values_json` is an object
    /// `{"id or label": value}`; every parameter not in it takes its declared value again
    /// (`{}` puts all back). Returns the errors as JSON (`[]` when all were set); with any
    /// error, every parameter keeps its declared value.
    #[wasm_bindgen(js_name = setParamsJson)]
    pub fn set_params_json(&mut self, values_json: &str) -> String {
        let Ok(rules) = &mut self.rules else {
            return "[]".into();
        };
        rules.reset_params();
        let empty = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(values_json)
            .is_ok_and(|m| m.is_empty());
        if empty {
            return "[]".into();
        }
        match crate::params::read(rules, "params.json", values_json.as_bytes()) {
            Ok(values) => {
                rules.set_params(&values);
                "[]".into()
            }
            Err(errors) => to_json(&errors),
        }
    }

    /// Reads a parameter table (参数表: CSV, workbook or JSON) without applying it:
    /// `{"values": {"id": "value"}, "errors": [...]}`, the values by parameter id.
    #[wasm_bindgen(js_name = readParamsJson)]
    pub fn read_params_json(&self, file_name: &str, bytes: &[u8]) -> String {
        let Ok(rules) = &self.rules else {
            return self.errors_json();
        };
        let (values, errors) = match crate::params::read(rules, file_name, bytes) {
            Ok(values) => (values, Vec::new()),
            Err(errors) => (Vec::new(), errors),
        };
        let values: serde_json::Map<String, serde_json::Value> = values
            .iter()
            .filter_map(|v| {
                let p = rules.set.params.get(v.index)?;
                Some((p.id.to_string(), v.value.normalize().to_string().into()))
            })
            .collect();
        to_json(&serde_json::json!({ "values": values, "errors": errors }))
    }

    /// Scores data: `file_name` picks the format (.csv, .xlsx/.xls/.ods, .json; else sniffed),
    /// `previous_json` is last period's result text (`""` for none). With `keep_going`, rows
    /// with errors are left out and the rest still scored.
    pub fn assess(
        &self,
        file_name: &str,
        bytes: &[u8],
        previous_json: &str,
        keep_going: bool,
    ) -> Assessment {
        let rules = match &self.rules {
            Ok(r) => r,
            Err(e) => return Assessment::failed("rules", to_json(e), Vec::new()),
        };
        let (previous, previous_text) = match periods(previous_json) {
            Ok(p) => p,
            Err(err) => return Assessment::failed("previous", to_json(&[err]), Vec::new()),
        };
        let mut ds = data::read(&rules.set, file_name, bytes);
        let items = rules.set.item_count();
        reserve_heap(
            ds.units
                .len()
                .saturating_mul(items.saturating_mul(REPORT_BYTES_PER_ITEM)),
        );
        let (encoding, ignored) = (
            std::mem::take(&mut ds.encoding),
            std::mem::take(&mut ds.ignored_columns),
        );
        // Kept for a rule failing after rows were left out (`keep_going`): they stay on record.
        let left_out = counted(ds.errors.clone(), ds.errors_omitted);
        let periods: Vec<&[u8]> = previous_text.iter().map(|t| t.as_bytes()).collect();
        let source = crate::Source::Read {
            data: ds,
            sha256: vec![crate::provenance::sha256_hex(bytes)],
        };
        let job = crate::Job::new(rules, source)
            .output(crate::Output::Json)
            .previous(previous.as_ref())
            .keep_going(keep_going)
            .provenance(&periods);
        Assessment {
            encoding,
            ignored,
            ..json_job(job, &left_out)
        }
    }

    /// Reads data once for batch scoring: `file_name` picks the format as for `assess`. The
    /// good rows are kept in WASM memory; every bad cell is in [`Units::errors_json`].
    #[wasm_bindgen(js_name = loadUnits)]
    pub fn load_units(&self, file_name: &str, bytes: &[u8]) -> Units {
        let ds = match &self.rules {
            Ok(rules) => {
                let rows = bytes.iter().filter(|b| **b == b'\n').count();
                reserve_heap(rows.saturating_mul(unit_bytes(rules.set.fields.len())));
                read_data(&rules.set, file_name, bytes)
            }
            Err(_) => data::Dataset::default(),
        };
        Units {
            rules_id: self.id,
            units: Rc::new(ds.units),
            errors: ds.errors,
            encoding: ds.encoding,
            ignored: ds.ignored_columns,
        }
    }

    /// Scores units loaded by [`Compiled::load_units`] of this rule set: totals, vetoes,
    /// ranks and grades without explanation text, in input order. The results stay in WASM
    /// memory; read them with [`Scores::csv`].
    #[wasm_bindgen(js_name = scoreBatch)]
    pub fn score_batch(&self, units: &Units) -> Scores {
        let rules = match &self.rules {
            Ok(r) => r,
            Err(e) => return Scores::failed("rules", to_json(e)),
        };
        if units.rules_id != self.id {
            let err = DataError::file(crate::messages::data::loaded_for_another_rule_set());
            return Scores::failed("data", to_json(&[err]));
        }
        let items = rules.set.item_count();
        reserve_heap(units.units.len().saturating_mul(score_bytes(items)));
        match rules.score_batch(&units.units) {
            Ok(scores) => Scores {
                units: Rc::clone(&units.units),
                scores,
                stage: String::new(),
                errors_json: "[]".into(),
                set: Some(Rc::new(rules.set.clone())),
                labels: Labels::of(&rules.set),
            },
            Err(e) => Scores::failed("eval", to_json(&e.0)),
        }
    }

    /// `""` when each unit's points depend on its own data only (a unit can then be explained
    /// alone, see [`Compiled::explain_unit`]); otherwise why not, in words.
    #[wasm_bindgen(js_name = notStreamable)]
    pub fn not_streamable(&self) -> String {
        match &self.rules {
            Ok(rules) => rules.streamable().err().map(|t| t.zh).unwrap_or_default(),
            Err(_) => "the rule set has errors".into(),
        }
    }

    /// The explained result (计分明细) of one unit of a batch, by its index in `units`, scored
    /// alone: its items with reasons, vetoes, prerequisites and adjustments, as the `units[0]`
    /// JSON of a report. Its rank, grade and consequences are those of a cohort of one — take
    /// them from the batch result. Right for rule sets where [`Compiled::not_streamable`] is
    /// `""`. `"null"` for a bad index, the errors' JSON for a failure.
    #[wasm_bindgen(js_name = explainUnit)]
    pub fn explain_unit(&self, units: &Units, index: usize) -> String {
        let Ok(rules) = &self.rules else {
            return self.errors_json();
        };
        if units.rules_id != self.id {
            return "null".into();
        }
        let Some(one) = units.units.get(index..=index) else {
            return "null".into();
        };
        match rules.assess(one, None) {
            Ok(report) => report.units.first().map_or_else(|| "null".into(), to_json),
            Err(e) => to_json(&e.0),
        }
    }

    /// Runs test cases (the text of a `NAME.cases.json`); files the cases name are looked up
    /// in `files_json` (`{"samples/x.csv": "text", …}`), then among the bundled rule sets'
    /// sample files. Returns `{cases: [{name, failures}], coverage, passed, failed}` as JSON.
    /// In the full module only: the page runs a rule set's cases there.
    #[cfg(feature = "spreadsheets")]
    #[wasm_bindgen(js_name = runCasesJson)]
    pub fn run_cases_json(&mut self, cases_json: &str, files_json: &str) -> String {
        if self.rules.is_err() {
            return self.errors_json();
        }
        let Ok(rules) = &mut self.rules else {
            return self.errors_json();
        };
        let files: std::collections::HashMap<String, String> =
            serde_json::from_str(files_json).unwrap_or_default();
        let load = |path: &str| -> std::io::Result<Vec<u8>> {
            if let Some(text) = files.get(path) {
                return Ok(text.as_bytes().to_vec());
            }
            bundled::ALL
                .iter()
                .find_map(|b| b.file(path))
                .map(<[u8]>::to_vec)
                .ok_or_else(|| {
                    let why = format!("no file `{path}`");
                    std::io::Error::new(std::io::ErrorKind::NotFound, why)
                })
        };
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            suite: &'a SuiteReport,
            passed: usize,
            failed: usize,
            coverage_lines: Vec<cases::CaseMessage>,
        }
        match cases::run_cases(rules, cases_json, &load) {
            Ok(suite) => {
                let (passed, failed) = suite.counts();
                to_json(&Out {
                    coverage_lines: suite.coverage.lines(),
                    suite: &suite,
                    passed,
                    failed,
                })
            }
            Err(e) => to_json(&serde_json::json!({"error": e})),
        }
    }
}

/// One assessment's outcome: a report (with its exact JSON text), or the errors of the stage
/// that stopped it (`data`, `eval`, `rules`, `previous`).
#[wasm_bindgen]
pub struct Assessment {
    report: Option<Report>,
    report_json: String,
    stage: String,
    errors_json: String,
    data_errors: Vec<DataError>,
    encoding: String,
    ignored: Vec<String>,
}

impl Assessment {
    fn failed(stage: &str, errors_json: String, data_errors: Vec<DataError>) -> Self {
        Self {
            report: None,
            report_json: String::new(),
            stage: stage.into(),
            errors_json,
            data_errors,
            encoding: String::new(),
            ignored: Vec::new(),
        }
    }
}

#[wasm_bindgen]
impl Assessment {
    /// Whether a report was produced.
    pub fn ok(&self) -> bool {
        self.report.is_some()
    }

    /// The stage that failed, or `""`.
    pub fn stage(&self) -> String {
        self.stage.clone()
    }

    /// The errors that stopped it, as JSON.
    #[wasm_bindgen(js_name = errorsJson)]
    pub fn errors_json(&self) -> String {
        self.errors_json.clone()
    }

    /// The report as JSON text, exactly as `kaohe assess --format json` prints it (without the
    /// final newline).
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> String {
        self.report_json.clone()
    }

    /// Data errors of rows left out (with `keep_going`), as JSON.
    #[wasm_bindgen(js_name = dataErrorsJson)]
    pub fn data_errors_json(&self) -> String {
        to_json(&self.data_errors)
    }

    /// The text encoding found in the data.
    pub fn encoding(&self) -> String {
        self.encoding.clone()
    }

    /// Columns no field reads, as JSON.
    #[wasm_bindgen(js_name = ignoredColumnsJson)]
    pub fn ignored_columns_json(&self) -> String {
        to_json(&self.ignored)
    }

    /// The report as an XLSX workbook (empty when there is no report).
    pub fn xlsx(&self) -> Vec<u8> {
        self.report
            .as_ref()
            .and_then(|r| output::xlsx(r).ok())
            .unwrap_or_default()
    }

    /// The report as CSV text with a byte-order mark, as Excel opens it.
    pub fn csv(&self) -> String {
        self.report
            .as_ref()
            .map(|r| format!("\u{feff}{}", output::csv(r)))
            .unwrap_or_default()
    }
}

/// Units read once for batch scoring, held in WASM memory ([`Compiled::load_units`]).
#[wasm_bindgen]
pub struct Units {
    rules_id: u32,
    units: Rc<Vec<Unit>>,
    errors: Vec<DataError>,
    encoding: String,
    ignored: Vec<String>,
}

#[wasm_bindgen]
impl Units {
    /// How many units were read (rows with errors are left out).
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether no unit was read.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Every problem in the data, as JSON: `[{row, column, header?, unit?, message, help?}]`.
    #[wasm_bindgen(js_name = errorsJson)]
    pub fn errors_json(&self) -> String {
        to_json(&self.errors)
    }

    /// The text encoding found in the data.
    pub fn encoding(&self) -> String {
        self.encoding.clone()
    }

    /// Columns no field reads, as JSON.
    #[wasm_bindgen(js_name = ignoredColumnsJson)]
    pub fn ignored_columns_json(&self) -> String {
        to_json(&self.ignored)
    }
}

/// A batch run's results, in input order, held in WASM memory ([`Compiled::score_batch`]);
/// or the errors of the stage that stopped it (`eval`, `data`, `rules`). Every unit is read
/// through its [`UnitView`], as the CLI's CSV and JSON Lines read it.
#[wasm_bindgen]
pub struct Scores {
    /// The units scored, shared with their [`Units`] handle (for ids and names).
    units: Rc<Vec<Unit>>,
    scores: Vec<UnitScore>,
    stage: String,
    errors_json: String,
    /// The rule set they were scored by (a copy: parameters set later do not change it).
    set: Option<Rc<crate::model::RuleSet>>,
    /// Names of the rule set's grades, vetoes, consequences and items.
    labels: Labels,
}

/// What a batch result's indices name: grades, vetoes, consequences and items (then cohort
/// items).
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Labels {
    #[serde(skip)]
    grades: Vec<String>,
    vetoes: Vec<String>,
    consequences: Vec<String>,
    items: Vec<String>,
    /// Each item's category (分类), in the order of `items`; null for none.
    item_categories: Vec<Option<String>>,
    /// Whether each item, in the order of `items`, is a deduction (扣分项).
    #[serde(skip)]
    deductions: Vec<bool>,
}

impl Labels {
    fn of(set: &crate::model::RuleSet) -> Self {
        Self {
            grades: set.bands.iter().map(|b| b.name.clone()).collect(),
            vetoes: set.vetoes.iter().map(|v| v.label.clone()).collect(),
            consequences: set.consequences.iter().map(|c| c.name.clone()).collect(),
            items: set
                .items
                .iter()
                .map(|i| i.label.to_string())
                .chain(set.cohort_items.iter().map(|i| i.label.to_string()))
                .collect(),
            item_categories: set
                .items
                .iter()
                .map(|i| match i.kind {
                    crate::model::ItemKind::Bonus => None,
                    _ => i.category.as_deref().map(str::to_string),
                })
                .chain(
                    set.cohort_items
                        .iter()
                        .map(|i| i.category.as_deref().map(str::to_string)),
                )
                .collect(),
            deductions: set
                .items
                .iter()
                .map(|i| i.kind == crate::model::ItemKind::Deduction)
                .chain(set.cohort_items.iter().map(|_| false))
                .collect(),
        }
    }
}

impl Scores {
    fn failed(stage: &str, errors_json: String) -> Self {
        Self {
            units: Rc::new(Vec::new()),
            scores: Vec::new(),
            stage: stage.into(),
            errors_json,
            set: None,
            labels: Labels::default(),
        }
    }

    /// Each unit's view with its index, in input order, its items by `columns`
    /// (`ItemColumns::of_set` of this rule set). Without a previous period: a batch's.
    fn views<'s>(
        &'s self,
        columns: &'s ItemColumns<'s>,
    ) -> impl Iterator<Item = (usize, UnitView<'s>)> + 's {
        (0..self.scores.len()).filter_map(move |i| Some((i, self.view(columns, i)?)))
    }

    /// The view of unit `i`; `None` for a bad index.
    fn view<'s>(&'s self, columns: &'s ItemColumns<'s>, i: usize) -> Option<UnitView<'s>> {
        let (set, unit, score) = (
            self.set.as_deref()?,
            self.units.get(i)?,
            self.scores.get(i)?,
        );
        let mut view = UnitView::of_score(set, columns, unit, "", score, None);
        view.cohort = Cow::Owned(set.cohort_of(unit));
        Some(view)
    }

    /// The columns of every item, then every cohort item, of the rule set.
    fn item_columns(&self) -> ItemColumns<'_> {
        self.set
            .as_deref()
            .map(ItemColumns::of_set)
            .unwrap_or_default()
    }

    /// Whether the rule set ranks units in cohorts.
    fn with_cohorts(&self) -> bool {
        self.set.as_ref().is_some_and(|s| s.cohort_field.is_some())
    }

    /// A unit's cohort as the columns give it: `""` when the rule set has no cohorts.
    fn cohort_text<'v>(&self, view: &'v UnitView<'_>) -> &'v str {
        if self.with_cohorts() {
            &view.cohort
        } else {
            ""
        }
    }
}

#[wasm_bindgen]
impl Scores {
    /// Whether the units were scored.
    pub fn ok(&self) -> bool {
        self.stage.is_empty()
    }

    /// The stage that failed, or `""`.
    pub fn stage(&self) -> String {
        self.stage.clone()
    }

    /// The errors that stopped it, as JSON.
    #[wasm_bindgen(js_name = errorsJson)]
    pub fn errors_json(&self) -> String {
        self.errors_json.clone()
    }

    /// How many units were scored.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether there are no results.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The results as columns, for a table of many units, as JSON:
    /// `{id, name, total, exact, rank, grade, vetoes, consequences, cohort: [one per unit, in
    /// input order], grades, labels: {vetoes, consequences, items}}` — `total` as published
    /// (`null` when the veto policy hides it), `exact` unrounded, `grade` an index into `grades`,
    /// `vetoes` and `consequences` lists of indices into the labels, `cohort` `""` without
    /// cohorts.
    #[wasm_bindgen(js_name = columnsJson)]
    pub fn columns_json(&self) -> String {
        #[derive(Default, Serialize)]
        struct Columns<'a> {
            id: Vec<String>,
            name: Vec<String>,
            total: Vec<Option<String>>,
            exact: Vec<String>,
            rank: Vec<Option<u32>>,
            grade: Vec<Option<usize>>,
            vetoes: Vec<&'a [usize]>,
            consequences: Vec<&'a [usize]>,
            cohort: Vec<String>,
            grades: &'a [String],
            labels: Option<&'a Labels>,
        }
        let mut c = Columns {
            grades: &self.labels.grades,
            labels: Some(&self.labels),
            ..Columns::default()
        };
        let items = self.item_columns();
        for (i, v) in self.views(&items) {
            let s = &self.scores[i];
            c.cohort.push(self.cohort_text(&v).to_string());
            c.id.push(v.id.into_owned());
            c.name.push(v.name.into_owned());
            c.total.push(v.total_display);
            c.exact.push(s.total.normalize().to_string());
            c.rank.push(v.rank);
            c.grade.push(s.grade);
            c.vetoes.push(&s.vetoes);
            c.consequences.push(&s.consequences);
        }
        to_json(&c)
    }

    /// One column of text, one entry per unit in input order, joined by U+0001 (cheaper to hand
    /// to JavaScript than a list): `id`, `name`, `total` (as published, empty when hidden),
    /// `vetoes` and `consequences` (names joined by `、`), `cohort` (empty without cohorts),
    /// `remarks` (备注: why the grade or rank is what it is, phrases joined by `；`),
    /// `category:NAME` (the points of the items in category NAME, added up, as the report's
    /// `items` give them; empty when hidden or no item of it applies) and `bonus` (加分 after
    /// its cap; empty when hidden). `""` for another name.
    #[wasm_bindgen(js_name = columnText)]
    pub fn column_text(&self, which: &str) -> String {
        let category = which.strip_prefix("category:");
        let known = [
            "id",
            "name",
            "total",
            "cohort",
            "vetoes",
            "consequences",
            "remarks",
            "bonus",
        ];
        if category.is_none() && !known.contains(&which) {
            return String::new();
        }
        let items = self.item_columns();
        let mut out = String::with_capacity(self.scores.len() * 16);
        for (k, v) in self.views(&items) {
            if k > 0 {
                out.push('\u{1}');
            }
            let shown = v.total.is_some();
            match which {
                "id" => out.push_str(&v.id),
                "name" => out.push_str(&v.name),
                "total" => out.push_str(v.total_display.as_deref().unwrap_or_default()),
                "cohort" => out.push_str(self.cohort_text(&v)),
                "vetoes" => out.push_str(&v.vetoes.join("、")),
                "consequences" => out.push_str(&v.consequences.join("、")),
                "remarks" => out.push_str(&v.remarks.join("；")),
                "bonus" if shown => out.push_str(&v.bonus.to_string()),
                _ => {
                    let sum = category
                        .filter(|_| shown)
                        .and_then(|c| self.category_points(&v, c));
                    if let Some(sum) = sum {
                        out.push_str(&sum.normalize().to_string());
                    }
                }
            }
        }
        out
    }

    /// One column of numbers, one per unit in input order: `exact` (the unrounded total),
    /// `rank` and `grade` (an index into the grades; both -1 for none). Empty for another name.
    #[wasm_bindgen(js_name = columnNumbers)]
    pub fn column_numbers(&self, which: &str) -> Vec<f64> {
        use rust_decimal::prelude::ToPrimitive;
        self.scores
            .iter()
            .map(|s| match which {
                "exact" => s.total.to_f64().unwrap_or(0.0),
                "rank" => s.rank.map_or(-1.0, f64::from),
                "grade" => s.grade.map_or(-1.0, |g| g as f64),
                _ => f64::NAN,
            })
            .take_while(|x| !x.is_nan())
            .collect()
    }

    /// The names the indices of [`Scores::columns_json`] refer to, as JSON:
    /// `{grades, labels: {vetoes, consequences, items, itemCategories}}` (`itemCategories`: each
    /// item's category, null for none and for bonus items).
    #[wasm_bindgen(js_name = labelsJson)]
    pub fn labels_json(&self) -> String {
        to_json(&serde_json::json!({ "grades": self.labels.grades, "labels": self.labels }))
    }

    /// One unit's result by its index, in the schema of a line of `kaohe assess --format jsonl`
    /// (`kaohe-unit`: points as exact numbers, the total as published, vetoes, consequences,
    /// points per item id) — a batch's: without metrics, state or a previous period, so the
    /// CLI's line for a rule set without metrics and state, run without `--previous`;
    /// `"null"` for a bad index.
    #[wasm_bindgen(js_name = unitJson)]
    pub fn unit_json(&self, index: usize) -> String {
        let items = self.item_columns();
        self.view(&items, index)
            .map_or_else(|| "null".into(), |v| to_json(&v))
    }

    /// The results as an XLSX workbook, one row per unit in rank order within each cohort:
    /// 名次, 单位编码, 单位名称, 分组 (with cohorts), 总分, 等次, 一票否决, 处理结果 and the
    /// points of every item. Empty without spreadsheet support (the `spreadsheets` feature) or
    /// when the workbook cannot be written.
    pub fn xlsx(&self) -> Vec<u8> {
        #[cfg(feature = "spreadsheets")]
        {
            self.workbook().unwrap_or_default()
        }
        #[cfg(not(feature = "spreadsheets"))]
        {
            Vec::new()
        }
    }

    /// The results as CSV text with a byte-order mark (as Excel opens it), one line per unit in
    /// rank order: the columns of [`Scores::xlsx`].
    #[wasm_bindgen(js_name = csvTable)]
    pub fn csv_table(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::with_capacity(self.scores.len() * 160));
        let _ = w.write_record(self.table_header());
        for row in self.table_rows() {
            let _ = w.write_record(row);
        }
        let body = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        format!("\u{feff}{body}")
    }

    /// The results as UTF-8 CSV (no byte-order mark), one line per unit in input order:
    /// `单位编码,单位名称,总分,等次,名次,一票否决` — the total rounded half-up to the rule
    /// set's decimals (blank when the veto policy hides it), the rank blank when unranked,
    /// 一票否决 `是` or `否`.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::with_capacity(self.scores.len() * 48));
        let _ = w.write_record(["单位编码", "单位名称", "总分", "等次", "名次", "一票否决"]);
        let items = self.item_columns();
        for (_, v) in self.views(&items) {
            let rank = v.rank.map(|r| r.to_string()).unwrap_or_default();
            let _ = w.write_record([
                &*output::spreadsheet_safe(&v.id),
                &*output::spreadsheet_safe(&v.name),
                v.total_display.as_deref().unwrap_or_default(),
                v.grade.as_deref().unwrap_or_default(),
                &rank,
                if v.vetoed { "是" } else { "否" },
            ]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

impl Scores {
    /// The points of a unit's items in `category`, added up as the total counts them: the
    /// category's caps on its points and its deductions (本项限扣) and its rounding applied;
    /// `None` when none applies.
    fn category_points(&self, v: &UnitView<'_>, category: &str) -> Option<rust_decimal::Decimal> {
        use rust_decimal::Decimal;
        let (mut points, mut taken, mut any) = (Decimal::ZERO, Decimal::ZERO, false);
        for (k, p) in v.items.iter() {
            if self
                .labels
                .item_categories
                .get(k)
                .and_then(Option::as_deref)
                != Some(category)
            {
                continue;
            }
            any = true;
            if self.labels.deductions.get(k).copied().unwrap_or(false) {
                taken = taken.saturating_add(p);
            } else {
                points = points.saturating_add(p);
            }
        }
        let found = self
            .set
            .as_deref()
            .and_then(|s| s.categories.iter().find(|c| c.name == category));
        if let Some(c) = found {
            points = points.min(c.max);
            if let Some(limit) = c.deduct_cap {
                taken = taken.max(-limit);
            }
        }
        let subtotal = points.saturating_add(taken);
        any.then(|| match found.and_then(|c| c.round) {
            Some(r) => r.apply(subtotal),
            None => subtotal,
        })
    }

    fn table_header(&self) -> Vec<String> {
        let mut h: Vec<String> = ["名次", "单位编码", "单位名称"].map(String::from).to_vec();
        if self.with_cohorts() {
            h.push("分组".into());
        }
        h.extend(["总分", "等次", "一票否决", "处理结果", "备注"].map(String::from));
        h.extend(self.labels.items.iter().cloned());
        h
    }

    /// The rows of the table ([`Scores::csv_table`], [`Scores::xlsx`]): by cohort, then rank
    /// (unranked last), then input order.
    fn table_rows(&self) -> Vec<Vec<String>> {
        let items = self.item_columns();
        let mut rows: Vec<(String, u32, usize, Vec<String>)> = self
            .views(&items)
            .map(|(i, v)| {
                let cohort = self.cohort_text(&v).to_string();
                let mut row = vec![
                    v.rank.map(|r| r.to_string()).unwrap_or_default(),
                    v.id.to_string(),
                    v.name.to_string(),
                ];
                if self.with_cohorts() {
                    row.push(cohort.clone());
                }
                row.extend([
                    v.total_display.clone().unwrap_or_default(),
                    v.grade.as_deref().unwrap_or_default().to_string(),
                    v.vetoes.join("、"),
                    v.consequences.join("、"),
                    v.remarks.join("；"),
                ]);
                let first_item = row.len();
                row.resize(first_item + self.labels.items.len(), String::new());
                for (k, p) in v.items.iter() {
                    if let Some(cell) = row.get_mut(first_item + k) {
                        *cell = p.to_string();
                    }
                }
                (cohort, v.rank.unwrap_or(u32::MAX), i, row)
            })
            .collect();
        rows.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
        rows.into_iter().map(|r| r.3).collect()
    }

    #[cfg(feature = "spreadsheets")]
    fn workbook(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("考核结果")?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let header = self.table_header();
        // Numbers as numbers: the rank, the total and the items' points.
        let first_item = header.len() - self.labels.items.len();
        let total_col = first_item - 5;
        for (c, h) in header.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, c, h, &bold)?;
        }
        for (r, row) in self.table_rows().iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let numeric = c == 0 || c == total_col || c >= first_item;
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                if cell.is_empty() {
                    continue;
                }
                if numeric {
                    output::write_number(sheet, r, c, cell)?;
                } else {
                    sheet.write_string(r, c, cell)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        book.save_to_buffer()
    }
}

// ---------------------------------------------------------------------------------------------
// Surveys (问卷): respondents' files (the full module: the `respondents` feature)
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "respondents")]
/// A survey assessment's outcome: the report (as [`Assessment`] gives it) and what reading the
/// respondents gave (`summaryJson`: respondents, counted, units, short_units).
#[wasm_bindgen]
pub struct SurveyAssessment {
    inner: Assessment,
    summary: Option<crate::survey::RespondentSummary>,
}

#[cfg(feature = "respondents")]
#[wasm_bindgen]
impl SurveyAssessment {
    /// Whether a report was produced.
    pub fn ok(&self) -> bool {
        self.inner.ok()
    }

    /// The stage that failed (`rules`, `data`, `previous`, `eval`), or `""`.
    pub fn stage(&self) -> String {
        self.inner.stage()
    }

    /// The errors that stopped it, as JSON.
    #[wasm_bindgen(js_name = errorsJson)]
    pub fn errors_json(&self) -> String {
        self.inner.errors_json()
    }

    /// The report as JSON text, exactly as `kaohe assess RULES RESPONDENTS [--units UNITS]
    /// --format json` prints it (without the final newline).
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> String {
        self.inner.report_json()
    }

    /// Data errors of rows left out (with `keep_going`), as JSON.
    #[wasm_bindgen(js_name = dataErrorsJson)]
    pub fn data_errors_json(&self) -> String {
        self.inner.data_errors_json()
    }

    /// `{respondents, counted, units, short_units}` as JSON, or `null` for a file of counts.
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self) -> String {
        to_json(&self.summary)
    }

    /// The text encoding found in the data.
    pub fn encoding(&self) -> String {
        self.inner.encoding()
    }

    /// Columns no field reads, as JSON.
    #[wasm_bindgen(js_name = ignoredColumnsJson)]
    pub fn ignored_columns_json(&self) -> String {
        self.inner.ignored_columns_json()
    }

    /// The report as an XLSX workbook (empty without a report or spreadsheet support).
    pub fn xlsx(&self) -> Vec<u8> {
        self.inner.xlsx()
    }

    /// The report as CSV text with a byte-order mark.
    pub fn csv(&self) -> String {
        self.inner.csv()
    }
}

#[cfg(feature = "respondents")]
/// Scores a survey (问卷) from a respondents' file (one row per respondent: CSV in UTF-8, GBK or
/// UTF-16, or XLSX as 问卷星 exports it) or from a file of counts per unit, with the rule set
/// `rules_source` (named `rules_name`; `modules_json` as for [`Compiled::new`]). `units_bytes`
/// (empty for none) is the list of units, as `--units` gives it: respondents are matched to it
/// by code or name; `params_json` gives parameters' values (`{"id": value}`, `{}` for none).
/// The report is what `kaohe assess` gives for the same files.
#[wasm_bindgen(js_name = assessSurvey)]
#[allow(clippy::too_many_arguments)]
pub fn assess_survey(
    rules_name: &str,
    rules_source: &str,
    modules_json: &str,
    file_name: &str,
    bytes: &[u8],
    units_file_name: &str,
    units_bytes: &[u8],
    previous_json: &str,
    params_json: &str,
    keep_going: bool,
) -> SurveyAssessment {
    let failed = |stage: &str, errors: String, data: Vec<DataError>| SurveyAssessment {
        inner: Assessment::failed(stage, errors, data),
        summary: None,
    };
    let modules: Vec<(String, String)> = serde_json::from_str(modules_json).unwrap_or_default();
    let mut rules = match compile_rules(rules_name, rules_source, &modules) {
        Ok(r) => r,
        Err(e) => return failed("rules", to_json(&e.0), Vec::new()),
    };
    let no_params = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(params_json)
        .map_or(true, |m| m.is_empty());
    if !no_params {
        match crate::params::read(&rules, "params.json", params_json.as_bytes()) {
            Ok(values) => rules.set_params(&values),
            Err(errors) => return failed("params", to_json(&errors), Vec::new()),
        }
    }
    let (previous, previous_text) = match periods(previous_json) {
        Ok(p) => p,
        Err(err) => return failed("previous", to_json(&[err]), Vec::new()),
    };
    let list = if units_bytes.is_empty() {
        None
    } else {
        let set = crate::survey::units_rule_set(&rules.set);
        let ds = read_data(&set, units_file_name, units_bytes);
        if !ds.errors.is_empty() && (!keep_going || ds.units.is_empty()) {
            return failed("data", to_json(&ds.errors), ds.errors);
        }
        Some(ds.units)
    };
    let mut ds = match (&list, rules.set.survey.is_some()) {
        (Some(units), true) if crate::survey::is_respondents(&rules, file_name, bytes) => {
            crate::survey::read(&rules, file_name, bytes, Some(units))
        }
        (Some(_), _) => {
            let no_survey = rules.set.survey.is_none();
            let m = crate::messages::survey::units_misused(no_survey);
            return failed("data", to_json(&[DataError::file(m)]), Vec::new());
        }
        (None, _) => data::read(&rules.set, file_name, bytes),
    };
    let (encoding, ignored, summary) = (
        std::mem::take(&mut ds.encoding),
        std::mem::take(&mut ds.ignored_columns),
        ds.respondents.take(),
    );
    let left_out = counted(ds.errors.clone(), ds.errors_omitted);
    let mut sha256 = vec![crate::provenance::sha256_hex(bytes)];
    if list.is_some() {
        sha256.push(crate::provenance::sha256_hex(units_bytes));
    }
    let periods: Vec<&[u8]> = previous_text.iter().map(|t| t.as_bytes()).collect();
    let source = crate::Source::Read { data: ds, sha256 };
    let job = crate::Job::new(&rules, source)
        .output(crate::Output::Json)
        .previous(previous.as_ref())
        .keep_going(keep_going)
        .provenance(&periods);
    SurveyAssessment {
        inner: Assessment {
            encoding,
            ignored,
            ..json_job(job, &left_out)
        },
        summary,
    }
}

#[cfg(feature = "respondents")]
/// Whether `bytes` (a file named `file_name`) are a respondents' file for the rule set's
/// survey: its header names the survey's unit column and a question. False for a rule set
/// without a survey, or with errors.
#[wasm_bindgen(js_name = isRespondents)]
pub fn is_respondents(
    rules_name: &str,
    rules_source: &str,
    modules_json: &str,
    file_name: &str,
    bytes: &[u8],
) -> bool {
    let modules: Vec<(String, String)> = serde_json::from_str(modules_json).unwrap_or_default();
    compile_rules(rules_name, rules_source, &modules)
        .is_ok_and(|r| crate::survey::is_respondents(&r, file_name, bytes))
}

/// What a rule set's survey declares, as JSON, or `null` without one: `{unit, id, weight,
/// minSample, strata, questions: [{id, header, number, options, excluded}], metrics: [{id,
/// label, question, method}]}` — for a page that asks for the respondents' file and the list of
/// units.
#[wasm_bindgen(js_name = surveyInfoJson)]
pub fn survey_info_json(rules_name: &str, rules_source: &str, modules_json: &str) -> String {
    let modules: Vec<(String, String)> = serde_json::from_str(modules_json).unwrap_or_default();
    let Ok(rules) = compile_rules(rules_name, rules_source, &modules) else {
        return "null".into();
    };
    let set = &rules.set;
    let Some(s) = &set.survey else {
        return "null".into();
    };
    let column = |c: &crate::survey::Column| serde_json::json!({ "header": c.header, "aliases": c.aliases, "number": c.number });
    let questions: Vec<serde_json::Value> = s
        .questions
        .iter()
        .map(|q| {
            serde_json::json!({
                "id": q.id, "header": q.column.header, "number": q.column.number,
                "options": q.options, "excluded": q.excluded, "codes": q.codes,
            })
        })
        .collect();
    let metrics: Vec<serde_json::Value> = set
        .metrics
        .iter()
        .zip(&s.metric_links)
        .filter_map(|(m, l)| {
            let l = l.as_ref()?;
            Some(serde_json::json!({
                "id": m.id, "label": m.label, "question": s.questions[l.question].id,
                "method": if l.share { "share" } else { "mean" },
            }))
        })
        .collect();
    to_json(&serde_json::json!({
        "unit": column(&s.unit),
        "id": s.id.as_ref().map(column),
        "weight": s.weight.as_ref().map(column),
        "minSample": s.min_sample,
        "strata": s.strata.as_ref().map(|st| serde_json::json!({
            "by": st.by.iter().map(column).collect::<Vec<_>>(),
            "shares": st.cells.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
        })),
        "questions": questions,
        "metrics": metrics,
    }))
}

// ---------------------------------------------------------------------------------------------
// Data collection (数据收集): the form (填报表) and the merge of returned forms, in the full
// module only (they write XLSX and read spreadsheets): the engine module does not grow.
// ---------------------------------------------------------------------------------------------

/// What the form or the merge gave: the workbook's bytes and a summary, or the errors that
/// stopped it (rule errors, a list of units' data errors, or a message of the catalogue).
#[cfg(feature = "spreadsheets")]
#[wasm_bindgen]
pub struct Collected {
    stage: String,
    errors_json: String,
    bytes: Vec<u8>,
    summary_json: String,
    csv: Vec<u8>,
}

#[cfg(feature = "spreadsheets")]
#[wasm_bindgen]
impl Collected {
    /// Whether a workbook was written.
    pub fn ok(&self) -> bool {
        self.stage.is_empty()
    }

    /// The stage that failed (`rules`, `units`, `form`), or `""`.
    pub fn stage(&self) -> String {
        self.stage.clone()
    }

    /// The errors that stopped it, as JSON (rule errors, or data errors with `code`, `place`,
    /// `message`, `help` and `en`).
    #[wasm_bindgen(js_name = errorsJson)]
    pub fn errors_json(&self) -> String {
        self.errors_json.clone()
    }

    /// The workbook: the form, or the merged data with its 数据核对 sheet.
    pub fn xlsx(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The units of a merge ready to score, as CSV (UTF-8 with a byte-order mark): what scoring
    /// the set of files scores (`kaohe assess RULES FILES…`); empty for a form.
    pub fn csv(&self) -> Vec<u8> {
        self.csv.clone()
    }

    /// For a form: `{units, columns}`. For a merge: `{files: [{name, units, errors, notes}],
    /// problems: [{level, file, sheet, error, merged_row}], errors, notes, ready}`.
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self) -> String {
        self.summary_json.clone()
    }
}

#[cfg(feature = "spreadsheets")]
impl Collected {
    fn failed(stage: &str, errors_json: String) -> Self {
        Self {
            stage: stage.into(),
            errors_json,
            bytes: Vec::new(),
            summary_json: "null".into(),
            csv: Vec::new(),
        }
    }

    fn message(stage: &str, m: crate::messages::Message) -> Self {
        Self::failed(stage, to_json(&[DataError::file(m)]))
    }
}

/// Compiles a rule set and reads its list of units (none when `units` is empty): the rules, the
/// listed units, or why not.
#[cfg(feature = "spreadsheets")]
fn rules_and_list(
    rules_name: &str,
    rules_source: &str,
    modules_json: &str,
    units_name: &str,
    units: &[u8],
) -> Result<(Rules, Option<Vec<Unit>>), Collected> {
    let modules: Vec<(String, String)> = serde_json::from_str(modules_json).unwrap_or_default();
    let rules = compile_rules(rules_name, rules_source, &modules)
        .map_err(|e| Collected::failed("rules", to_json(&e.0)))?;
    if units.is_empty() {
        return Ok((rules, None));
    }
    let list = crate::collect::read_units(&rules, units_name, units);
    if !list.errors.is_empty() {
        return Err(Collected::failed("units", to_json(&list.errors)));
    }
    if list.units.is_empty() {
        let m = crate::messages::collect::empty_list(units_name);
        return Err(Collected::message("units", m));
    }
    Ok((rules, Some(list.units)))
}

/// The rule set's data-collection form as XLSX (as `kaohe template` writes it): with a list of
/// units (`units`, CSV/XLSX; empty for none) their rows filled in and locked; with `unit` (a
/// code or name of the list; `""` for all) that unit's own form.
#[cfg(feature = "spreadsheets")]
#[wasm_bindgen(js_name = templateXlsx)]
pub fn template_xlsx(
    rules_name: &str,
    rules_source: &str,
    modules_json: &str,
    units_name: &str,
    units: &[u8],
    unit: &str,
) -> Collected {
    use crate::collect::template;
    let (rules, list) =
        match rules_and_list(rules_name, rules_source, modules_json, units_name, units) {
            Ok(r) => r,
            Err(failed) => return failed,
        };
    let unit = (!unit.trim().is_empty()).then_some(unit);
    let form = match template::form(&rules, list.as_deref(), unit) {
        Ok(f) => f,
        Err(m) => return Collected::message("form", m),
    };
    match template::xlsx(&form) {
        Ok(bytes) => Collected {
            stage: String::new(),
            errors_json: "[]".into(),
            bytes,
            summary_json: to_json(&serde_json::json!({
                "units": if form.listed { form.rows.len() } else { 0 },
                "columns": form.columns.len(),
            })),
            csv: Vec::new(),
        },
        Err(m) => Collected::message("form", m),
    }
}

/// The returned files of a merge, added one at a time (`add`), then merged by
/// [`merge_returns`].
#[cfg(feature = "spreadsheets")]
#[wasm_bindgen]
#[derive(Default)]
pub struct Returns {
    files: Vec<(String, Vec<u8>)>,
}

#[cfg(feature = "spreadsheets")]
#[wasm_bindgen]
impl Returns {
    /// No files yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a returned file: its name and bytes (CSV in any encoding, XLSX/XLS/ODS, JSON).
    pub fn add(&mut self, file_name: &str, bytes: &[u8]) {
        self.files.push((file_name.to_string(), bytes.to_vec()));
    }

    /// How many files were added.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was added.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Merges returned files as `kaohe merge` does: every problem, the files' lines, and the merged
/// workbook (数据核对 in `lang`, `zh` or `en`) and CSV; with a list of units (`units`, empty for
/// none), the units that returned nothing and those not in it.
#[cfg(feature = "spreadsheets")]
#[wasm_bindgen(js_name = mergeReturns)]
pub fn merge_returns(
    rules_name: &str,
    rules_source: &str,
    modules_json: &str,
    returns: &Returns,
    units_name: &str,
    units: &[u8],
    lang: &str,
) -> Collected {
    let (rules, list) =
        match rules_and_list(rules_name, rules_source, modules_json, units_name, units) {
            Ok(r) => r,
            Err(failed) => return failed,
        };
    if returns.files.is_empty() {
        return Collected::message("form", crate::messages::collect::no_returns());
    }
    let lang = crate::messages::Lang::parse(lang).unwrap_or_default();
    let merged = crate::collect::merge::merge(&rules, &returns.files, list.as_deref());
    let bytes = match merged.xlsx(&rules, lang) {
        Ok(b) => b,
        Err(m) => return Collected::message("form", m),
    };
    let (errors, notes) = merged.counts();
    Collected {
        stage: String::new(),
        errors_json: "[]".into(),
        csv: merged.ready_csv(&rules, lang),
        summary_json: to_json(&serde_json::json!({
            "files": merged.files,
            "problems": merged.problems,
            "errors": errors,
            "notes": notes,
            "ready": merged.units().len(),
        })),
        bytes,
    }
}

// ── What a change does (变化分析): the gap and the comparison, in the full module only ──────
// The engine module has no caller of `change/` (nor of the shapes' `Inverse`), so the linker
// leaves that code out of it: these exports are behind the `spreadsheets` feature like the form
// and the merge, and the browser fetches the full module for them.

/// The gap's or the comparison's failure, tagged: `{type: "failure", stage, errors}`, with the
/// run (`before`/`after`) it stopped in a comparison.
#[cfg(feature = "spreadsheets")]
fn change_failure<E: Serialize>(stage: &str, side: Option<&str>, errors: E) -> String {
    #[derive(Serialize)]
    struct Failure<'a, E> {
        #[serde(rename = "type")]
        kind: &'static str,
        stage: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        side: Option<&'a str>,
        errors: E,
    }
    to_json(&Failure {
        kind: "failure",
        stage,
        side,
        errors,
    })
}

/// The previous period's result for the gap or the comparison (`""`: none), or the failure.
#[cfg(feature = "spreadsheets")]
fn previous_for_change(previous_json: &str) -> Result<Option<Previous>, String> {
    periods(previous_json)
        .map(|(p, _)| p)
        .map_err(|err| change_failure("previous", None, [err]))
}

/// The compiled rules and the units read from `bytes` for one run of the gap or the comparison,
/// or the failure: with `keep_going`, rows with errors are left out (they are in the dataset's
/// errors) as long as some unit is left.
#[cfg(feature = "spreadsheets")]
fn run_for_change<'r>(
    compiled: &'r Compiled,
    side: Option<&str>,
    file_name: &str,
    bytes: &[u8],
    keep_going: bool,
) -> Result<(&'r Rules, data::Dataset), String> {
    let rules = compiled
        .rules
        .as_ref()
        .map_err(|e| change_failure("rules", side, e))?;
    let ds = read_data(&rules.set, file_name, bytes);
    if !ds.errors.is_empty() && (!keep_going || ds.units.is_empty()) {
        return Err(change_failure("data", side, &ds.errors));
    }
    Ok((rules, ds))
}

#[cfg(feature = "spreadsheets")]
#[wasm_bindgen]
impl Compiled {
    /// Each unit's gap to the next grade and rank (差距分析) on this data, as
    /// `kaohe gap --format json` prints it: `{type: "success", gap, dataErrors}` (`gap` the
    /// `kaohe-gap` result). `units_json` names the units wanted, by id or name (`[]`: every
    /// unit; the others are not worked out). Data, `previous_json` and `keep_going` as for
    /// [`Compiled::assess`]. A failure is `{type: "failure", stage, errors}`, `stage` one of
    /// `rules`, `previous`, `data`, `eval`. Full module only.
    #[wasm_bindgen(js_name = gapJson)]
    pub fn gap_json(
        &self,
        file_name: &str,
        bytes: &[u8],
        previous_json: &str,
        units_json: &str,
        keep_going: bool,
    ) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Success<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            gap: &'a crate::change::GapReport,
            data_errors: &'a [DataError],
        }
        if let Err(e) = &self.rules {
            return change_failure("rules", None, e);
        }
        let previous = match previous_for_change(previous_json) {
            Ok(p) => p,
            Err(failure) => return failure,
        };
        let (rules, ds) = match run_for_change(self, None, file_name, bytes, keep_going) {
            Ok(run) => run,
            Err(failure) => return failure,
        };
        // The units asked for: a list of codes or names (empty: every unit), each one the data
        // holds, as `kaohe gap --unit` checks them.
        let wanted: Vec<String> = if units_json.trim().is_empty() {
            Vec::new()
        } else {
            match serde_json::from_str(units_json) {
                Ok(w) => w,
                Err(_) => {
                    let m = crate::messages::cli::unknown_units(&[units_json]);
                    return change_failure("units", None, [DataError::file(m)]);
                }
            }
        };
        match rules.gaps_of(&ds.units, previous.as_ref(), &wanted) {
            Ok(gap) => {
                let missing = gap.missing(&wanted);
                if !missing.is_empty() {
                    let m = crate::messages::cli::unknown_units(&missing);
                    return change_failure("units", None, [DataError::file(m)]);
                }
                to_json(&Success {
                    kind: "success",
                    gap: &gap,
                    data_errors: &ds.errors,
                })
            }
            Err(e) => change_failure("eval", None, &e.0),
        }
    }
}

/// Two runs compared (对比), as `kaohe diff --format json` prints it: `before` on its data
/// against `after` on its own — two rule sets on the same data, or one on two data files —
/// with the same previous period (`""`: none). `{type: "success", diff, dataErrors: {before,
/// after}}` (`diff` the `kaohe-diff` result, its runs described as `before_name` and
/// `after_name`); a failure is `{type: "failure", stage, side, errors}`, `side` the run it
/// stopped (`before` or `after`). Full module only.
#[cfg(feature = "spreadsheets")]
#[wasm_bindgen(js_name = diffJson)]
#[allow(clippy::too_many_arguments)]
pub fn diff_json(
    before: &Compiled,
    before_file: &str,
    before_bytes: &[u8],
    after: &Compiled,
    after_file: &str,
    after_bytes: &[u8],
    previous_json: &str,
    before_name: &str,
    after_name: &str,
    keep_going: bool,
) -> String {
    #[derive(Serialize)]
    struct DataErrors<'a> {
        before: &'a [DataError],
        after: &'a [DataError],
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Success<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        diff: &'a crate::change::DiffReport,
        data_errors: DataErrors<'a>,
    }
    for (side, compiled) in [("before", before), ("after", after)] {
        if let Err(e) = &compiled.rules {
            return change_failure("rules", Some(side), e);
        }
    }
    let previous = match previous_for_change(previous_json) {
        Ok(p) => p,
        Err(failure) => return failure,
    };
    let run = |side: &str,
               compiled: &Compiled,
               file_name: &str,
               bytes: &[u8]|
     -> Result<(Report, Vec<DataError>), String> {
        let (rules, ds) = run_for_change(compiled, Some(side), file_name, bytes, keep_going)?;
        match rules.assess(&ds.units, previous.as_ref()) {
            Ok(report) => Ok((report, ds.errors)),
            Err(e) => Err(change_failure("eval", Some(side), &e.0)),
        }
    };
    let (b, b_errors) = match run("before", before, before_file, before_bytes) {
        Ok(r) => r,
        Err(failure) => return failure,
    };
    let (a, a_errors) = match run("after", after, after_file, after_bytes) {
        Ok(r) => r,
        Err(failure) => return failure,
    };
    let diff = crate::change::diff(&b, &a, before_name, after_name);
    to_json(&Success {
        kind: "success",
        diff: &diff,
        data_errors: DataErrors {
            before: &b_errors,
            after: &a_errors,
        },
    })
}
