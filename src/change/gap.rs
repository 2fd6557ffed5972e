//! The gap to the next grade and rank (差距分析): for each unit, the points it needs for the
//! band above its grade and for the rank above its own, and where they can come from — each
//! item's headroom (满分 − 得分) and, for a declared shape, the change of data that would earn
//! it, found by the shape ([`crate::shapes`]' levers) and then checked by scoring the unit again
//! with that change, so every gain reported is one the engine computed, category and bonus caps
//! included. A plan (建议) puts changes together until the next grade is reached, again checked
//! by scoring. Other units are held as they are; a closure, a decision table or a value from
//! other units is reported as not invertible rather than guessed.

use crate::compile::Rules;
use crate::data::Unit;
use crate::error::{EvalError, EvalErrors};
use crate::eval::{item_categories, score_unit, Links};
use crate::figures::{display_total, fmt};
use crate::model::{Bound, FieldType, ItemKind, RuleSet, Value};
use crate::previous::Previous;
use crate::shapes::{Lever, Rate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Write as _;

/// Name of the gap result's schema.
pub const SCHEMA: &str = "kaohe-gap";
/// Its version; it changes only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// Every unit's gap (差距分析), in the order of the assessment's result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GapReport {
    /// Always `kaohe-gap`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub schema: &'static str,
    /// Always 1 for this layout.
    pub schema_version: u32,
    /// The rule set's id.
    pub rule_set: String,
    /// Its title.
    pub title: String,
    /// One entry per unit.
    pub units: Vec<UnitGap>,
}

/// One unit's gap.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnitGap {
    /// Unit id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cohort it is ranked in.
    pub cohort: String,
    /// Total points, exact.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub total: Decimal,
    /// Total as published.
    pub total_display: String,
    /// Grade now.
    pub grade: Option<String>,
    /// Rank now.
    pub rank: Option<u32>,
    /// The band above the unit's grade and the points it needs; absent at the top band,
    /// without bands, or when a veto decides the grade.
    pub next_grade: Option<GradeGap>,
    /// The rank above the unit's own and the points it needs; absent for the first.
    pub next_rank: Option<RankGap>,
    /// What holds the unit's grade whatever its points (一票否决, 必备条件), in words.
    pub blocked: Vec<String>,
    /// Items short of full marks, most headroom first.
    pub items: Vec<ItemGap>,
    /// Changes of data that reach the next grade, checked by scoring; absent without a next
    /// grade.
    pub plan: Option<Plan>,
    /// The gap in one sentence.
    pub summary: String,
}

/// The band above a unit's grade.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GradeGap {
    /// Its name.
    pub grade: String,
    /// The total it starts at.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub threshold: Decimal,
    /// Whether the total must be above the threshold (not at it).
    pub strict: bool,
    /// Points needed to reach the threshold (0 when the points are there and something else
    /// holds the grade).
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub points: Decimal,
    /// Whether the band has a quota (名额), so that the points alone may not be enough.
    pub quota: bool,
}

/// The rank above a unit's own.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RankGap {
    /// The rank.
    pub rank: u32,
    /// The unit holding it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its total.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub total: Decimal,
    /// Points needed to draw level with it.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub points: Decimal,
}

/// An item short of full marks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemGap {
    /// Item id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Its category, when it has one.
    pub category: Option<String>,
    /// Points now.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub points: Decimal,
    /// Its most (0 for a deduction from the base).
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub max: Decimal,
    /// Points it can still give (满分 − 得分).
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub headroom: Decimal,
    /// Changes of data that earn more of it, each checked by scoring.
    pub moves: Vec<Move>,
    /// What a step of its data is worth (每减少 1 +0.5 分), when it scores by steps.
    pub rates: Vec<String>,
    /// Why no change of data can be named, when none can.
    pub not_invertible: Option<String>,
}

/// A change of one field of the unit's data and what it earns (数据调整).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Move {
    /// The item it is for.
    pub item: String,
    /// Field name.
    pub field: String,
    /// Column header.
    pub label: String,
    /// The value now, as read.
    pub from: String,
    /// The value that earns the points.
    pub to: String,
    /// Points the item gains.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub item_points: Decimal,
    /// Points the total gains, after caps (and any other item reading the same field).
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub total_points: Decimal,
    /// In words: 集中宣传活动次数由 4 增至 6，集中宣传活动 +2 分.
    pub detail: String,
    /// The change itself, as scoring applies it.
    #[serde(skip)]
    pub(crate) lever: Lever,
    /// The unit scored with the change alone (its total, vetoes and prerequisites), kept for
    /// the plan.
    #[serde(skip)]
    pub(crate) trial: Trial,
}

/// Changes that together reach the next grade (建议).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Plan {
    /// The changes, in the order chosen.
    pub moves: Vec<Move>,
    /// The total with all of them, scored.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub total: Decimal,
    /// The grade with all of them (quotas aside).
    pub grade: Option<String>,
    /// Whether they reach the next grade; when not, they are every change there is.
    pub reached: bool,
    /// In words.
    pub detail: String,
}

/// A unit scored alone with some data: what a change is judged by.
#[derive(Debug, Clone)]
pub(crate) struct Trial {
    total: Decimal,
    points: Vec<Option<Decimal>>,
    vetoed: bool,
    prereq_failed: Vec<usize>,
}

/// What every unit's gap reads: the rule set, the values linked across units, the categories.
struct Scorer<'r, 'a> {
    rules: &'r Rules,
    links: &'r Links<'a>,
    categories: Vec<Option<usize>>,
    /// Each cohort's ranked units by rank, then total from high to low: (rank, position).
    ranked: Vec<Vec<(u32, usize)>>,
    /// What a step of each item's data is worth, in words: the rule set's, the same for every
    /// unit, so written once.
    rates: Vec<Vec<String>>,
}

impl Scorer<'_, '_> {
    /// Scores `unit` (input position `i`, for its metrics) alone; `None` when a rule failed.
    fn trial(&self, i: usize, unit: &Unit) -> Option<Trial> {
        let metrics = self.links.metrics.get(i).map_or(&[][..], Vec::as_slice);
        let mut errors: Vec<EvalError> = Vec::new();
        let s = score_unit(
            self.rules,
            &self.categories,
            unit,
            metrics,
            self.links,
            &mut errors,
            None,
        )?;
        Some(Trial {
            total: s.base.saturating_add(s.bonus).normalize(),
            points: s.points,
            vetoed: !s.vetoes.is_empty(),
            prereq_failed: s.prereq_failed,
        })
    }
}

impl Rules {
    /// Every unit's gap to the next grade and rank (差距分析), from a run in memory of `units`
    /// against `previous`; the units in the order of [`Rules::assess`]'s result. Rule failures
    /// are those of the run.
    pub fn gaps(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
    ) -> Result<GapReport, EvalErrors> {
        self.gaps_of(units, previous, &[] as &[&str])
    }

    /// The gaps of the units named in `only`, by id or name (every unit's when `only` is
    /// empty), as [`Rules::gaps`] gives them: the run is of every unit, but only the units
    /// asked for are worked out — one unit's gap costs one unit's trials.
    pub fn gaps_of<S: AsRef<str>>(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
        only: &[S],
    ) -> Result<GapReport, EvalErrors> {
        let set = &self.set;
        let run = self.run(units, previous, false, false)?;
        let mut errors = Vec::new();
        let links = Links::for_run(self, units, previous, &mut errors);
        let rows = &run.table.rows;
        let ranked = run
            .table
            .cohorts
            .members
            .iter()
            .map(|members| {
                let mut r: Vec<(u32, usize)> = members
                    .iter()
                    .filter_map(|&j| Some((rows[j].rank?, j)))
                    .collect();
                r.sort_by(|a, b| a.0.cmp(&b.0).then(rows[b.1].total.cmp(&rows[a.1].total)));
                r
            })
            .collect();
        let scorer = Scorer {
            rules: self,
            links: &links,
            categories: item_categories(set),
            ranked,
            rates: set
                .items
                .iter()
                .map(|item| {
                    let mut rates = Vec::new();
                    item.shape.inverse().rates(item, &mut rates);
                    rates.iter().map(|r| rate_words(set, r)).collect()
                })
                .collect(),
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| crate::cohort::listing_key(&rows[i], i));
        let wanted = |i: usize| {
            let unit = run.kept[i].unit;
            let id = unit.values[set.id_field].display();
            let name = set.name_field.map(|f| unit.values[f].display());
            only.iter()
                .any(|w| w.as_ref() == id || name.as_deref() == Some(w.as_ref()))
        };
        let units = order
            .into_iter()
            .filter(|&i| only.is_empty() || wanted(i))
            .map(|i| unit_gap(&scorer, &run, i))
            .collect();
        Ok(GapReport {
            schema: SCHEMA,
            schema_version: SCHEMA_VERSION,
            rule_set: set.id.clone(),
            title: set.title.clone(),
            units,
        })
    }
}

/// The gap of the unit at position `i` of the run.
fn unit_gap(scorer: &Scorer, run: &crate::cohort::Run, i: usize) -> UnitGap {
    let set = &scorer.rules.set;
    let standing = &run.table.rows[i];
    let kept = &run.kept[i];
    let unit = kept.unit;
    let id = unit.values[set.id_field].display();
    let name = set
        .name_field
        .map_or_else(|| id.clone(), |f| unit.values[f].display());
    let cohort = run.table.cohorts.names[standing.cohort()].clone();
    let total = standing.total;
    let grade = standing.grade.map(|g| set.bands[g].name.clone());
    // Scored alone, the unit's total may lack its cohort items: the difference stays fixed.
    let alone = scorer.trial(i, unit);
    let offset = alone
        .as_ref()
        .map_or(Decimal::ZERO, |a| total.saturating_sub(a.total));
    let items = item_gaps(scorer, i, unit, &kept.scored.points, alone.as_ref());
    let blocked = blockers(set, standing, &kept.scored.vetoes);
    // A veto decides the grade only where the policy names one (veto_policy grade "earned":
    // the points still do).
    let forced = standing.vetoed && set.veto_policy.grade.is_some();
    let next_grade = (!forced)
        .then(|| next_band(set, standing.grade, total))
        .flatten();
    let next_rank = next_rank(scorer, run, i);
    let plan = next_grade.as_ref().and_then(|g| {
        // Points already there and a quota (名额) holding the grade: no change of data to name.
        if g.points.is_zero() && g.quota && standing.prereq_failed.is_empty() {
            return None;
        }
        let target = set.bands.iter().position(|b| b.name == g.grade)?;
        alone.as_ref()?;
        plan(scorer, i, unit, &items, offset, target)
    });
    let summary = summary(set, &next_grade, &next_rank, &blocked, plan.as_ref());
    UnitGap {
        id,
        name,
        cohort,
        total,
        total_display: display_total(total, set.decimals),
        grade,
        rank: standing.rank,
        next_grade,
        next_rank,
        blocked,
        items,
        plan,
        summary,
    }
}

/// The items short of full marks, with the changes that earn them more, most headroom first.
fn item_gaps(
    scorer: &Scorer,
    i: usize,
    unit: &Unit,
    points: &[Option<Decimal>],
    alone: Option<&Trial>,
) -> Vec<ItemGap> {
    let rules = scorer.rules;
    let set = &rules.set;
    let mut out = Vec::new();
    for (k, item) in set.items.iter().enumerate() {
        let Some(p) = points.get(k).copied().flatten() else {
            continue;
        };
        let max = if item.kind == ItemKind::Deduction {
            Decimal::ZERO
        } else {
            item.max
        };
        let headroom = max.saturating_sub(p);
        if headroom <= Decimal::ZERO {
            continue;
        }
        let rule = item.shape.inverse();
        let mut levers = Vec::new();
        {
            let mut errors = Vec::new();
            let metrics = scorer.links.metrics.get(i).map_or(&[][..], Vec::as_slice);
            let cx =
                crate::eval::Ctx::new(rules, unit, scorer.links, &mut errors).with_metrics(metrics);
            rule.levers(&cx, item, p, &mut levers);
        }
        levers.dedup();
        let mut moves: Vec<Move> = Vec::new();
        if let Some(alone) = alone {
            for lever in levers {
                let Some(m) = try_move(scorer, i, unit, alone, k, p, &lever) else {
                    continue;
                };
                if !moves.iter().any(|x| x.to == m.to && x.field == m.field) {
                    moves.push(m);
                }
            }
        }
        // The smallest step first.
        moves.sort_by_key(|m| m.item_points);
        let not_invertible = moves
            .is_empty()
            .then(|| rule.opaque().map(str::to_string))
            .flatten();
        out.push(ItemGap {
            id: item.id.to_string(),
            label: item.label.to_string(),
            category: item.category.as_ref().map(|c| c.to_string()),
            points: p.normalize(),
            max: max.normalize(),
            headroom: headroom.normalize(),
            moves,
            rates: scorer.rates[k].clone(),
            not_invertible,
        });
    }
    for (c, item) in set.cohort_items.iter().enumerate() {
        let Some(p) = points.get(set.items.len() + c).copied().flatten() else {
            continue;
        };
        let headroom = item.max.saturating_sub(p);
        if headroom > Decimal::ZERO {
            out.push(ItemGap {
                id: item.id.to_string(),
                label: item.label.to_string(),
                category: item.category.as_ref().map(|c| c.to_string()),
                points: p.normalize(),
                max: item.max.normalize(),
                headroom: headroom.normalize(),
                moves: Vec::new(),
                rates: Vec::new(),
                not_invertible: Some(
                    "按组内名次或统计计分，取决于其他单位，不能直接反推所需数据".into(),
                ),
            });
        }
    }
    out.sort_by_key(|i| std::cmp::Reverse(i.headroom));
    out
}

/// The unit with `changes` applied to its data.
fn changed(unit: &Unit, changes: &[&Lever]) -> Unit {
    let mut u = unit.clone();
    for c in changes {
        if let Some(v) = u.values.get_mut(c.field) {
            *v = c.to.clone();
        }
    }
    u
}

/// A lever checked by scoring: what it earns item `k` (now `p`) and the total; `None` when it
/// earns the item nothing, lowers the total, brings a veto or makes a rule fail.
fn try_move(
    scorer: &Scorer,
    i: usize,
    unit: &Unit,
    alone: &Trial,
    k: usize,
    p: Decimal,
    lever: &Lever,
) -> Option<Move> {
    let set = &scorer.rules.set;
    let t = scorer.trial(i, &changed(unit, &[lever]))?;
    let gained = t.points.get(k).copied().flatten()?.saturating_sub(p);
    let total_gain = t.total.saturating_sub(alone.total);
    if gained <= Decimal::ZERO || total_gain < Decimal::ZERO || (t.vetoed && !alone.vetoed) {
        return None;
    }
    let field = &set.fields[lever.field];
    let from = value_words(field.ty, &unit.values[lever.field]);
    let to = value_words(field.ty, &lever.to);
    let item = &set.items[k];
    let verb = match (unit.values[lever.field].number(), lever.to.number()) {
        (Some(a), Some(b)) if field.ty != FieldType::Bool && b > a => "增至",
        (Some(a), Some(b)) if field.ty != FieldType::Bool && b < a => "减至",
        _ => "改为",
    };
    let mut detail = format!(
        "{}由 {} {verb} {}，{} +{} 分",
        field.label,
        shown(&from),
        to,
        item.label,
        fmt(gained)
    );
    if total_gain != gained {
        let _ = write!(detail, "，总分 +{} 分", fmt(total_gain));
    }
    Some(Move {
        item: item.id.to_string(),
        field: field.name.to_string(),
        label: field.label.to_string(),
        from,
        to,
        item_points: gained.normalize(),
        total_points: total_gain.normalize(),
        detail,
        lever: lever.clone(),
        // What the plan reads of it; the points per item are not kept.
        trial: Trial {
            points: Vec::new(),
            ..t
        },
    })
}

/// A value as a change writes it: 是/否 for a yes/no field, 96.5% for a percentage.
fn value_words(ty: FieldType, v: &Value) -> String {
    match (ty, v) {
        (FieldType::Bool, Value::Bool(true)) => "是".into(),
        (FieldType::Bool, Value::Bool(false)) => "否".into(),
        (FieldType::Percent, Value::Number(d)) => format!("{}%", fmt(*d)),
        _ => v.display(),
    }
}

/// A blank value as the words say it.
fn shown(v: &str) -> &str {
    if v.is_empty() {
        "（空）"
    } else {
        v
    }
}

/// 失控人员数每减少 1，+0.5 分.
fn rate_words(set: &RuleSet, r: &Rate) -> String {
    let label = set.fields.get(r.field).map_or("", |f| &*f.label);
    let verb = if r.more { "增加" } else { "减少" };
    format!("{label}每{verb} {}，+{} 分", fmt(r.per), fmt(r.points))
}

/// The band above grade `g` (the best band is first) and the points a total of `total` needs
/// for it.
fn next_band(set: &RuleSet, g: Option<usize>, total: Decimal) -> Option<GradeGap> {
    let target = match g {
        Some(0) => return None,
        Some(g) => g - 1,
        None => set.bands.len().checked_sub(1)?,
    };
    let band = &set.bands[target];
    let (threshold, strict) = band.bounds.iter().find_map(|b| match b {
        Bound::AtLeast(x) | Bound::Equals(x) => Some((*x, false)),
        Bound::Above(x) => Some((*x, true)),
        _ => None,
    })?;
    // Above a strict threshold (`above: 90`): one step of the published decimals past it.
    let step = if strict && total <= threshold {
        Decimal::new(1, set.decimals.min(28))
    } else {
        Decimal::ZERO
    };
    Some(GradeGap {
        grade: band.name.clone(),
        threshold: threshold.normalize(),
        strict,
        points: threshold
            .saturating_sub(total)
            .saturating_add(step)
            .max(Decimal::ZERO)
            .normalize(),
        quota: band.quota.is_some(),
    })
}

/// The rank just above the unit's in its cohort and the points to draw level with it.
fn next_rank(scorer: &Scorer, run: &crate::cohort::Run, i: usize) -> Option<RankGap> {
    let set = &scorer.rules.set;
    let rows = &run.table.rows;
    let me = &rows[i];
    let rank = me.rank.filter(|r| *r > 1 && !me.vetoed)?;
    // The last of the units ranked ahead: the worst rank above, its lowest total.
    let ranked = scorer.ranked.get(me.cohort())?;
    let above = ranked[..ranked.partition_point(|(r, _)| *r < rank)].last()?;
    let j = above.1;
    let unit = run.kept[j].unit;
    let id = unit.values[set.id_field].display();
    let name = set
        .name_field
        .map_or_else(|| id.clone(), |f| unit.values[f].display());
    Some(RankGap {
        rank: above.0,
        id,
        name,
        total: rows[j].total,
        points: rows[j]
            .total
            .saturating_sub(me.total)
            .max(Decimal::ZERO)
            .normalize(),
    })
}

/// What holds the unit's grade whatever its points: the vetoes that struck and what the
/// policy makes of them, and the prerequisites not met.
fn blockers(set: &RuleSet, standing: &crate::cohort::Standing, vetoes: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let policy = &set.veto_policy;
    for v in vetoes.iter().filter_map(|k| set.vetoes.get(*k)) {
        let mut s = format!("一票否决（{}）：{}", v.label, v.reason);
        if let Some(g) = &policy.grade {
            let _ = write!(s, "；等次定为{g}");
        }
        if !policy.awards {
            s.push_str("，不参与评优");
        }
        if policy.grade.is_some() {
            s.push_str("。得分再高也不能改变等次");
        }
        out.push(s);
    }
    for p in standing
        .prereq_failed
        .iter()
        .filter_map(|k| set.prerequisites.get(*k))
    {
        out.push(format!(
            "必备条件未满足（{}）：不能评为{}",
            p.label,
            p.grades.join("、")
        ));
    }
    out
}

/// Changes that reach band `target`: the smallest single change that does, else the largest
/// change of each item in turn until it is reached — each step scored.
fn plan(
    scorer: &Scorer,
    i: usize,
    unit: &Unit,
    items: &[ItemGap],
    offset: Decimal,
    target: usize,
) -> Option<Plan> {
    let set = &scorer.rules.set;
    let levers: Vec<(Lever, &Move)> = items
        .iter()
        .flat_map(|it| it.moves.iter())
        .map(|m| (m.lever.clone(), m))
        .collect();
    if levers.is_empty() {
        return None;
    }
    let reached = |t: &Trial| {
        let total = t.total.saturating_add(offset);
        !(t.vetoed && set.veto_policy.grade.is_some())
            && crate::cohort::band(set, total, &t.prereq_failed).is_some_and(|(_, b)| b <= target)
    };
    let outcome = |changes: &[&Lever]| scorer.trial(i, &changed(unit, changes));
    // One change that is enough, the one that earns least among them (each scored already).
    let single = levers
        .iter()
        .map(|(_, m)| *m)
        .filter(|m| reached(&m.trial))
        .min_by(|a, b| a.trial.total.cmp(&b.trial.total));
    let (moves, trial) = match single {
        Some(m) => (vec![m.clone()], m.trial.clone()),
        None => {
            // The largest change of each field, largest gain first, until it is enough.
            let mut best: Vec<(Lever, &Move)> = Vec::new();
            for (l, m) in &levers {
                match best.iter_mut().find(|(b, _)| b.field == l.field) {
                    Some(b) if m.total_points > b.1.total_points => *b = (l.clone(), m),
                    Some(_) => {}
                    None => best.push((l.clone(), m)),
                }
            }
            best.sort_by_key(|b| std::cmp::Reverse(b.1.total_points));
            let mut chosen: Vec<&Lever> = Vec::new();
            let mut moves = Vec::new();
            let mut last = None;
            for (l, m) in &best {
                chosen.push(l);
                moves.push((*m).clone());
                let t = outcome(&chosen)?;
                let done = reached(&t);
                last = Some(t);
                if done {
                    break;
                }
            }
            (moves, last?)
        }
    };
    let total = trial.total.saturating_add(offset).normalize();
    let grade = crate::cohort::band(set, total, &trial.prereq_failed)
        .map(|(_, b)| set.bands[b].name.clone())
        .filter(|_| !(trial.vetoed && set.veto_policy.grade.is_some()));
    let reached = reached(&trial);
    let shown = display_total(total, set.decimals);
    let detail = if reached {
        format!(
            "调整 {} 项数据后总分 {shown} 分，可评为{}",
            moves.len(),
            grade.as_deref().unwrap_or(&set.bands[target].name)
        )
    } else {
        format!(
            "现有数据全部按建议调整后总分 {shown} 分，仍达不到{}",
            set.bands[target].name
        )
    };
    Some(Plan {
        moves,
        total,
        grade,
        reached,
        detail,
    })
}

/// The gap in one sentence: 距先进（90 分）差 3.8 分；距第 4 名差 0.8 分；调整 2 项数据后可评为先进.
fn summary(
    set: &RuleSet,
    grade: &Option<GradeGap>,
    rank: &Option<RankGap>,
    blocked: &[String],
    plan: Option<&Plan>,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let (None, Some(g)) = (grade, set.veto_policy.grade.as_ref()) {
        if blocked.iter().any(|b| b.starts_with("一票否决")) {
            parts.push(format!("一票否决，等次定为{g}"));
        }
    }
    match grade {
        Some(g)
            if g.points.is_zero()
                && g.quota
                && !blocked.iter().any(|b| b.starts_with("必备条件")) =>
        {
            parts.push(format!(
                "总分已达{}分数线（{} 分），受名额限制未评上：提高名次才能进入名额",
                g.grade,
                fmt(g.threshold)
            ));
        }
        Some(g) if g.points.is_zero() => {
            parts.push(format!(
                "总分已达{}分数线（{} 分）",
                g.grade,
                fmt(g.threshold)
            ));
        }
        Some(g) => parts.push(format!(
            "距{}（{}{} 分）差 {} 分",
            g.grade,
            if g.strict { ">" } else { "≥" },
            fmt(g.threshold),
            fmt(g.points)
        )),
        None if !set.bands.is_empty() && blocked.is_empty() => parts.push("已是最高等次".into()),
        None => {}
    }
    if let Some(r) = rank {
        parts.push(format!(
            "距第 {} 名（{}）差 {} 分",
            r.rank,
            r.name,
            fmt(r.points)
        ));
    }
    if let Some(p) = plan {
        parts.push(p.detail.clone());
    }
    parts.join("；")
}

impl GapReport {
    /// The units of `asked` (codes or names, as [`Rules::gaps_of`] takes them) that no unit of
    /// the report is: names the data does not hold.
    pub fn missing<'a, S: AsRef<str>>(&self, asked: &'a [S]) -> Vec<&'a str> {
        asked
            .iter()
            .map(AsRef::as_ref)
            .filter(|w| !self.units.iter().any(|u| u.id == *w || u.name == *w))
            .collect()
    }

    /// The gaps as a person reads them (差距分析): per unit its standing, the gap to the next
    /// grade and rank, the items short of full marks with the changes that earn them more,
    /// and the plan.
    pub fn table(&self) -> String {
        let mut s = format!("{}：差距分析\n", self.title);
        for u in &self.units {
            let _ = write!(s, "\n{}（{}", u.name, u.id);
            if let Some(r) = u.rank {
                let _ = write!(s, "，第 {r} 名");
            }
            if let Some(g) = &u.grade {
                let _ = write!(s, "，{g}");
            }
            let _ = writeln!(s, "，{} 分）", u.total_display);
            if !u.summary.is_empty() {
                let _ = writeln!(s, "  {}", u.summary);
            }
            for b in &u.blocked {
                let _ = writeln!(s, "  {b}");
            }
            if let Some(p) = &u.plan {
                let _ = writeln!(s, "  建议：");
                for m in &p.moves {
                    let _ = writeln!(s, "    · {}", m.detail);
                }
            }
            if !u.items.is_empty() {
                let _ = writeln!(s, "  可提分项目：");
            }
            for it in &u.items {
                let _ = write!(
                    s,
                    "    {} {}/{} 分，差 {} 分",
                    it.label,
                    fmt(it.points),
                    fmt(it.max),
                    fmt(it.headroom)
                );
                if !it.rates.is_empty() {
                    let _ = write!(s, "（{}）", it.rates.join("；"));
                }
                s.push('\n');
                for m in &it.moves {
                    let _ = writeln!(s, "      - {}", m.detail);
                }
                if let Some(why) = &it.not_invertible {
                    let _ = writeln!(s, "      - {why}");
                }
            }
        }
        crate::output::printable_lines(&s)
    }

    /// One row per unit (UTF-8, no byte-order mark): its standing, the next grade and rank
    /// with the points they need, the points its items can still give, and the plan.
    /// The writer failing (it writes to memory) is C0008.
    pub fn csv(&self) -> Result<Vec<u8>, crate::messages::Message> {
        self.write_csv()
            .map_err(|e| crate::messages::cli::cannot_write_result(&e.to_string()))
    }

    fn write_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "单位编码",
            "单位名称",
            "名次",
            "总分",
            "等次",
            "目标等次",
            "距目标等次差距",
            "上一名次",
            "距上一名次差距",
            "可提分合计",
            "建议",
            "建议后总分",
            "差距说明",
        ])?;
        for u in &self.units {
            let headroom = u
                .items
                .iter()
                .fold(Decimal::ZERO, |a, i| a.saturating_add(i.headroom));
            let plan = u.plan.as_ref();
            let moves: Vec<&str> = plan
                .map(|p| p.moves.iter().map(|m| m.detail.as_str()).collect())
                .unwrap_or_default();
            let opt = |d: Option<Decimal>| d.map(fmt).unwrap_or_default();
            let safe = |t: String| crate::output::spreadsheet_safe(&t).into_owned();
            let record = [
                safe(u.id.clone()),
                safe(u.name.clone()),
                u.rank.map(|r| r.to_string()).unwrap_or_default(),
                u.total_display.clone(),
                u.grade.clone().unwrap_or_default(),
                u.next_grade
                    .as_ref()
                    .map(|g| g.grade.clone())
                    .unwrap_or_default(),
                opt(u.next_grade.as_ref().map(|g| g.points)),
                u.next_rank
                    .as_ref()
                    .map(|r| r.rank.to_string())
                    .unwrap_or_default(),
                opt(u.next_rank.as_ref().map(|r| r.points)),
                fmt(headroom),
                safe(moves.join("；")),
                opt(plan.map(|p| p.total)),
                safe(u.summary.clone()),
            ];
            w.write_record(&record)?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::shapes::Shape;
    use crate::Rules;

    /// A closure's points and a cohort item's cannot be traced back to data: they say so and
    /// suggest nothing.
    #[test]
    fn closures_and_cohort_items_are_not_inverted() {
        let mut closures = 0;
        let mut cohort = 0;
        for b in crate::bundled::ALL.iter().filter(|b| b.data.is_some()) {
            let Ok(rules) = Rules::compile_with_files(b.rules_path, b.rules, &[], b.loader())
            else {
                continue;
            };
            let ds = crate::read(&rules, "data.csv", b.data.unwrap_or_default());
            let Ok(g) = rules.gaps(&ds.units, None) else {
                continue;
            };
            for item in g.units.iter().flat_map(|u| &u.items) {
                let shape = rules.set.items.iter().find(|i| *i.id == *item.id);
                match shape.map(|i| &i.shape) {
                    Some(Shape::Score(_)) => {
                        assert!(item.moves.is_empty());
                        let why = item.not_invertible.as_deref().unwrap_or_default();
                        assert!(why.contains("自定义公式"), "{why}");
                        closures += 1;
                    }
                    None => {
                        assert!(item.moves.is_empty());
                        let why = item.not_invertible.as_deref().unwrap_or_default();
                        assert!(why.contains("其他单位"), "{why}");
                        cohort += 1;
                    }
                    _ => {}
                }
            }
        }
        assert!(
            closures > 0 && cohort > 0,
            "{closures} closures, {cohort} cohort items"
        );
    }
}
