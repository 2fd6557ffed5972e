//! Rule test cases (规则测试用例): run a rule set's `NAME.cases.json`, compare partial
//! expectations, measure coverage, and check deliberately broken rule files.
//! The format is documented in `docs/CASES.md`.

use crate::compile::Rules;
use crate::data;
use crate::messages::cases as msg;
use crate::messages::{Lang, Message, Text};
use crate::model::ItemKind;
use crate::previous::Previous;
use crate::result::{Report, UnitResult};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// Reads a file named in a case (relative to the rule file): its bytes, or why not. A file
/// that is not there is best an [`std::io::ErrorKind::NotFound`] error.
pub type Loader<'a> = dyn Fn(&str) -> std::io::Result<Vec<u8>> + 'a;

/// One message of a case run (用例消息): a difference from what a case expected, a line of
/// the coverage, a case file that cannot be run, or a broken rule file's difference; with its
/// catalogue code (`T…`) and, where known, what to do.
///
/// `Display` gives the English words alone (as `kaohe test` printed them); a person reads
/// [`CaseMessage::render`] in their language. JSON gives the zh-CN words in `message`/`help`
/// with the English beside them under `en`, as errors do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMessage {
    /// The stable code (`T0001` …).
    pub(crate) code: &'static str,
    /// What the case found.
    pub(crate) message: Text,
    /// What to do, where known (提示).
    pub(crate) help: Option<Text>,
}

impl From<Message> for CaseMessage {
    fn from(m: Message) -> Self {
        Self {
            code: m.code,
            message: m.text,
            help: m.help,
        }
    }
}

impl CaseMessage {
    /// The catalogue code (`T0001`): stable, never reused for another message.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What the case found, in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }

    /// What to do (提示), in `lang`, where known.
    #[must_use]
    pub fn hint(&self, lang: Lang) -> Option<&str> {
        self.help.as_ref().map(|h| h.get(lang))
    }

    /// `[T0001] …` in `lang`, then the hint on its own line (`  提示：…`).
    pub fn render(&self, lang: Lang) -> String {
        let w = lang.words();
        let mut out = format!("[{}] {}", self.code, self.message.get(lang));
        if let Some(h) = &self.help {
            out.push_str(&format!("\n  {}{}{}", w.help, w.colon, h.get(lang)));
        }
        out
    }
}

impl fmt::Display for CaseMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message.en)
    }
}

impl Serialize for CaseMessage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct English<'a> {
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            help: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct View<'a> {
            code: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            help: Option<&'a str>,
            en: English<'a>,
        }
        View {
            code: self.code,
            message: &self.message.zh,
            help: self.help.as_ref().map(|h| h.zh.as_str()),
            en: English {
                message: &self.message.en,
                help: self.help.as_ref().map(|h| h.en.as_str()),
            },
        }
        .serialize(s)
    }
}

/// One case's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// Every difference from what was expected; empty when the case passed.
    pub failures: Vec<CaseMessage>,
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
    /// Labels of items and vetoes by id, for the Chinese lines (名称).
    #[serde(skip)]
    labels: HashMap<String, String>,
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
                .map(|i| i.id.to_string())
                .collect()
        };
        let mut indicators = ids(ItemKind::Indicator);
        indicators.extend(ids(ItemKind::Deduction));
        indicators.extend(set.cohort_items.iter().map(|c| c.id.to_string()));
        let labels = set
            .items
            .iter()
            .map(|i| (i.id.to_string(), i.label.to_string()))
            .chain(
                set.cohort_items
                    .iter()
                    .map(|c| (c.id.to_string(), c.label.to_string())),
            )
            .chain(set.vetoes.iter().map(|v| (v.id.clone(), v.label.clone())))
            .collect();
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
            labels,
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
                    ItemKind::Bonus if i.points > Decimal::ZERO => mark(&mut self.bonuses.0, i.id),
                    ItemKind::Indicator | ItemKind::Cohort | ItemKind::Deduction
                        if i.points < i.max =>
                    {
                        mark(&mut self.indicators.0, i.id)
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

    /// The coverage for people (覆盖情况): a summary line (`T0101`), then a line per kind of
    /// rule no case exercised, naming them, with what case to add (`T0102`; `T0103` for
    /// vetoes and bands, which every rule set's cases must exercise).
    pub fn lines(&self) -> Vec<CaseMessage> {
        let count = |p: &(Vec<String>, Vec<String>)| (p.1.len() - missing(p).len(), p.1.len());
        let mut out = vec![CaseMessage::from(msg::coverage([
            count(&self.indicators),
            count(&self.bonuses),
            count(&self.vetoes),
            count(&self.bands),
            count(&self.consequences),
        ]))];
        for (kind, p) in [
            (msg::Rule::Indicator, &self.indicators),
            (msg::Rule::Bonus, &self.bonuses),
            (msg::Rule::Veto, &self.vetoes),
            (msg::Rule::Band, &self.bands),
            (msg::Rule::Consequence, &self.consequences),
        ] {
            let m = missing(p);
            if m.is_empty() {
                continue;
            }
            let zh: Vec<String> = m
                .iter()
                .map(|id| match self.labels.get(id).filter(|l| *l != id) {
                    Some(label) => format!("{id}（{label}）"),
                    None => id.clone(),
                })
                .collect();
            let names = Text::new(zh.join("、"), m.join(", "));
            out.push(msg::unexercised(kind, &names).into());
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

/// Runs every case of a `NAME.cases.json` text against compiled rules; `Err` when the case
/// file itself cannot be read (`T0006`).
pub fn run_cases(
    rules: &mut Rules,
    cases_json: &str,
    load: &Loader,
) -> Result<SuiteReport, CaseMessage> {
    let doc: Json = serde_json::from_str(cases_json)
        .map_err(|e| msg::not_json(e.line(), e.column(), &e.to_string()))?;
    let cases = doc
        .get("cases")
        .and_then(Json::as_array)
        .ok_or_else(msg::no_cases)?;
    let mut coverage = Coverage::new(rules);
    let mut out = Vec::new();
    let before = rules.params_now();
    for (n, case) in cases.iter().enumerate() {
        let name = case
            .get("name")
            .and_then(Json::as_str)
            .map_or_else(|| format!("case {}", n + 1), ToString::to_string);
        // Every case runs with the declared parameters, or its own (`"params": {"id": value}`)
        // for this case only; the values set before the suite are put back after it.
        rules.reset_params();
        let given = case
            .get("params")
            .filter(|g| g.as_object().is_none_or(|o| !o.is_empty()));
        let failures = match given {
            None => run_case(rules, case, load, &mut coverage),
            Some(given) => {
                let text = given.to_string();
                match crate::params::read(rules, "params.json", text.as_bytes()) {
                    Ok(values) => {
                        rules.set_params(&values);
                        run_case(rules, case, load, &mut coverage)
                    }
                    Err(errors) => {
                        let say = |lang| -> Vec<String> {
                            errors.iter().map(|e| e.render(lang)).collect()
                        };
                        let why = Text::new(say(Lang::Zh).join("；"), say(Lang::En).join("; "));
                        vec![msg::bad_params(&why).into()]
                    }
                }
            }
        };
        out.push(CaseOutcome { name, failures });
    }
    rules.reset_params();
    rules.set_params(&before);
    Ok(SuiteReport {
        cases: out,
        coverage,
    })
}

/// The errors that stopped a run, in both languages: zh-CN with codes and hints, the English
/// as `kaohe` prints it.
fn run_errors(e: &crate::Error) -> Text {
    let zh: Vec<String> = match e {
        crate::Error::Eval(errs) => errs.0.iter().map(|e| e.render(Lang::Zh)).collect(),
        crate::Error::Data(errs) => errs.errors.iter().map(|e| e.render(Lang::Zh)).collect(),
        crate::Error::Rules(errs) => errs.0.iter().map(|e| e.render(Lang::Zh)).collect(),
        other => vec![other.to_string()],
    };
    Text::new(zh.join("\n"), e.to_string())
}

/// The previous period as the rule set scores another data file (`"previous": {"data": …}`):
/// the same result a `kaohe assess … --format json` of that file would give, read back.
fn previous_from_data(rules: &Rules, path: &str, load: &Loader) -> Result<Previous, Message> {
    let bytes = load(path).map_err(|e| msg::cannot_read(path, &e.to_string()))?;
    let dataset = data::read(&rules.set, path, &bytes);
    if !dataset.errors.is_empty() {
        let e = crate::Error::Data(crate::DataErrors::from(dataset.errors));
        return Err(msg::previous_data_failed(path, &run_errors(&e)));
    }
    let report = rules
        .assess(&dataset.units, None)
        .map_err(|e| msg::previous_data_failed(path, &run_errors(&crate::Error::Eval(e))))?;
    let value =
        serde_json::to_value(&report).map_err(|e| msg::bad_previous(Some(path), &e.to_string()))?;
    Previous::from_value(&value).map_err(|e| msg::bad_previous(Some(path), &e.to_string()))
}

fn run_case(
    rules: &Rules,
    case: &Json,
    load: &Loader,
    coverage: &mut Coverage,
) -> Vec<CaseMessage> {
    let one = |m: Message| vec![CaseMessage::from(m)];
    let mut fails = Vec::new();
    let dataset = match (case.get("data"), case.get("units")) {
        (Some(Json::String(path)), None) => match load(path) {
            Ok(bytes) => data::read(&rules.set, path, &bytes),
            Err(e) => return one(msg::cannot_read(path, &e.to_string())),
        },
        // Read as a JSON file is: for a rule set with a survey, counts are checked too.
        (None, Some(units @ Json::Array(_))) => {
            data::read(&rules.set, "units.json", units.to_string().as_bytes())
        }
        _ => return one(msg::no_data()),
    };
    // The previous period, and the earlier ones (`history`, oldest first; 连续 N 期).
    let period = |v: &Json| -> Result<Previous, Message> {
        match v {
            Json::String(path) => {
                let text = load(path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .map_err(|e| msg::cannot_read(path, &e.to_string()))?;
                Previous::from_json(&text)
                    .map_err(|e| msg::bad_previous(Some(path), &e.to_string()))
            }
            // `{"data": FILE}`: that period is this rule set's result on that file.
            Json::Object(o) if !o.contains_key("schema") && o.contains_key("data") => {
                let path = o.get("data").and_then(Json::as_str).unwrap_or_default();
                previous_from_data(rules, path, load)
            }
            v => Previous::from_value(v).map_err(|e| msg::bad_previous(None, &e.to_string())),
        }
    };
    let mut periods = Vec::new();
    if let Some(h) = case.get("history").filter(|h| !h.is_array()) {
        let why = format!("`history` 应为往期结果的列表，而不是 {h}");
        return one(msg::bad_previous(None, &why));
    }
    let history = case
        .get("history")
        .and_then(Json::as_array)
        .into_iter()
        .flatten();
    for v in history.chain(case.get("previous")) {
        match period(v) {
            Ok(p) => periods.push(p),
            Err(m) => return one(m),
        }
    }
    let previous = if case.get("history").is_some() {
        Previous::from_periods(periods)
    } else {
        periods.pop()
    };
    let expect_error = case.get("expect_error").and_then(Json::as_str);
    let run = if dataset.errors.is_empty() {
        rules
            .assess(&dataset.units, previous.as_ref())
            .map_err(|e| run_errors(&crate::Error::Eval(e)))
    } else {
        Err(run_errors(&crate::Error::Data(crate::DataErrors::from(
            dataset.errors,
        ))))
    };
    let report = match (run, expect_error) {
        (Err(e), Some(want)) if e.en.contains(want) || e.zh.contains(want) => return fails,
        (Err(e), Some(want)) => return one(msg::wrong_error(want, &e)),
        (Err(e), None) => return one(msg::run_failed(&e)),
        (Ok(_), Some(want)) => return one(msg::no_error(want)),
        (Ok(r), None) => r,
    };
    coverage.add(&report);
    if let Some(n) = case.get("expect_units").and_then(Json::as_u64) {
        if report.units.len() as u64 != n {
            fails.push(msg::units_scored(n, report.units.len()).into());
        }
    }
    if let Some(Json::Object(want)) = case.get("expect") {
        for (id, exp) in want {
            match report.units.iter().find(|u| &u.id == id) {
                Some(u) => compare_unit(u, exp, &mut fails),
                None => fails.push(msg::no_unit(id).into()),
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
                    let what = Text::new(format!("汇总“{key}”"), format!("rollup `{key}`"));
                    check_decimal(&what, exp, Some(r.value), &mut fails)
                }
                None => fails.push(msg::no_rollup(key).into()),
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

/// A value as a failure shows it: `` `90` `` or `null` in English, `90` or `（无）` in zh-CN.
fn shown<T: std::fmt::Display>(v: Option<T>) -> Text {
    match v {
        Some(v) => Text::new(v.to_string(), format!("`{v}`")),
        None => Text::new("（无）", "null"),
    }
}

fn check_decimal(what: &Text, exp: &Json, got: Option<Decimal>, fails: &mut Vec<CaseMessage>) {
    let want = if exp.is_null() { None } else { decimal_of(exp) };
    if !exp.is_null() && want.is_none() {
        fails.push(msg::not_a_number(what, &exp.to_string()).into());
        return;
    }
    if want != got {
        fails.push(
            msg::not_met(
                what,
                &shown(want.map(|d| d.normalize())),
                &shown(got.map(|d| d.normalize())),
            )
            .into(),
        );
    }
}

fn check<T: PartialEq + std::fmt::Display>(
    what: &Text,
    want: Option<T>,
    got: Option<T>,
    fails: &mut Vec<CaseMessage>,
) {
    if want != got {
        fails.push(msg::not_met(what, &shown(want), &shown(got)).into());
    }
}

fn list_of(v: &Json) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(ToString::to_string))
        .collect()
}

/// What a unit's expectation may give, as docs/CASES.md lists them.
const EXPECTATIONS: [&str; 18] = [
    "total",
    "total_display",
    "grade",
    "rank",
    "base",
    "bonus",
    "previous_rank",
    "rank_change",
    "vetoed",
    "awards_eligible",
    "vetoes",
    "consequences",
    "items",
    "metrics",
    "metric_ranks",
    "metric_rank_changes",
    "state",
    "reason_contains",
];

/// An expectation's name in zh-CN words.
fn key_zh(k: &str) -> &str {
    match k {
        "total" => "总分",
        "total_display" => "公布总分",
        "grade" => "等次",
        "rank" => "名次",
        "base" => "基础分",
        "bonus" => "加分",
        "previous_rank" => "上期名次",
        "rank_change" => "名次变化",
        "vetoed" => "是否被一票否决",
        "awards_eligible" => "能否评先评优",
        "vetoes" => "一票否决",
        "consequences" => "结果运用",
        "reasons" => "评分理由",
        "item" => "项目",
        "metric" => "指数",
        "metric_rank" => "指数名次",
        "metric_rank_change" => "指数名次变化",
        "state" => "状态",
        other => other,
    }
}

/// A unit as a failure names it: ``unit `X1` ``, `单位“甲镇”（X1）`.
fn unit_text(u: &UnitResult) -> Text {
    let zh = if u.name.trim().is_empty() || u.name == u.id {
        format!("单位 {}", u.id)
    } else {
        format!("单位“{}”（{}）", u.name, u.id)
    };
    Text::new(zh, format!("unit `{}`", u.id))
}

fn compare_unit(u: &UnitResult, exp: &Json, fails: &mut Vec<CaseMessage>) {
    let unit = unit_text(u);
    let Json::Object(exp) = exp else {
        fails.push(msg::wrong_shape(&unit, false).into());
        return;
    };
    let at = |k: &str| {
        Text::new(
            format!("{}{}", unit.zh, key_zh(k)),
            format!("{} {k}", unit.en),
        )
    };
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
                let list = |l: &[String]| {
                    Text::new(
                        if l.is_empty() {
                            "（无）".to_string()
                        } else {
                            l.join("、")
                        },
                        format!("{l:?}"),
                    )
                };
                match list_of(v) {
                    Some(want) if want == got => {}
                    Some(want) => {
                        fails.push(msg::not_met(&at(k), &list(&want), &list(&got)).into())
                    }
                    None => fails.push(msg::wrong_shape(&at(k), true).into()),
                }
            }
            "items" | "metrics" | "metric_ranks" | "metric_rank_changes" => {
                let Json::Object(want) = v else {
                    fails.push(msg::wrong_shape(&at(k), false).into());
                    continue;
                };
                for (id, w) in want {
                    let kind = k.trim_end_matches('s');
                    let what = Text::new(
                        format!("{}{}“{id}”", unit.zh, key_zh(kind)),
                        format!("{} {kind} `{id}`", unit.en),
                    );
                    let metric = u.metrics.iter().find(|m| *m.id == **id);
                    let no_metric = || {
                        let like = crate::messages::closest(id, u.metrics.iter().map(|m| &*m.id));
                        CaseMessage::from(msg::no_entry(&unit, true, id, like))
                    };
                    match k.as_str() {
                        "items" => match u.items.iter().find(|i| *i.id == **id) {
                            Some(i) => check_decimal(&what, w, Some(i.points), fails),
                            None => {
                                let like =
                                    crate::messages::closest(id, u.items.iter().map(|i| i.id));
                                fails.push(msg::no_entry(&unit, false, id, like).into())
                            }
                        },
                        "metrics" => match metric {
                            Some(m) => check_decimal(&what, w, m.value, fails),
                            None => fails.push(no_metric()),
                        },
                        "metric_ranks" => match metric {
                            Some(m) => check(&what, w.as_u64(), m.rank.map(u64::from), fails),
                            None => fails.push(no_metric()),
                        },
                        _ => match metric {
                            Some(m) => check(&what, w.as_i64(), m.rank_change, fails),
                            None => fails.push(no_metric()),
                        },
                    }
                }
            }
            "state" => {
                let Json::Object(want) = v else {
                    fails.push(msg::wrong_shape(&at(k), false).into());
                    continue;
                };
                for (key, w) in want {
                    let got = u.state.as_ref().and_then(|s| s.get(key));
                    let same = match (decimal_of(w), got.and_then(decimal_of)) {
                        (Some(a), Some(b)) => a == b,
                        _ => got == Some(w),
                    };
                    if !same {
                        let what = Text::new(
                            format!("{}状态“{key}”", unit.zh),
                            format!("{} state `{key}`", unit.en),
                        );
                        let want = Text::new(w.to_string(), format!("`{w}`"));
                        let got = match got {
                            Some(g) => Text::new(g.to_string(), format!("`{g}`")),
                            None => Text::new("（无）", "nothing"),
                        };
                        fails.push(msg::not_met(&what, &want, &got).into());
                    }
                }
            }
            "reason_contains" => {
                let want = v.as_str().unwrap_or_default();
                if !reasons(u).any(|r| r.contains(want)) {
                    fails.push(msg::no_reason(&at("reasons"), want).into());
                }
            }
            other => {
                let like = crate::messages::closest(other, EXPECTATIONS.iter().copied());
                fails.push(msg::unknown_expectation(&unit, other, like, &EXPECTATIONS).into())
            }
        }
    }
}

fn reasons(u: &UnitResult) -> impl Iterator<Item = &str> {
    u.items
        .iter()
        .flat_map(|i| std::iter::once(i.text).chain(i.details()))
        .chain(u.vetoes.iter().map(|v| v.reason.as_str()))
        .chain(u.consequences.iter().map(|c| c.reason.as_str()))
        .chain(u.adjustments.iter().map(|a| a.detail.as_str()))
}

/// What a broken rule file declares it must give: its `//! expect-error: …` lines, and its
/// `//! expect-warning: …` lines (for a rule set that compiles with warnings) as
/// `warning: …`.
pub fn expected_errors(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("//! expect-error:")
                .map(|e| e.trim().to_string())
                .or_else(|| {
                    l.strip_prefix("//! expect-warning:")
                        .map(|w| format!("warning: {}", w.trim()))
                })
        })
        .collect()
}

/// Compiles a broken rule file and compares its errors with the declared ones; returns the
/// differences (empty when they match exactly).
pub fn check_broken(
    file_name: &str,
    source: &str,
    modules: &[(String, String)],
) -> Vec<CaseMessage> {
    let want = expected_errors(source);
    if want.is_empty() {
        return vec![msg::no_expected_errors(file_name).into()];
    }
    let got: Vec<String> = match Rules::compile_with_modules(file_name, source, modules) {
        Ok(r) => r
            .warnings()
            .iter()
            .map(|w| format!("warning: {w}"))
            .collect(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    };
    if got == want {
        return Vec::new();
    }
    let mut out: Vec<CaseMessage> = Vec::new();
    for w in &want {
        if !got.contains(w) {
            out.push(msg::missing_error(w).into());
        }
    }
    for g in &got {
        if !want.contains(g) {
            out.push(msg::unexpected_error(g).into());
        }
    }
    if out.is_empty() {
        out.push(msg::error_order(&format!("{got:?}")).into());
    }
    out
}
