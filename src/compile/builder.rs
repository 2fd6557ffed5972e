//! The `Builder`: collects the declarations while the script runs, then checks them as a
//! whole (scale, categories, grade and veto names) and turns them into a [`RuleSet`].

use super::closest;
use super::locate::{Source, Token};
use crate::error::{RuleError, SourceLocation};
use crate::messages::rules::{self, Decl};
use crate::messages::{Message, Text};
use crate::model::*;
use rhai::{FnPtr, Position};
use rust_decimal::Decimal;

/// `veto_policy(#{ grade: "earned" })`: a vetoed unit keeps the grade its points earn.
const EARNED: &str = "earned";

/// `ruleset(#{ … })`: the scheme's header.
pub(super) struct Header {
    pub(super) id: String,
    pub(super) title: String,
    /// The scale (满分).
    pub(super) max: Decimal,
    pub(super) bonus_max: Option<Decimal>,
    /// Points every unit starts from (基础分).
    pub(super) base: Decimal,
    pub(super) decimals: u32,
    pub(super) publication: Publication,
}

/// Collects declarations while the script runs.
pub(super) struct Builder {
    /// The script's name, for error locations.
    file: String,
    /// The script's text, to find a mistaken key or name in.
    text: String,
    /// The text scanned, once the first mistake needs it.
    source: Option<Source>,
    /// `ruleset(…)`.
    pub(super) header: Option<Header>,
    /// `field(…)`, in order.
    pub(super) fields: Vec<Field>,
    /// `unit(…)`: the id field, the name field and the cohort field.
    pub(super) unit: Option<(usize, Option<usize>, Option<usize>)>,
    /// `category(…)`.
    pub(super) categories: Vec<Category>,
    /// `indicator(…)` and `bonus(…)`.
    pub(super) items: Vec<Item>,
    /// `cohort_indicator(…)`.
    pub(super) cohort_items: Vec<CohortItem>,
    /// `veto(…)`.
    pub(super) vetoes: Vec<Veto>,
    /// `veto_policy(…)`, or the default.
    pub(super) veto_policy: VetoPolicy,
    /// `prerequisite(…)`.
    pub(super) prerequisites: Vec<Prerequisite>,
    /// `grades([…])`, best first.
    pub(super) bands: Vec<Band>,
    /// `ranking(#{ ties })`.
    pub(super) ties: TiePolicy,
    /// `consequence(…)`.
    pub(super) consequences: Vec<Consequence>,
    /// `metric(…)`.
    pub(super) metrics: Vec<Metric>,
    /// `param(…)`.
    pub(super) params: Vec<Param>,
    /// Item ids read as `#{ previous: "ID" }`, with where: checked once every item is declared.
    pub(super) previous_items: Vec<(Position, String)>,
    /// Grades and consequences a condition tests in the previous period, with where: checked
    /// once every grade and consequence is declared.
    pub(super) previous_labels: Vec<(Position, crate::previous::PreviousLabel)>,
    /// `state(…)`.
    pub(super) state: Option<FnPtr>,
    /// `rollup(…)`.
    pub(super) rollups: Vec<Rollup>,
    /// `survey(…)`, its questions not yet in it.
    pub(super) survey: Option<crate::survey::Survey>,
    /// `question(…)`, in order.
    pub(super) questions: Vec<crate::survey::Question>,
    /// `question(…)` calls, valid or not.
    pub(super) declared_questions: usize,
    /// Where `veto_policy(…)` was called.
    pub(super) veto_policy_pos: Position,
    /// Where `grades(…)` was called.
    pub(super) grades_pos: Position,
    /// Where `ruleset(…)` was called.
    pub(super) ruleset_pos: Position,
    /// Whether `ruleset(…)` writes `max` (else the scale is 100 by default).
    pub(super) max_written: bool,
    /// Where each of `categories` was declared.
    pub(super) category_pos: Vec<Position>,
    /// `indicator`/`bonus`/`cohort_indicator` calls, valid or not.
    pub(super) declared_items: usize,
    /// The mistakes found so far.
    pub(super) errors: Vec<RuleError>,
    /// What is not wrong as such but likely a slip (警告): the rule set still compiles.
    pub(super) warnings: Vec<RuleError>,
    /// The numbers each declaration writes, by where it is: for the check of items' wording.
    pub(super) declared_numbers: Vec<(Position, Vec<Decimal>)>,
    /// Reads the files the rule set names beside itself (规则附表).
    pub(super) files: Option<super::FileLoader>,
}

impl Builder {
    /// An empty builder for the script `file`, whose text is `text`.
    pub(super) fn new(file: &str, text: &str) -> Self {
        Self {
            file: file.to_string(),
            text: text.to_string(),
            source: None,
            header: None,
            fields: Vec::new(),
            unit: None,
            categories: Vec::new(),
            items: Vec::new(),
            cohort_items: Vec::new(),
            vetoes: Vec::new(),
            veto_policy: VetoPolicy {
                grade: None,
                awards: false,
                rank: VetoRank::Last,
                show_points: true,
            },
            prerequisites: Vec::new(),
            bands: Vec::new(),
            ties: TiePolicy::Competition,
            consequences: Vec::new(),
            metrics: Vec::new(),
            params: Vec::new(),
            previous_items: Vec::new(),
            previous_labels: Vec::new(),
            state: None,
            rollups: Vec::new(),
            survey: None,
            questions: Vec::new(),
            declared_questions: 0,
            veto_policy_pos: Position::NONE,
            grades_pos: Position::NONE,
            ruleset_pos: Position::NONE,
            max_written: false,
            category_pos: Vec::new(),
            declared_items: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            declared_numbers: Vec::new(),
            files: None,
        }
    }

    /// Only reached if a script kept a reference to the builder alive; it cannot, but
    /// this keeps the library free of panics.
    pub(super) fn clone_for_finish(&self) -> Self {
        let mut b = Self::new(&self.file, "");
        b.error(Position::NONE, rules::still_in_use());
        b
    }

    /// Records a mistake at `pos`, the position of a declaration's call.
    pub(super) fn error(&mut self, pos: Position, m: Message) {
        self.errors
            .push(RuleError::new(SourceLocation::new(&self.file, pos), m));
    }

    /// Records a mistake at a place of another file (a cell of a workbook beside the rules).
    pub(super) fn error_in(&mut self, location: SourceLocation, m: Message) {
        self.errors.push(RuleError::new(location, m));
    }

    /// Records a mistake at `token` inside the declaration's call at `pos`, or at `pos` when
    /// the call does not spell the token out.
    pub(super) fn error_at(&mut self, pos: Position, token: Token, m: Message) {
        let location = self.locate(pos, token);
        self.errors.push(RuleError::new(location, m));
    }

    /// Records a warning at `token` inside the declaration's call at `pos`.
    pub(super) fn warn_at(&mut self, pos: Position, token: Token, m: Message) {
        let location = self.locate(pos, token);
        self.warnings.push(RuleError::new(location, m));
    }

    /// Where `token` is inside the declaration's call at `pos`, or `pos` when the call does not
    /// spell it out.
    fn locate(&mut self, pos: Position, token: Token) -> SourceLocation {
        let text = &self.text;
        let found = self.source.get_or_insert_with(|| Source::new(text)).find(
            pos,
            &crate::sandbox::API,
            token,
        );
        match found {
            Some((line, column)) => SourceLocation {
                file: self.file.clone(),
                line,
                column,
            },
            None => SourceLocation::new(&self.file, pos),
        }
    }

    /// Checks the declarations as a whole and returns the rule set, or `None` if the script
    /// left out `ruleset(…)` or `unit(…)`; every mistake goes to `errors`.
    pub(super) fn finish(
        mut self,
        errors: &mut Vec<RuleError>,
        warnings: &mut Vec<RuleError>,
    ) -> Option<RuleSet> {
        let start = Position::new(1, 1);
        if self.header.is_none() {
            self.error(start, rules::no_ruleset());
        }
        if self.fields.is_empty() {
            self.error(start, rules::no_fields());
        }
        if self.unit.is_none() && !self.fields.is_empty() {
            self.error(start, rules::no_unit());
        }
        if self.declared_items == 0 && self.metrics.is_empty() {
            self.error(start, rules::no_indicators());
        }
        // Categories named by items must be declared (once any is), wherever they are.
        if !self.categories.is_empty() {
            let named: Vec<(Position, Name)> = self
                .items
                .iter()
                .filter_map(|i| Some((i.pos, i.category.clone()?)))
                .chain(
                    self.cohort_items
                        .iter()
                        .filter_map(|i| Some((i.pos, i.category.clone()?))),
                )
                .collect();
            for (pos, c) in named {
                if !self.categories.iter().any(|k| *k.name == *c) {
                    let near = closest(&c, self.categories.iter().map(|k| k.name.as_str()));
                    let m = rules::undeclared_category(&c, near);
                    self.error_at(pos, Token::Text(&c), m);
                }
            }
        }
        // Items read in the previous period must be items of the rule set.
        for (pos, id) in std::mem::take(&mut self.previous_items) {
            if !self.items.iter().any(|i| *i.id == *id) {
                let near = closest(&id, self.items.iter().map(|i| &*i.id));
                self.error_at(
                    pos,
                    Token::Text(&id),
                    rules::undeclared_previous_item(&id, near),
                );
            }
        }
        // The items must fit the scale: a unit with full marks must not pass `max`.
        if let Some(Header { max, base, .. }) = &self.header {
            let mut reachable = *base;
            for Category { name, max: cap, .. } in &self.categories {
                let inside: Decimal = self
                    .items
                    .iter()
                    .filter(|i| {
                        i.kind == ItemKind::Indicator
                            && i.only.is_none()
                            && i.category.as_deref() == Some(name)
                    })
                    .fold(Decimal::ZERO, |a, i| a.saturating_add(i.max));
                reachable = reachable.saturating_add(inside.min(*cap));
            }
            let in_category = |c: &Option<Name>| {
                c.as_ref()
                    .is_some_and(|c| self.categories.iter().any(|k| *k.name == **c))
            };
            // Items with `only` belong to some units: each group's own items are not summed.
            for i in &self.items {
                if i.kind == ItemKind::Indicator && i.only.is_none() && !in_category(&i.category) {
                    reachable = reachable.saturating_add(i.max);
                }
            }
            // Cohort indicators are added after the category caps, so they count in full.
            for i in self.cohort_items.iter().filter(|i| i.only.is_none()) {
                reachable = reachable.saturating_add(i.max);
            }
            if reachable > *max {
                let m = rules::over_max(
                    &reachable.normalize().to_string(),
                    &max.normalize().to_string(),
                );
                self.error(start, m);
            }
        }
        // The wording of items not scored by a closure against the numbers of their own
        // declaration, of the metrics they read, and of the vetoes and prerequisites (which an
        // item's words often repeat: 发现10人以上的直接评为C级).
        let numbers_at = |pos: Position| -> Vec<Decimal> {
            self.declared_numbers
                .iter()
                .filter(|(p, _)| *p == pos)
                .flat_map(|(_, n)| n.iter().copied())
                .collect()
        };
        let mut shared: Vec<Decimal> = Vec::new();
        for pos in self
            .vetoes
            .iter()
            .map(|v| v.pos)
            .chain(self.prerequisites.iter().map(|p| p.pos))
        {
            shared.extend(numbers_at(pos));
        }
        // The numbers in field labels describe the data (阅读量5万至10万篇数), not parameters.
        for f in &self.fields {
            shared.extend(super::wording::written_values(&f.label));
        }
        // A declared parameter's value may be written in any item's words (低于全省平均85%).
        for p in &self.params {
            shared.push(p.value);
            shared.extend(super::wording::written_values(&p.label));
        }
        // A value measured by a closure, directly or through metrics and links.
        let metrics = &self.metrics;
        let by_closure = |i: &Item| {
            let mut next = i.shape.measure();
            for _ in 0..16 {
                next = match next {
                    Some(Measure::Closure(_)) => return true,
                    Some(Measure::Metric(m))
                    | Some(Measure::Linked {
                        field: LinkTarget::Metric(m),
                        ..
                    }) => metrics.get(*m).map(|x| &x.measure),
                    _ => break,
                };
            }
            i.shape.is_closure()
        };
        let wording: Vec<(Position, Vec<String>)> = self
            .items
            .iter()
            .filter(|i| !i.text.is_empty() && !by_closure(i))
            .map(|i| {
                let mut declared = numbers_at(i.pos);
                declared.extend(shared.iter().copied());
                if let Some(Measure::Metric(m)) = i.shape.measure() {
                    if let Some(metric) = self.metrics.get(*m) {
                        declared.extend(numbers_at(metric.pos));
                    }
                }
                let found = super::wording::unmatched_numbers(&i.text, &declared, i.max);
                (i.pos, found)
            })
            .filter(|(_, found)| !found.is_empty())
            .collect();
        for (pos, found) in wording {
            self.warn_at(pos, Token::Key("text"), rules::wording_numbers(&found));
        }
        // Only when every item compiled: a missing one would only repeat its own error.
        if self.declared_items == self.items.len() + self.cohort_items.len() {
            super::reach::check_sections(&mut self);
            super::reach::check_bands(&mut self);
        }
        // Grades named by prerequisites and consequences must exist.
        let band_names: Vec<String> = self.bands.iter().map(|b| b.name.clone()).collect();
        let mut unknown: Vec<(Position, Text, String)> = Vec::new();
        for p in &self.prerequisites {
            for g in &p.grades {
                if !band_names.contains(g) {
                    unknown.push((p.pos, Decl::Prerequisite(&p.id).text(), g.clone()));
                }
            }
        }
        let mut bad_vetoes = Vec::new();
        for (pos, label) in &self.previous_labels {
            use crate::previous::PreviousLabel;
            match label {
                PreviousLabel::Grade(names) => {
                    for g in names
                        .iter()
                        .filter(|g| !band_names.iter().any(|b| *b == ***g))
                    {
                        unknown.push((*pos, rules::previous_grade_place(), g.to_string()));
                    }
                }
                PreviousLabel::Consequence(name) => {
                    if !self.consequences.iter().any(|c| *c.name == **name) {
                        let near = closest(name, self.consequences.iter().map(|c| &*c.name));
                        let m = rules::undeclared_consequence("previous_consequence", name, near);
                        bad_vetoes.push((*pos, name.to_string(), m));
                    }
                }
            }
        }
        for (k, c) in self.consequences.iter().enumerate() {
            // What `consecutive` holds in a row is checked as the condition itself.
            let when = match &c.when {
                Outcome::Consecutive { of, .. } => of,
                w => w,
            };
            if let Outcome::Consequence(name) = when {
                if !self.consequences[..k].iter().any(|x| x.name == *name) {
                    let near = closest(name, self.consequences[..k].iter().map(|c| &*c.name));
                    let m = rules::undeclared_consequence("consequence", name, near);
                    bad_vetoes.push((c.pos, name.clone(), m));
                }
            }
            if let Outcome::Grade(g) = when {
                if !band_names.contains(g) {
                    unknown.push((c.pos, Decl::Consequence(&c.name).text(), g.clone()));
                }
            }
            if let Outcome::Veto(v) = when {
                if !self.vetoes.iter().any(|x| &x.id == v) {
                    let near = closest(v, self.vetoes.iter().map(|x| x.id.as_str()));
                    bad_vetoes.push((c.pos, v.clone(), rules::undeclared_veto(v, near)));
                }
            }
        }
        for (pos, v, m) in bad_vetoes {
            self.error_at(pos, Token::Text(&v), m);
        }
        match self.veto_policy.grade.clone().as_deref() {
            // By default a vetoed unit gets the lowest grade (DOMAIN: 一票否决 → 最低等次).
            None => self.veto_policy.grade = band_names.last().cloned(),
            Some(EARNED) => self.veto_policy.grade = None,
            Some(g) => {
                if !band_names.iter().any(|b| b == g) && !band_names.is_empty() {
                    unknown.push((self.veto_policy_pos, Decl::VetoPolicy.text(), g.to_string()));
                }
            }
        }
        for (pos, what, g) in unknown {
            let near = closest(&g, band_names.iter().map(String::as_str));
            let m = rules::within(&what, rules::undeclared_grade(&g, near, &band_names));
            self.error_at(pos, Token::Text(&g), m);
        }
        let survey = super::survey::finish(&mut self);
        errors.append(&mut self.errors);
        warnings.append(&mut self.warnings);
        let Header {
            id,
            title,
            max,
            bonus_max,
            base,
            decimals,
            publication,
        } = self.header?;
        let (id_field, name_field, cohort_field) = self.unit?;
        Some(RuleSet {
            id,
            title,
            source: self.file,
            max,
            bonus_max,
            base,
            decimals,
            publication,
            fields: self.fields,
            id_field,
            name_field,
            cohort_field,
            categories: self.categories,
            items: self.items,
            cohort_items: self.cohort_items,
            vetoes: self.vetoes,
            veto_policy: self.veto_policy,
            prerequisites: self.prerequisites,
            bands: self.bands,
            ties: self.ties,
            consequences: self.consequences,
            metrics: self.metrics,
            params: self.params,
            state: self.state,
            rollups: self.rollups,
            survey,
        })
    }
}
