//! `survey` and `question`: how answers in a respondents' file (one row per respondent, as
//! 问卷星 or a CATI system exports it) become each unit's answer counts (问卷声明).
//!
//! A question's options count into unit fields the rule set declares, so the same rule set
//! reads a file of counts per unit or a file of answers per respondent, and its metrics
//! (`#{ survey: [...], points | share }`) compute the indices either way.

use super::builder::Builder;
use super::locate::Token;
use super::spec::Spec;
use super::to_decimal;
use crate::messages::rules;
use crate::messages::survey as msg;
use crate::model::{FieldType, Measure, SurveyMethod};
use crate::survey::{Column, MetricLink, Question, Strata, Survey};
use rhai::{Array, Dynamic, Map, Position};
use rust_decimal::Decimal;

/// `survey(#{ unit, id, weight, strata, min_sample, sample, short })`.
pub(super) fn survey(b: &mut Builder, pos: Position, spec: &Map) {
    if b.survey.is_some() {
        b.error(pos, rules::called_twice("survey"));
    }
    let mut s = Spec::new(b, spec, pos, msg::survey_decl());
    let unit = column(&mut s, "unit");
    s.require("unit", rules::add("unit: \"所在镇（街道）\""));
    let id = column(&mut s, "id");
    let weight = column(&mut s, "weight");
    let strata = strata(&mut s);
    let min_sample = match s.get("min_sample") {
        None => None,
        Some(v) => match v.as_int() {
            Ok(n) if n >= 1 => u64::try_from(n).ok(),
            _ => {
                s.err_at(Token::Key("min_sample"), msg::bad_min_sample());
                None
            }
        },
    };
    let sample = typed_field(&mut s, "sample", false);
    let short = typed_field(&mut s, "short", true);
    s.done(&[]);
    if let Some(unit) = unit {
        b.survey = Some(Survey {
            unit,
            id,
            weight,
            strata,
            min_sample,
            sample,
            short,
            questions: Vec::new(),
            metric_links: Vec::new(),
            pos,
        });
    }
}

/// `question("id", #{ header, aliases, number, options, counts, excluded, excluded_count, codes })`.
pub(super) fn question(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    b.declared_questions += 1;
    let what = msg::question_decl(id);
    if b.questions.iter().any(|q| q.id == id) {
        b.error_at(pos, Token::Text(id), rules::declared_twice(&what, false));
    }
    let mut s = Spec::new(b, spec, pos, what);
    // The question's own column: `header` (and `aliases`, `number`) at the top of its map.
    let header = s.required_string("header");
    let aliases = texts(&mut s, "aliases").unwrap_or_default();
    let number = number(&mut s);
    let options = texts(&mut s, "options");
    s.require(
        "options",
        rules::add("options: [\"安全\", \"比较安全\", …]"),
    );
    let excluded = texts(&mut s, "excluded").unwrap_or_default();
    let counts: Option<Vec<usize>> = texts(&mut s, "counts").map(|names| {
        names
            .iter()
            .filter_map(|n| count_field(&mut s, n, "counts"))
            .collect()
    });
    s.require("counts", rules::add("counts: [\"safe4\", \"safe3\", …]"));
    let excluded_count = s
        .string("excluded_count")
        .and_then(|n| count_field(&mut s, &n, "excluded_count"));
    let codes = s.get("codes").map(|v| {
        v.clone().try_cast::<Array>().and_then(|a| {
            a.iter()
                .map(|d| d.as_int().ok())
                .collect::<Option<Vec<i64>>>()
        })
    });
    s.done(&[]);
    let (Some(options), Some(counts)) = (options, counts) else {
        return;
    };
    let mut ok = true;
    if options.len() != counts.len() {
        b.error_at(
            pos,
            Token::Key("counts"),
            rules::within(
                &msg::question_decl(id),
                msg::counts_per_option(options.len(), counts.len()),
            ),
        );
        ok = false;
    }
    let all: Vec<&String> = options.iter().chain(&excluded).collect();
    for (i, a) in all.iter().enumerate() {
        if all[..i].contains(a) {
            b.error_at(
                pos,
                Token::Text(a),
                rules::within(&msg::question_decl(id), msg::answer_twice(a)),
            );
            ok = false;
        }
    }
    let n = all.len();
    let codes = match codes {
        None => (1..=i64::try_from(n).unwrap_or(i64::MAX)).collect(),
        Some(Some(c)) if c.len() == n && (0..n).all(|i| !c[..i].contains(&c[i])) => c,
        Some(_) => {
            b.error_at(
                pos,
                Token::Key("codes"),
                rules::within(&msg::question_decl(id), msg::bad_codes(n)),
            );
            return;
        }
    };
    for (i, f) in counts.iter().enumerate() {
        let other = b
            .questions
            .iter()
            .find(|q| q.counts.contains(f) || q.excluded_count == Some(*f))
            .map(|q| q.id.clone())
            .or_else(|| counts[..i].contains(f).then(|| id.to_string()));
        if let Some(other) = other {
            let name = b.fields[*f].name.clone();
            b.error_at(
                pos,
                Token::Text(&name),
                rules::within(
                    &msg::question_decl(id),
                    msg::field_in_two_questions(&name, &other),
                ),
            );
            ok = false;
        }
    }
    if ok {
        b.questions.push(Question {
            id: id.to_string(),
            column: Column {
                header,
                aliases,
                number,
            },
            options,
            counts,
            excluded,
            excluded_count,
            codes,
            pos,
        });
    }
}

/// Completes the survey once the script has run: its questions, and each metric's link to
/// the question it is computed from. Mistakes go to the builder's errors.
pub(super) fn finish(b: &mut Builder) -> Option<Survey> {
    let questions = std::mem::take(&mut b.questions);
    let Some(mut survey) = b.survey.take() else {
        if let Some(q) = questions.first() {
            b.error_at(q.pos, Token::Text(&q.id), msg::no_survey());
        }
        return None;
    };
    if questions.is_empty() {
        // A question with mistakes is reported as such, not as missing.
        if b.declared_questions == 0 {
            b.error(survey.pos, msg::no_questions());
        }
        return None;
    }
    survey.metric_links = b
        .metrics
        .iter()
        .map(|m| link(&questions, &m.measure))
        .collect();
    survey.questions = questions;
    Some(survey)
}

/// The question a metric's survey value reads, when its count fields are exactly one
/// question's, with what each of that question's options is worth.
fn link(questions: &[Question], measure: &Measure) -> Option<MetricLink> {
    let Measure::Survey { counts, method } = measure else {
        return None;
    };
    questions.iter().enumerate().find_map(|(qi, q)| {
        let same = counts.len() == q.counts.len() && counts.iter().all(|f| q.counts.contains(f));
        if !same {
            return None;
        }
        // The metric lists the fields in its own order: find each option's place in it.
        let place = |f: &usize| counts.iter().position(|c| c == f);
        let (values, share) = match method {
            SurveyMethod::Mean(points) => (
                q.counts
                    .iter()
                    .map(|f| place(f).map(|i| points[i]))
                    .collect::<Option<Vec<Decimal>>>()?,
                false,
            ),
            SurveyMethod::Share(chosen) => (
                q.counts
                    .iter()
                    .map(|f| {
                        place(f).map(|i| {
                            if chosen[i] {
                                Decimal::ONE_HUNDRED
                            } else {
                                Decimal::ZERO
                            }
                        })
                    })
                    .collect::<Option<Vec<Decimal>>>()?,
                true,
            ),
        };
        Some(MetricLink {
            question: qi,
            values,
            share,
        })
    })
}

/// A list of texts under `key`, if present (reported when not a list of texts).
fn texts(s: &mut Spec, key: &'static str) -> Option<Vec<String>> {
    let v = s.get(key)?;
    let list = v
        .clone()
        .try_cast::<Array>()
        .and_then(|a| a.into_iter().map(|d| d.into_string().ok()).collect());
    if list.is_none() {
        s.err_at(Token::Key(key), rules::not_names(key));
    }
    list
}

/// `number: 3`, if present.
fn number(s: &mut Spec) -> Option<u32> {
    let v = s.get("number")?;
    match v.as_int().ok().and_then(|n| u32::try_from(n).ok()) {
        Some(n) => Some(n),
        None => {
            s.err_at(Token::Key("number"), msg::bad_column("number"));
            None
        }
    }
}

/// A column under `key`: a header text, or `#{ header, aliases, number }`.
fn column(s: &mut Spec, key: &'static str) -> Option<Column> {
    let v = s.get(key)?;
    column_of(s, v, key)
}

fn column_of(s: &mut Spec, v: &Dynamic, key: &str) -> Option<Column> {
    if let Ok(header) = v.clone().into_string() {
        return Some(Column {
            header,
            aliases: Vec::new(),
            number: None,
        });
    }
    let Some(m) = v.clone().try_cast::<Map>() else {
        s.err_at(Token::Key(key), msg::bad_column(key));
        return None;
    };
    let header = m.get("header").and_then(|h| h.clone().into_string().ok());
    let aliases: Option<Vec<String>> = match m.get("aliases") {
        None => Some(Vec::new()),
        Some(a) => a
            .clone()
            .try_cast::<Array>()
            .and_then(|a| a.into_iter().map(|d| d.into_string().ok()).collect()),
    };
    let number = match m.get("number") {
        None => Some(None),
        Some(n) => n
            .as_int()
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some),
    };
    let unknown = m
        .keys()
        .any(|k| !["header", "aliases", "number"].contains(&k.as_str()));
    match (header, aliases, number, unknown) {
        (Some(header), Some(aliases), Some(number), false) => Some(Column {
            header,
            aliases,
            number,
        }),
        _ => {
            s.err_at(Token::Key(key), msg::bad_column(key));
            None
        }
    }
}

/// `strata: #{ by: COLUMN | [COLUMN, …], shares: #{ "stratum": share, … } }`.
fn strata(s: &mut Spec) -> Option<Strata> {
    let v = s.get("strata")?;
    let Some(m) = v.clone().try_cast::<Map>() else {
        s.err_at(Token::Key("strata"), msg::bad_shares(None));
        return None;
    };
    let by: Vec<Column> = match m.get("by") {
        Some(list) if list.is_array() => list
            .clone()
            .try_cast::<Array>()
            .unwrap_or_default()
            .iter()
            .filter_map(|c| column_of(s, c, "by"))
            .collect(),
        Some(one) => column_of(s, one, "by").into_iter().collect(),
        None => {
            s.err_at(Token::Key("strata"), msg::bad_column("by"));
            return None;
        }
    };
    let Some(shares) = m.get("shares").and_then(|d| d.clone().try_cast::<Map>()) else {
        s.err_at(Token::Key("strata"), msg::bad_shares(None));
        return None;
    };
    let mut cells = Vec::new();
    for (k, v) in &shares {
        match to_decimal(v) {
            Some(d) if d >= Decimal::ZERO && d <= Decimal::ONE => cells.push((k.to_string(), d)),
            _ => {
                s.err_at(Token::Key(k), msg::bad_shares(None));
                return None;
            }
        }
    }
    let sum: Decimal = cells.iter().map(|(_, d)| *d).sum();
    if sum != Decimal::ONE || by.is_empty() {
        let total = sum.normalize().to_string();
        s.err_at(Token::Key("shares"), msg::bad_shares(Some(&total)));
        return None;
    }
    Some(Strata { by, cells })
}

/// A unit field the survey fills in: numbers for counts and sample sizes, yes/no for the
/// short-sample flag.
fn typed_field(s: &mut Spec, key: &'static str, yes_no: bool) -> Option<usize> {
    let name = s.string(key)?;
    let i = s.field_ref(&name, key)?;
    let ty = s.b.fields[i].ty;
    let fits = if yes_no {
        ty == FieldType::Bool
    } else {
        matches!(ty, FieldType::Int | FieldType::Number)
    };
    if !fits {
        s.err_at(
            Token::Text(&name),
            msg::wrong_field_type(key, &name, yes_no),
        );
        return None;
    }
    Some(i)
}

/// A count field of a question: a declared `int` or `number` field.
fn count_field(s: &mut Spec, name: &str, key: &'static str) -> Option<usize> {
    let i = s.field_ref(name, key)?;
    if !matches!(s.b.fields[i].ty, FieldType::Int | FieldType::Number) {
        s.err_at(Token::Text(name), msg::wrong_field_type(key, name, false));
        return None;
    }
    Some(i)
}
