//! Rule test cases (规则测试用例): run a rule set's `NAME.cases.json`, compare partial
//! expectations, measure coverage, and check deliberately broken rule files.
//! The format is documented in `docs/CASES.md`.

use crate::compile::Rules;
use crate::data;
use crate::model::ItemKind;
use crate::previous::Previous;
use crate::result::{Report, UnitResult};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value as Json;
use std::str::FromStr;

/// Reads a file named in a case (relative to the rule file): its bytes, or why not.
pub type Loader<'a> = dyn Fn(&str) -> Result<Vec<u8>, String> + 'a;

/// One case's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// Every difference from what was expected; empty when the case passed.
    pub failures: Vec<String>,
}

impl CaseOutcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Which rules the cases exercised (覆盖率), by id or name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Indicators (and cohort indicators) that lost a point somewhere / all of them.
    pub indicators: (Vec<String>, Vec<String>),
    /// Bonus items that gave points somewhere / all.
    pub bonuses: (Vec<String>, Vec<String>),
    /// Vetoes that struck / all.
    pub vetoes: (Vec<String>, Vec<String>),
    /// Grade bands reached / all.
    pub bands: (Vec<String>, Vec<String>),
    /// Consequences triggered / all.
    pub consequences: (Vec<String>, Vec<String>),
}

fn missing(pair: &(Vec<String>, Vec<String>)) -> Vec<String> {
    pair.1
        .iter()
        .filter(|x| !pair.0.contains(x))
        .cloned()
        .collect()
}

impl Coverage {
    fn new(rules: &Rules) -> Self {
        let set = &rules.set;
        let ids = |kind: ItemKind| -> Vec<String> {
            set.items
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| i.id.clone())
                .collect()
        };
        let mut indicators = ids(ItemKind::Indicator);
        indicators.extend(set.cohort_items.iter().map(|c| c.id.clone()));
        Self {
            indicators: (Vec::new(), indicators),
            bonuses: (Vec::new(), ids(ItemKind::Bonus)),
            vetoes: (
                Vec::new(),
                set.vetoes.iter().map(|v| v.id.clone()).collect(),
            ),
            bands: (
                Vec::new(),
                set.bands.iter().map(|b| b.name.clone()).collect(),
            ),
            consequences: (
                Vec::new(),
                set.consequences.iter().map(|c| c.name.clone()).collect(),
            ),
        }
    }

    fn add(&mut self, report: &Report) {
        fn mark(list: &mut Vec<String>, x: &str) {
            if !list.iter().any(|y| y == x) {
                list.push(x.to_string());
            }
        }
        for u in &report.units {
            for i in &u.items {
                match i.kind {
                    ItemKind::Bonus if i.points > Decimal::ZERO => mark(&mut self.bonuses.0, &i.id),
                    ItemKind::Indicator | ItemKind::Cohort if i.points < i.max => {
                        mark(&mut self.indicators.0, &i.id)
                    }
                    _ => {}
                }
            }
            for v in &u.vetoes {
                mark(&mut self.vetoes.0, &v.id);
            }
            if let Some(g) = &u.grade {
                mark(&mut self.bands.0, g);
            }
            for c in &u.consequences {
                mark(&mut self.consequences.0, &c.name);
            }
        }
    }

    /// Vetoes no case made strike.
    pub fn missing_vetoes(&self) -> Vec<String> {
        missing(&self.vetoes)
    }

    /// Grade bands no unit reached.
    pub fn missing_bands(&self) -> Vec<String> {
        missing(&self.bands)
    }

    /// Lines describing the coverage, for people.
    pub fn lines(&self) -> Vec<String> {
        let count = |p: &(Vec<String>, Vec<String>)| {
            format!("{}/{}", p.1.len() - missing(p).len(), p.1.len())
        };
        let mut out = vec![format!(
            "coverage: indicators {}, bonuses {}, vetoes {}, bands {}, consequences {}",
            count(&self.indicators),
            count(&self.bonuses),
            count(&self.vetoes),
            count(&self.bands),
            count(&self.consequences)
        )];
        for (what, p) in [
            ("indicators that never lost a point", &self.indicators),
            ("bonuses that never gave a point", &self.bonuses),
            ("vetoes that never struck", &self.vetoes),
            ("bands no unit reached", &self.bands),
            ("consequences never triggered", &self.consequences),
        ] {
            let m = missing(p);
            if !m.is_empty() {
                out.push(format!("{what}: {}", m.join(", ")));
            }
        }
        out
    }
}

/// A rule set's cases, run.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteReport {
    /// Each case's outcome.
    pub cases: Vec<CaseOutcome>,
    /// What the cases exercised.
    pub coverage: Coverage,
}

impl SuiteReport {
    /// Cases that passed and failed; a veto or band no case exercises counts as a failure.
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.cases.iter().filter(|c| c.passed()).count();
        let gaps = usize::from(
            !self.coverage.missing_vetoes().is_empty() || !self.coverage.missing_bands().is_empty(),
        );
        (passed, self.cases.len() - passed + gaps)
    }
}

/// Runs every case of a `NAME.cases.json` text against compiled rules.
pub fn run_cases(rules: &Rules, cases_json: &str, load: &Loader) -> Result<SuiteReport, String> {
    let doc: Json = serde_json::from_str(cases_json).map_err(|e| {
        format!(
            "the case file is not valid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let cases = doc
        .get("cases")
        .and_then(Json::as_array)
        .ok_or_else(|| "the case file has no `cases` list".to_string())?;
    let mut coverage = Coverage::new(rules);
    let mut out = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let name = case
            .get("name")
            .and_then(Json::as_str)
            .map_or_else(|| format!("case {}", n + 1), ToString::to_string);
        let failures = run_case(rules, case, load, &mut coverage);
        out.push(CaseOutcome { name, failures });
    }
    Ok(SuiteReport {
        cases: out,
        coverage,
    })
}

fn run_case(rules: &Rules, case: &Json, load: &Loader, coverage: &mut Coverage) -> Vec<String> {
    let mut fails = Vec::new();
    let dataset = match (case.get("data"), case.get("units")) {
        (Some(Json::String(path)), None) => match load(path) {
            Ok(bytes) => data::read(&rules.set, path, &bytes),
            Err(e) => return vec![format!("cannot read `{path}`: {e}")],
        },
        (None, Some(units @ Json::Array(_))) => {
            data::read_json(&rules.set, units.to_string().as_bytes())
        }
        _ => return vec!["a case needs either `data` (a file) or `units` (a list)".into()],
    };
    let previous = match case.get("previous") {
        None => None,
        Some(Json::String(path)) => {
            match load(path).map(|b| String::from_utf8_lossy(&b).into_owned()) {
                Ok(text) => match Previous::from_json(&text) {
                    Ok(p) => Some(p),
                    Err(e) => return vec![format!("`{path}`: {e}")],
                },
                Err(e) => return vec![format!("cannot read `{path}`: {e}")],
            }
        }
        Some(v) => match Previous::from_value(v) {
            Ok(p) => Some(p),
            Err(e) => return vec![format!("`previous`: {e}")],
        },
    };
    let expect_error = case.get("expect_error").and_then(Json::as_str);
    let run = if dataset.errors.is_empty() {
        rules
            .assess(&dataset.units, previous.as_ref())
            .map_err(|e| e.to_string())
    } else {
        Err(crate::DataErrors(dataset.errors).to_string())
    };
    let report = match (run, expect_error) {
        (Err(e), Some(want)) if e.contains(want) => return fails,
        (Err(e), Some(want)) => {
            return vec![format!("expected an error containing `{want}`, got:\n{e}")]
        }
        (Err(e), None) => return vec![format!("the run failed:\n{e}")],
        (Ok(_), Some(want)) => {
            return vec![format!(
                "expected an error containing `{want}`, but the run succeeded"
            )]
        }
        (Ok(r), None) => r,
    };
    coverage.add(&report);
    if let Some(n) = case.get("expect_units").and_then(Json::as_u64) {
        if report.units.len() as u64 != n {
            fails.push(format!(
                "units scored: expected {n}, got {}",
                report.units.len()
            ));
        }
    }
    if let Some(Json::Object(want)) = case.get("expect") {
        for (id, exp) in want {
            match report.units.iter().find(|u| &u.id == id) {
                Some(u) => compare_unit(u, exp, &mut fails),
                None => fails.push(format!("no unit `{id}` in the result")),
            }
        }
    }
    if let Some(Json::Object(want)) = case.get("expect_rollups") {
        for (key, exp) in want {
            let got = report
                .rollups
                .iter()
                .find(|r| format!("{}/{}", r.id, r.group) == *key);
            match got {
                Some(r) => {
                    check_decimal(&format!("rollup `{key}`"), exp, Some(r.value), &mut fails)
                }
                None => fails.push(format!("no rollup `{key}` in the result")),
            }
        }
    }
    fails
}

fn decimal_of(v: &Json) -> Option<Decimal> {
    match v {
        Json::Number(n) => Decimal::from_str(&n.to_string())
            .ok()
            .or_else(|| Decimal::from_scientific(&n.to_string()).ok()),
        Json::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

fn shown<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "null".to_string(), |v| format!("`{v}`"))
}

fn check_decimal(what: &str, exp: &Json, got: Option<Decimal>, fails: &mut Vec<String>) {
    let want = if exp.is_null() { None } else { decimal_of(exp) };
    if !exp.is_null() && want.is_none() {
        fails.push(format!("{what}: the expectation `{exp}` is not a number"));
        return;
    }
    if want != got {
        fails.push(format!(
            "{what}: expected {}, got {}",
            shown(want.map(|d| d.normalize())),
            shown(got.map(|d| d.normalize()))
        ));
    }
}

fn check<T: PartialEq + std::fmt::Display>(
    what: &str,
    want: Option<T>,
    got: Option<T>,
    fails: &mut Vec<String>,
) {
    if want != got {
        fails.push(format!(
            "{what}: expected {}, got {}",
            shown(want),
            shown(got)
        ));
    }
}

fn list_of(v: &Json) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(ToString::to_string))
        .collect()
}

fn compare_unit(u: &UnitResult, exp: &Json, fails: &mut Vec<String>) {
    let Json::Object(exp) = exp else {
        fails.push(format!(
            "unit `{}`: the expectation must be an object",
            u.id
        ));
        return;
    };
    let at = |k: &str| format!("unit `{}` {k}", u.id);
    for (k, v) in exp {
        match k.as_str() {
            "total" => check_decimal(&at("total"), v, u.total, fails),
            "total_display" => check(&at(k), v.as_str(), u.total_display.as_deref(), fails),
            "grade" => check(&at(k), v.as_str(), u.grade.as_deref(), fails),
            "rank" => check(&at(k), v.as_u64(), u.rank.map(u64::from), fails),
            "base" => check_decimal(&at(k), v, Some(u.base), fails),
            "bonus" => check_decimal(&at(k), v, Some(u.bonus), fails),
            "previous_rank" => check(&at(k), v.as_u64(), u.previous_rank.map(u64::from), fails),
            "rank_change" => check(&at(k), v.as_i64(), u.rank_change, fails),
            "vetoed" => check(&at(k), v.as_bool(), Some(u.vetoed), fails),
            "awards_eligible" => check(&at(k), v.as_bool(), Some(u.awards_eligible), fails),
            "vetoes" | "consequences" => {
                let got: Vec<String> = if k == "vetoes" {
                    u.vetoes.iter().map(|x| x.id.clone()).collect()
                } else {
                    u.consequences.iter().map(|x| x.name.clone()).collect()
                };
                match list_of(v) {
                    Some(want) if want == got => {}
                    Some(want) => fails.push(format!("{}: expected {want:?}, got {got:?}", at(k))),
                    None => {
                        fails.push(format!("{}: the expectation must be a list of text", at(k)))
                    }
                }
            }
            "items" | "metrics" | "metric_ranks" | "metric_rank_changes" => {
                let Json::Object(want) = v else {
                    fails.push(format!("{}: the expectation must be an object", at(k)));
                    continue;
                };
                for (id, w) in want {
                    let what = format!("unit `{}` {} `{id}`", u.id, k.trim_end_matches('s'));
                    match k.as_str() {
                        "items" => match u.items.iter().find(|i| &i.id == id) {
                            Some(i) => check_decimal(&what, w, Some(i.points), fails),
                            None => fails.push(format!("unit `{}` has no item `{id}`", u.id)),
                        },
                        "metrics" => match u.metrics.iter().find(|m| &m.id == id) {
                            Some(m) => check_decimal(&what, w, m.value, fails),
                            None => fails.push(format!("unit `{}` has no metric `{id}`", u.id)),
                        },
                        "metric_ranks" => match u.metrics.iter().find(|m| &m.id == id) {
                            Some(m) => check(&what, w.as_u64(), m.rank.map(u64::from), fails),
                            None => fails.push(format!("unit `{}` has no metric `{id}`", u.id)),
                        },
                        _ => match u.metrics.iter().find(|m| &m.id == id) {
                            Some(m) => check(&what, w.as_i64(), m.rank_change, fails),
                            None => fails.push(format!("unit `{}` has no metric `{id}`", u.id)),
                        },
                    }
                }
            }
            "state" => {
                let Json::Object(want) = v else {
                    fails.push(format!("{}: the expectation must be an object", at(k)));
                    continue;
                };
                for (key, w) in want {
                    let got = u.state.as_ref().and_then(|s| s.get(key));
                    let same = match (decimal_of(w), got.and_then(decimal_of)) {
                        (Some(a), Some(b)) => a == b,
                        _ => got == Some(w),
                    };
                    if !same {
                        fails.push(format!(
                            "unit `{}` state `{key}`: expected `{w}`, got {}",
                            u.id,
                            got.map_or_else(|| "nothing".to_string(), |g| format!("`{g}`"))
                        ));
                    }
                }
            }
            "reason_contains" => {
                let want = v.as_str().unwrap_or_default();
                if !reasons(u).any(|r| r.contains(want)) {
                    fails.push(format!("{}: no reason contains `{want}`", at("reasons")));
                }
            }
            other => fails.push(format!("unit `{}`: unknown expectation `{other}`", u.id)),
        }
    }
}

fn reasons(u: &UnitResult) -> impl Iterator<Item = &str> {
    u.items
        .iter()
        .flat_map(|i| {
            std::iter::once(i.text.as_str()).chain(i.reasons.iter().map(|r| r.detail.as_str()))
        })
        .chain(u.vetoes.iter().map(|v| v.reason.as_str()))
        .chain(u.consequences.iter().map(|c| c.reason.as_str()))
        .chain(u.adjustments.iter().map(|a| a.detail.as_str()))
}

/// The errors a broken rule file declares it must give: its `//! expect-error: …` lines.
pub fn expected_errors(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("//! expect-error:"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// Compiles a broken rule file and compares its errors with the declared ones; returns the
/// differences (empty when they match exactly).
pub fn check_broken(file_name: &str, source: &str, modules: &[(String, String)]) -> Vec<String> {
    let want = expected_errors(source);
    if want.is_empty() {
        return vec![format!(
            "`{file_name}` declares no `//! expect-error:` lines"
        )];
    }
    let got: Vec<String> = match Rules::compile_with_modules(file_name, source, modules) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    };
    if got == want {
        return Vec::new();
    }
    let mut out = Vec::new();
    for w in &want {
        if !got.contains(w) {
            out.push(format!("missing error: {w}"));
        }
    }
    for g in &got {
        if !want.contains(g) {
            out.push(format!("unexpected error: {g}"));
        }
    }
    if out.is_empty() {
        out.push(format!("the errors come in another order: {got:?}"));
    }
    out
}
