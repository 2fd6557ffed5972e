//! The `Builder`: collects the declarations while the script runs, then checks them as a
//! whole (scale, categories, grade and veto names) and turns them into a [`RuleSet`].

use super::suggest;
use crate::error::{RuleError, SourceLocation};
use crate::messages::Message;
use crate::model::*;
use rhai::{FnPtr, Position};
use rust_decimal::Decimal;

/// `veto_policy(#{ grade: "earned" })`: a vetoed unit keeps the grade its points earn.
const EARNED: &str = "earned";

/// Collects declarations while the script runs.
pub(super) struct Builder {
    /// The script's name, for error locations.
    file: String,
    /// `ruleset(…)`: id, title, max, bonus_max, decimals.
    pub(super) header: Option<(String, String, Decimal, Option<Decimal>, u32, Publication)>,
    /// `field(…)`, in order.
    pub(super) fields: Vec<Field>,
    /// `unit(…)`: the id field, the name field and the cohort field.
    pub(super) unit: Option<(usize, Option<usize>, Option<usize>)>,
    /// `category(…)`: name and cap.
    pub(super) categories: Vec<(String, Decimal)>,
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
    /// `state(…)`.
    pub(super) state: Option<FnPtr>,
    /// `rollup(…)`.
    pub(super) rollups: Vec<Rollup>,
    /// Where `veto_policy(…)` was called.
    pub(super) veto_policy_pos: Position,
    /// `indicator`/`bonus`/`cohort_indicator` calls, valid or not.
    pub(super) declared_items: usize,
    /// The mistakes found so far.
    pub(super) errors: Vec<RuleError>,
}

impl Builder {
    /// An empty builder for the script `file`.
    pub(super) fn new(file: &str) -> Self {
        Self {
            file: file.to_string(),
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
            state: None,
            rollups: Vec::new(),
            veto_policy_pos: Position::NONE,
            declared_items: 0,
            errors: Vec::new(),
        }
    }

    /// Only reached if a script kept a reference to the builder alive; it cannot, but
    /// this keeps the library free of panics.
    pub(super) fn clone_for_finish(&self) -> Self {
        let mut b = Self::new(&self.file);
        b.errors.push(RuleError::new(
            SourceLocation::new(&self.file, Position::NONE),
            Message::untranslated(
                "internal error: rule declarations still in use after compiling",
                None,
            ),
        ));
        b
    }

    /// Records a mistake at `pos`.
    pub(super) fn error(
        &mut self,
        pos: Position,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.errors.push(RuleError::new(
            SourceLocation::new(&self.file, pos),
            Message::untranslated(message.into(), help),
        ));
    }

    /// Checks the declarations as a whole and returns the rule set, or `None` if the script
    /// left out `ruleset(…)` or `unit(…)`; every mistake goes to `errors`.
    pub(super) fn finish(mut self, errors: &mut Vec<RuleError>) -> Option<RuleSet> {
        let start = Position::new(1, 1);
        if self.header.is_none() {
            self.error(
                start,
                "the script never calls `ruleset(…)`",
                Some(
                    "start the script with `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`"
                        .into(),
                ),
            );
        }
        if self.fields.is_empty() {
            self.error(
                start,
                "the rule set declares no data fields",
                Some("declare each column with `field(\"name\", #{ label: \"表头\", type: \"int\" });`".into()),
            );
        }
        if self.unit.is_none() && !self.fields.is_empty() {
            self.error(
                start,
                "the rule set never says which field identifies a unit",
                Some("add `unit(#{ id: \"code\", name: \"name\" });` after the fields".into()),
            );
        }
        if self.declared_items == 0 && self.metrics.is_empty() {
            self.error(
                start,
                "the rule set has no indicators",
                Some("add at least one `indicator(\"id\", #{ … });`".into()),
            );
        }
        // Categories named by items must be declared (once any is), wherever they are.
        if !self.categories.is_empty() {
            let named: Vec<(Position, String)> = self
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
                if !self.categories.iter().any(|(n, _)| *n == c) {
                    let help = suggest(&c, self.categories.iter().map(|(n, _)| n.as_str()))
                        .or_else(|| Some(format!("declare it with `category(\"{c}\", 25);`")));
                    self.error(pos, format!("category `{c}` is not declared"), help);
                }
            }
        }
        // The items must fit the scale: a unit with full marks must not pass `max`.
        if let Some((_, _, max, _, _, _)) = &self.header {
            let mut reachable = Decimal::ZERO;
            for (name, cap) in &self.categories {
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
            let in_category = |c: &Option<String>| {
                c.as_ref()
                    .is_some_and(|c| self.categories.iter().any(|(n, _)| n == c))
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
                let max = *max;
                self.error(
                    start,
                    format!(
                        "the indicators add up to {} points but the rule set's `max` is {}",
                        reachable.normalize(),
                        max.normalize()
                    ),
                    Some("lower some items' `max`, cap their categories, or raise `max` in `ruleset(…)`".into()),
                );
            }
        }
        // Grades named by prerequisites and consequences must exist.
        let band_names: Vec<String> = self.bands.iter().map(|b| b.name.clone()).collect();
        let mut unknown = Vec::new();
        for p in &self.prerequisites {
            for g in &p.grades {
                if !band_names.contains(g) {
                    unknown.push((p.pos, format!("prerequisite `{}`: ", p.id), g.clone()));
                }
            }
        }
        let mut bad_vetoes = Vec::new();
        for c in &self.consequences {
            if let Outcome::Grade(g) = &c.when {
                if !band_names.contains(g) {
                    unknown.push((c.pos, format!("consequence `{}`: ", c.name), g.clone()));
                }
            }
            if let Outcome::Veto(v) = &c.when {
                if !self.vetoes.iter().any(|x| &x.id == v) {
                    let help = suggest(v, self.vetoes.iter().map(|x| x.id.as_str()));
                    bad_vetoes.push((c.pos, format!("no veto has the id `{v}`"), help));
                }
            }
        }
        for (pos, msg, help) in bad_vetoes {
            self.error(pos, msg, help);
        }
        match self.veto_policy.grade.clone().as_deref() {
            // By default a vetoed unit gets the lowest grade (DOMAIN: 一票否决 → 最低等次).
            None => self.veto_policy.grade = band_names.last().cloned(),
            Some(EARNED) => self.veto_policy.grade = None,
            Some(g) => {
                if !band_names.iter().any(|b| b == g) && !band_names.is_empty() {
                    unknown.push((
                        self.veto_policy_pos,
                        "veto_policy: ".to_string(),
                        g.to_string(),
                    ));
                }
            }
        }
        for (pos, what, g) in unknown {
            let help = suggest(&g, band_names.iter().map(String::as_str))
                .or_else(|| Some(format!("the grades are {}", quote_list(&band_names))));
            self.error(pos, format!("{what}no grade band is named `{g}`"), help);
        }
        errors.append(&mut self.errors);
        let (id, title, max, bonus_max, decimals, publication) = self.header?;
        let (id_field, name_field, cohort_field) = self.unit?;
        Some(RuleSet {
            id,
            title,
            source: self.file,
            max,
            bonus_max,
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
            state: self.state,
            rollups: self.rollups,
        })
    }
}

/// `` `a`, `b`, `c` ``.
fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
