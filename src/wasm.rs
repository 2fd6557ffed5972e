//! The JavaScript API (wasm32 only): JSON-in, JSON-out functions over the same types the CLI
//! prints, so a result in the browser is byte-identical to `kaohe assess --format json`.
//! Nothing here throws: failures come back as data. `www/kaohe.js` wraps these raw exports in
//! a typed API (`pkg/kaohe.d.ts`).

use crate::cases::{self, SuiteReport};
use crate::error::{DataError, RuleError};
use crate::{bundled, data, output, Previous, Report, Rules};
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| {
        format!("{{\"type\":\"failure\",\"errors\":[{{\"message\":\"{e}\"}}]}}")
    })
}

/// The version of the kaohe crate.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
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
            cases: b.cases,
        })
        .collect();
    to_json(&list)
}

/// A compiled rule set, or the errors that kept it from compiling.
#[wasm_bindgen]
pub struct Compiled {
    rules: Result<Rules, Vec<RuleError>>,
}

#[wasm_bindgen]
impl Compiled {
    /// Compiles `source`, named `name` in messages; `modules_json` is `[[path, source], …]`
    /// for scripts that `import` helper modules (`"[]"` for none).
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, source: &str, modules_json: &str) -> Compiled {
        let modules: Vec<(String, String)> = serde_json::from_str(modules_json).unwrap_or_default();
        Compiled {
            rules: Rules::compile_with_modules(name, source, &modules).map_err(|e| e.0),
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

    /// What the rule set declares, as JSON: id, title, fields (name, label, aliases, type,
    /// required), indicators, vetoes, grade bands, consequences.
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
            "fields": fields, "items": items,
            "vetoes": set.vetoes.iter().map(|v| serde_json::json!({"id": v.id, "label": v.label})).collect::<Vec<_>>(),
            "grades": set.bands.iter().map(|b| b.name.clone()).collect::<Vec<_>>(),
            "consequences": set.consequences.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            "metrics": set.metrics.iter().map(|m| serde_json::json!({"id": m.id, "label": m.label})).collect::<Vec<_>>(),
        }))
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
        let previous = if previous_json.trim().is_empty() {
            None
        } else {
            match Previous::from_json(previous_json) {
                Ok(p) => Some(p),
                Err(e) => {
                    let err = DataError::file(format!("the previous result: {e}"), None);
                    return Assessment::failed("previous", to_json(&[err]), Vec::new());
                }
            }
        };
        let ds = data::read(&rules.set, file_name, bytes);
        if !ds.errors.is_empty() && (!keep_going || ds.units.is_empty()) {
            return Assessment::failed("data", to_json(&ds.errors), ds.errors);
        }
        match rules.assess(&ds.units, previous.as_ref()) {
            Ok(report) => Assessment {
                report_json: output::json(&report),
                report: Some(report),
                stage: String::new(),
                errors_json: "[]".into(),
                data_errors: ds.errors,
                encoding: ds.encoding,
                ignored: ds.ignored_columns,
            },
            Err(e) => Assessment::failed("eval", to_json(&e.0), ds.errors),
        }
    }

    /// Runs test cases (the text of a `NAME.cases.json`); files the cases name are looked up
    /// in `files_json` (`{"samples/x.csv": "text", …}`), then among the bundled rule sets'
    /// sample files. Returns `{cases: [{name, failures}], coverage, passed, failed}` as JSON.
    #[wasm_bindgen(js_name = runCasesJson)]
    pub fn run_cases_json(&self, cases_json: &str, files_json: &str) -> String {
        let Ok(rules) = &self.rules else {
            return self.errors_json();
        };
        let files: std::collections::HashMap<String, String> =
            serde_json::from_str(files_json).unwrap_or_default();
        let load = |path: &str| -> Result<Vec<u8>, String> {
            if let Some(text) = files.get(path) {
                return Ok(text.as_bytes().to_vec());
            }
            bundled::ALL
                .iter()
                .find_map(|b| b.file(path))
                .map(<[u8]>::to_vec)
                .ok_or_else(|| format!("no file `{path}`"))
        };
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            suite: &'a SuiteReport,
            passed: usize,
            failed: usize,
            coverage_lines: Vec<String>,
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
