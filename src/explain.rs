//! A unit's items and their explanation (计分明细) kept compactly: what is the same for every
//! unit (an item's id, label, category, maximum, the rule author's text) once per run and
//! shared (`ItemInfo`); per unit, each item's points and every reason's words written once
//! into one text buffer and every datum's value into another, with spans into them — a few
//! allocations per unit rather than several per item and reason. Shapes write into it as they
//! explain (`Notes`); readers get views ([`ItemView`]) or owned copies ([`Reason`]);
//! serialised, it is the same JSON as owned items and reasons would give.

use crate::model::{ItemKind, Name, RuleSet};
use crate::result::{DataUse, Reason};
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};
use std::fmt::{self, Write as _};
use std::sync::Arc;

/// A stretch of one of the buffers (or of the records), as `(start, end)`.
pub(crate) type Span = (u32, u32);

fn span(from: usize, to: usize) -> Span {
    let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    (at(from), at(to))
}

fn range((a, b): Span) -> std::ops::Range<usize> {
    a as usize..b as usize
}

/// What a result says of an item that is the same for every unit (考核项目).
#[derive(Debug, Clone)]
pub(crate) struct ItemInfo {
    /// Rule id.
    pub id: Name,
    /// Label.
    pub label: Name,
    /// Category, if any.
    pub category: Option<Name>,
    /// `indicator`, `bonus`, `deduction` or `cohort`.
    pub kind: ItemKind,
    /// Maximum points.
    pub max: Decimal,
    /// The rule author's text.
    pub text: Name,
}

/// Every item of a rule set as results show it: its items, then its cohort items. Made once
/// per run and shared by every unit's [`Items`].
pub(crate) fn item_info(set: &RuleSet) -> Arc<[ItemInfo]> {
    let items = set.items.iter().map(|i| ItemInfo {
        id: i.id.clone(),
        label: i.label.clone(),
        category: i.category.clone(),
        kind: i.kind,
        max: i.max.normalize(),
        text: i.text.clone(),
    });
    let cohort = set.cohort_items.iter().map(|i| ItemInfo {
        id: i.id.clone(),
        label: i.label.clone(),
        category: i.category.clone(),
        kind: ItemKind::Cohort,
        max: i.max.normalize(),
        text: i.text.clone(),
    });
    items.chain(cohort).collect()
}

/// One item's points for a unit; what every unit shares is in [`ItemInfo`].
#[derive(Debug, Clone)]
struct ItemRec {
    /// Index into the run's [`ItemInfo`]s.
    item: u32,
    points: Decimal,
    not_applicable: bool,
    /// Its reasons among the unit's.
    reasons: Span,
}

/// A unit's items with their reasons (计分明细), in the order scored.
#[derive(Debug, Clone, Default)]
pub struct Items {
    info: Arc<[ItemInfo]>,
    list: Vec<ItemRec>,
    notes: Notes,
}

/// The words and data of a unit's reasons: the text of every reason in `text`, every datum's
/// value in `vals`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Notes {
    text: String,
    vals: String,
    reasons: Vec<ReasonRec>,
    data: Vec<DataRec>,
}

#[derive(Debug, Clone)]
struct ReasonRec {
    detail: Span,
    points: Decimal,
    data: Span,
}

#[derive(Debug, Clone)]
struct DataRec {
    field: Name,
    label: Name,
    value: Span,
}

/// Where a reason begins: its words and its data are what is written after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    text: usize,
    data: usize,
}

impl Notes {
    /// Begins a reason: write its data and its words, then [`Notes::close`] it.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            text: self.text.len(),
            data: self.data.len(),
        }
    }

    /// The reason begun at `m`: the words and data written since, and its points.
    pub(crate) fn close(&mut self, m: Mark, points: Decimal) {
        self.reasons.push(ReasonRec {
            detail: span(m.text, self.text.len()),
            points,
            data: span(m.data, self.data.len()),
        });
    }

    /// The words of the reason being written.
    pub(crate) fn text(&mut self) -> &mut String {
        &mut self.text
    }

    /// A datum the reason read: its field, its label and its value as written.
    pub(crate) fn datum(&mut self, field: &Name, label: &Name, value: impl fmt::Display) {
        let from = self.vals.len();
        let _ = write!(self.vals, "{value}");
        self.data.push(DataRec {
            field: field.clone(),
            label: label.clone(),
            value: span(from, self.vals.len()),
        });
    }

    /// A datum given whole.
    pub(crate) fn push_datum(&mut self, d: DataUse) {
        self.datum(&d.field, &d.label, d.value);
    }

    /// A whole reason given as it is.
    pub(crate) fn push(&mut self, r: Reason) {
        let m = self.mark();
        self.text.push_str(&r.detail);
        for d in r.data {
            self.push_datum(d);
        }
        self.close(m, r.points);
    }

    /// The data noted, whole.
    pub(crate) fn into_data(self) -> Vec<DataUse> {
        let Notes { vals, data, .. } = self;
        data.into_iter()
            .map(|d| DataUse {
                value: vals.get(range(d.value)).unwrap_or("").to_owned(),
                field: d.field,
                label: d.label,
            })
            .collect()
    }

    /// Whether a datum of `field` was written since `m`.
    pub(crate) fn has_field_since(&self, m: Mark, field: &str) -> bool {
        let since = self.data.get(m.data..).unwrap_or(&[]);
        since.iter().any(|d| &*d.field == field)
    }

    /// How many data were written since `m`.
    pub(crate) fn data_since(&self, m: Mark) -> usize {
        self.data.len().saturating_sub(m.data)
    }

    /// Writes `f(label, value)` for datum `k` since `m` into the reason's words.
    pub(crate) fn write_datum(
        &mut self,
        m: Mark,
        k: usize,
        f: impl FnOnce(&mut String, &str, &str),
    ) {
        if let Some(d) = self.data.get(m.data + k) {
            let value = self.vals.get(range(d.value)).unwrap_or("");
            f(&mut self.text, &d.label, value);
        }
    }

    /// Writes `label = value` of datum `k` since `m` into the reason's words.
    pub(crate) fn write_label_is(&mut self, m: Mark, k: usize) {
        self.write_datum(m, k, |t, l, x| {
            t.push_str(l);
            t.push_str(" = ");
            t.push_str(x);
        });
    }

    fn detail(&self, r: &ReasonRec) -> &str {
        self.text.get(range(r.detail)).unwrap_or("")
    }

    fn data_of(&self, r: &ReasonRec) -> &[DataRec] {
        self.data.get(range(r.data)).unwrap_or(&[])
    }

    fn value(&self, d: &DataRec) -> &str {
        self.vals.get(range(d.value)).unwrap_or("")
    }
}

impl Items {
    /// No item yet, of the run's items `info`.
    pub(crate) fn new(info: &Arc<[ItemInfo]>) -> Self {
        Items {
            info: Arc::clone(info),
            list: Vec::with_capacity(info.len()),
            notes: Notes::default(),
        }
    }

    /// As [`Items::new`], with room for the explanation of every item as the bundled rule sets
    /// write them (about one reason of 80 bytes per item, reading one or two values), so that
    /// the buffers are seldom grown.
    pub(crate) fn explained(info: &Arc<[ItemInfo]>) -> Self {
        let n = info.len();
        Items {
            info: Arc::clone(info),
            list: Vec::with_capacity(n),
            notes: Notes {
                text: String::with_capacity(80 * n),
                vals: String::with_capacity(4 * n + 16),
                reasons: Vec::with_capacity(n + 4),
                data: Vec::with_capacity(n + n / 2 + 4),
            },
        }
    }

    /// The notes the next item's reasons are written into, and where they begin.
    pub(crate) fn begin(&mut self) -> (usize, &mut Notes) {
        (self.notes.reasons.len(), &mut self.notes)
    }

    /// Item `k` of the run's (items, then cohort items) with its points, its reasons those
    /// written since `from` (see [`Items::begin`]).
    pub(crate) fn finish(&mut self, k: usize, points: Decimal, not_applicable: bool, from: usize) {
        self.list.push(ItemRec {
            item: u32::try_from(k).unwrap_or(u32::MAX),
            points,
            not_applicable,
            reasons: span(from, self.notes.reasons.len()),
        });
    }

    /// Item `k` with its points and its reasons given whole.
    pub(crate) fn push(&mut self, k: usize, points: Decimal, reasons: Vec<Reason>) {
        let from = self.notes.reasons.len();
        for r in reasons {
            self.notes.push(r);
        }
        self.finish(k, points, false, from);
    }

    fn view<'a>(&'a self, r: &'a ItemRec) -> Option<ItemView<'a>> {
        let info = self.info.get(r.item as usize)?;
        Some(ItemView {
            id: &info.id,
            label: &info.label,
            category: info.category.as_deref(),
            kind: info.kind,
            max: info.max,
            points: r.points,
            not_applicable: r.not_applicable,
            text: &info.text,
            recs: self.notes.reasons.get(range(r.reasons)).unwrap_or(&[]),
            notes: &self.notes,
        })
    }

    /// Adds `more` to the words of the first reason of item `id`; false when it has none.
    pub(crate) fn extend_first_reason(&mut self, id: &str, more: &str) -> bool {
        let info = &self.info;
        let Some(item) = self
            .list
            .iter()
            .find(|i| info.get(i.item as usize).is_some_and(|x| &*x.id == id))
        else {
            return false;
        };
        let k = item.reasons.0 as usize;
        if item.reasons.1 as usize <= k {
            return false;
        }
        let notes = &mut self.notes;
        let Some(r) = notes.reasons.get(k) else {
            return false;
        };
        let (a, b) = (r.detail.0 as usize, r.detail.1 as usize);
        if b != notes.text.len() {
            // Its words are not the last written: copied to the end, where they can grow.
            let words = notes.text.get(a..b).unwrap_or("").to_owned();
            let from = notes.text.len();
            notes.text.push_str(&words);
            notes.reasons[k].detail = span(from, notes.text.len());
        }
        notes.text.push_str(more);
        let start = notes.reasons[k].detail.0 as usize;
        notes.reasons[k].detail = span(start, notes.text.len());
        true
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// No item.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Item `k`, when there is one.
    pub fn get(&self, k: usize) -> Option<ItemView<'_>> {
        self.list.get(k).and_then(|r| self.view(r))
    }

    /// The item with rule id `id`.
    pub fn find(&self, id: &str) -> Option<ItemView<'_>> {
        self.iter().find(|i| i.id == id)
    }

    /// Every item in order.
    pub fn iter(&self) -> ItemsIter<'_> {
        ItemsIter {
            items: self,
            recs: self.list.iter(),
        }
    }

    /// Each item with its place in the rule set (its items, then its cohort items): the order
    /// a batch score keeps, whatever order the items were scored in.
    pub(crate) fn iter_declared(&self) -> impl Iterator<Item = (usize, ItemView<'_>)> {
        self.list
            .iter()
            .filter_map(|r| Some((r.item as usize, self.view(r)?)))
    }
}

/// The items of a unit in order (see [`Items::iter`]).
#[derive(Clone)]
pub struct ItemsIter<'a> {
    items: &'a Items,
    recs: std::slice::Iter<'a, ItemRec>,
}

impl<'a> Iterator for ItemsIter<'a> {
    type Item = ItemView<'a>;
    fn next(&mut self) -> Option<ItemView<'a>> {
        let items = self.items;
        self.recs.by_ref().find_map(|r| items.view(r))
    }
}

impl<'a> IntoIterator for &'a Items {
    type Item = ItemView<'a>;
    type IntoIter = ItemsIter<'a>;
    fn into_iter(self) -> ItemsIter<'a> {
        self.iter()
    }
}

/// One item's result for a unit (考核项目得分): its points, and its reasons.
#[derive(Clone, Copy)]
pub struct ItemView<'a> {
    /// Rule id.
    pub id: &'a str,
    /// Label.
    pub label: &'a str,
    /// Category, if any.
    pub category: Option<&'a str>,
    /// `indicator`, `bonus`, `deduction` or `cohort`.
    pub kind: ItemKind,
    /// Maximum points.
    pub max: Decimal,
    /// Points given.
    pub points: Decimal,
    /// The item did not apply and counts as full marks (不适用).
    pub not_applicable: bool,
    /// The rule author's text.
    pub text: &'a str,
    recs: &'a [ReasonRec],
    notes: &'a Notes,
}

impl std::fmt::Debug for ItemView<'_> {
    /// The item's fields and the words of its reasons (not the unit's whole buffer).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemView")
            .field("id", &self.id)
            .field("label", &self.label)
            .field("category", &self.category)
            .field("kind", &self.kind)
            .field("max", &self.max)
            .field("points", &self.points)
            .field("not_applicable", &self.not_applicable)
            .field("text", &self.text)
            .field("reasons", &self.details().collect::<Vec<_>>())
            .finish()
    }
}

impl<'a> ItemView<'a> {
    /// How the points came about, as owned reasons.
    pub fn reasons(&self) -> Vec<Reason> {
        let notes = self.notes;
        self.recs
            .iter()
            .map(|r| Reason {
                detail: notes.detail(r).to_owned(),
                points: r.points,
                data: notes
                    .data_of(r)
                    .iter()
                    .map(|d| DataUse {
                        field: d.field.clone(),
                        label: d.label.clone(),
                        value: notes.value(d).to_owned(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The words of each reason, in order.
    pub fn details(&self) -> impl Iterator<Item = &'a str> {
        let notes = self.notes;
        self.recs.iter().map(move |r| notes.detail(r))
    }
}

/// A decimal as the result's JSON writes it (see `result::exact`).
struct Exact(Decimal);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::result::exact(&self.0, s)
    }
}

struct DataSer<'a>(&'a Notes, &'a DataRec);

impl Serialize for DataSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("DataUse", 3)?;
        m.serialize_field("field", &*self.1.field)?;
        m.serialize_field("label", &*self.1.label)?;
        m.serialize_field("value", self.0.value(self.1))?;
        m.end()
    }
}

/// A list of records, each serialised through its wrapper.
struct Seq<'a, T, W>(&'a Notes, &'a [T], fn(&'a Notes, &'a T) -> W);

impl<T, W: Serialize> Serialize for Seq<'_, T, W> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for x in self.1 {
            seq.serialize_element(&(self.2)(self.0, x))?;
        }
        seq.end()
    }
}

struct ReasonSer<'a>(&'a Notes, &'a ReasonRec);

impl Serialize for ReasonSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Reason", 3)?;
        m.serialize_field("detail", self.0.detail(self.1))?;
        m.serialize_field("points", &Exact(self.1.points))?;
        m.serialize_field("data", &Seq(self.0, self.0.data_of(self.1), DataSer))?;
        m.end()
    }
}

impl Serialize for ItemView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("ItemResult", 9)?;
        m.serialize_field("id", self.id)?;
        m.serialize_field("label", self.label)?;
        m.serialize_field("category", &self.category)?;
        m.serialize_field("kind", &self.kind)?;
        m.serialize_field("max", &Exact(self.max))?;
        m.serialize_field("points", &Exact(self.points))?;
        m.serialize_field("not_applicable", &self.not_applicable)?;
        m.serialize_field("text", self.text)?;
        m.serialize_field("reasons", &Seq(self.notes, self.recs, ReasonSer))?;
        m.end()
    }
}

impl Serialize for Items {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.list.len()))?;
        for item in self {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// The shape of [`Items`] in JSON, for the result's schema: an array of item results.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Items {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Items".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<Vec<ItemResult>>()
    }
}

/// One item's points with their reasons (计分明细), as [`ItemView`] writes it in JSON: described
/// here for the result's schema only.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct ItemResult {
    /// Item id.
    id: String,
    /// Label.
    label: String,
    /// The category it counts in; `null` for none and for bonus items.
    category: Option<String>,
    /// Indicator, bonus, deduction or cohort item.
    kind: crate::model::ItemKind,
    /// Its maximum points (分值).
    max: f64,
    /// Points awarded, exact.
    points: f64,
    /// Not assessed on this unit (不适用).
    not_applicable: bool,
    /// The rule author's text of the item (评分标准).
    text: String,
    /// How the points came about, step by step.
    reasons: Vec<crate::result::Reason>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str) -> ItemInfo {
        ItemInfo {
            id: id.into(),
            label: id.into(),
            category: None,
            kind: ItemKind::Indicator,
            max: Decimal::TEN,
            text: "".into(),
        }
    }

    fn reason(detail: &str, value: &str) -> Reason {
        Reason {
            detail: detail.into(),
            points: Decimal::ONE,
            data: vec![DataUse {
                field: "f".into(),
                label: "字段".into(),
                value: value.into(),
            }],
        }
    }

    #[test]
    fn reasons_read_back_as_written_and_grow_in_place_or_at_the_end() {
        let shared: Arc<[ItemInfo]> = vec![info("a"), info("b")].into();
        let mut items = Items::explained(&shared);
        items.push(0, Decimal::ONE, vec![reason("甲", "1"), reason("乙", "2")]);
        items.push(1, Decimal::ONE, vec![reason("丙", "3")]);
        // The last words written grow where they are; earlier ones are moved to the end.
        assert!(items.extend_first_reason("b", "；样本不足"));
        assert!(items.extend_first_reason("a", "；在误差范围内"));
        assert!(!items.extend_first_reason("c", "…"));
        let a: Vec<&str> = items
            .get(0)
            .map(|a| a.details().collect())
            .unwrap_or_default();
        assert_eq!(a, ["甲；在误差范围内", "乙"]);
        let b = items.find("b").map(|b| b.reasons()[0].detail.clone());
        assert_eq!(b.as_deref(), Some("丙；样本不足"));
        let r = items.get(0).map(|a| a.reasons()).unwrap_or_default();
        assert_eq!(
            (r[1].data[0].value.as_str(), &*r[1].data[0].label),
            ("2", "字段")
        );
        let json = serde_json::to_value(&items).unwrap_or_default();
        assert_eq!(json[0]["reasons"][1]["data"][0]["value"], "2");
        assert_eq!(json[1]["reasons"][0]["detail"], "丙；样本不足");
        assert_eq!(json[1]["points"], 1);
        assert_eq!(json[1]["max"], 10);
    }
}
