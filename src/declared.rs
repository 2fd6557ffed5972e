//! What a compiled rule set declares, as a user of the crate reads it (声明): its id and title,
//! its fields, items, grades, vetoes and consequences, by the indices a [`UnitScore`](crate::UnitScore) and a
//! [`Unit`](crate::Unit) use. Views borrow from the [`Rules`]; the compiled model itself stays private.

use crate::compile::Rules;
use crate::data::Unit;
use crate::model::{FieldType, ItemKind, Value};
use rust_decimal::Decimal;

/// A data field (字段) as declared: `field("lost", #{ label: "失控人员数", type: "int" })`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct FieldInfo<'a> {
    /// The identifier rules read it by (`u.lost`).
    pub name: &'a str,
    /// The label a data file's header may use (失控人员数).
    pub label: &'a str,
    /// Its type.
    pub ty: FieldType,
    /// Whether a blank cell is an error (when there is no [`Self::default`]).
    pub required: bool,
    /// What a blank cell counts as (`if_blank`), if anything.
    pub default: Option<&'a Value>,
    /// The only values allowed, as written (`one_of`); empty for any.
    pub one_of: &'a [String],
}

/// An item (考核项目) as declared: an indicator, bonus, deduction or cohort indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemInfo<'a> {
    /// Its stable id (`control`).
    pub id: &'a str,
    /// Its label (管控).
    pub label: &'a str,
    /// The category it belongs to (考核大类), if any.
    pub category: Option<&'a str>,
    /// Its maximum points.
    pub max: Decimal,
    /// Indicator, bonus, deduction or cohort indicator.
    pub kind: ItemKind,
}

/// A one-vote veto (一票否决) as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VetoInfo<'a> {
    /// Its stable id.
    pub id: &'a str,
    /// Its label (发生重大涉毒案件).
    pub label: &'a str,
}

impl Rules {
    /// The rule set's id (`ruleset(#{ id })`).
    ///
    /// ```
    /// let b = kaohe::bundled::default_set();
    /// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
    /// assert_eq!(rules.id(), b.id);
    /// assert!(!rules.title().is_empty());
    /// # Ok::<(), String>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> &str {
        &self.set.id
    }

    /// The rule set's title (考核办法名称).
    #[must_use]
    pub fn title(&self) -> &str {
        &self.set.title
    }

    /// Points of the base scale (百分制: 100).
    #[must_use]
    pub fn max(&self) -> Decimal {
        self.set.max
    }

    /// The decimals totals are published with (half-up); see [`Rules::display_total`].
    #[must_use]
    pub fn decimals(&self) -> u32 {
        self.set.decimals
    }

    /// The declared fields, in the order of a [`Unit`]'s values ([`Unit::values`]).
    ///
    /// ```
    /// let rules = kaohe::Rules::compile("t.rhai", r#"
    ///     ruleset(#{ id: "t", title: "示例", max: 10 });
    ///     field("code", #{ label: "编码", type: "text" });
    ///     field("lost", #{ label: "失控人员数", type: "int" });
    ///     unit(#{ id: "code" });
    ///     indicator("control", #{ label: "管控", max: 10, deduct: #{ count: "lost", each: 1 } });
    /// "#).map_err(|e| e.to_string())?;
    /// let labels: Vec<&str> = rules.fields().map(|f| f.label).collect();
    /// assert_eq!(labels, ["编码", "失控人员数"]);
    /// assert_eq!(rules.field_index("lost"), Some(1));
    /// assert_eq!(rules.id_field(), 0);
    /// # Ok::<(), String>(())
    /// ```
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldInfo<'_>> + '_ {
        self.set.fields.iter().map(|f| FieldInfo {
            name: &f.name,
            label: &f.label,
            ty: f.ty,
            required: f.required,
            default: f.default.as_ref(),
            one_of: &f.one_of,
        })
    }

    /// The index of the field named `name` (its identifier) among [`Rules::fields`].
    #[must_use]
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.set.field_index(name)
    }

    /// The index of the field that identifies a unit (`unit(#{ id })`).
    #[must_use]
    pub fn id_field(&self) -> usize {
        self.set.id_field
    }

    /// The index of the field that names a unit (`unit(#{ name })`), if the rule set has one.
    #[must_use]
    pub fn name_field(&self) -> Option<usize> {
        self.set.name_field
    }

    /// A unit's id (单位编码), as written.
    #[must_use]
    pub fn unit_id(&self, unit: &Unit) -> String {
        unit.values
            .get(self.set.id_field)
            .map(Value::display)
            .unwrap_or_default()
    }

    /// A unit's name (单位名称), or its id when the rule set names no units.
    #[must_use]
    pub fn unit_name(&self, unit: &Unit) -> String {
        match self.set.name_field.and_then(|f| unit.values.get(f)) {
            Some(v) => v.display(),
            None => self.unit_id(unit),
        }
    }

    /// Every item a unit is scored on, in the order of [`UnitScore::items`](crate::UnitScore::items): the items as
    /// declared, then the cohort indicators.
    ///
    /// ```
    /// let b = kaohe::bundled::default_set();
    /// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
    /// let full: kaohe::Decimal = rules
    ///     .items()
    ///     .filter(|i| i.kind == kaohe::ItemKind::Indicator)
    ///     .map(|i| i.max)
    ///     .sum();
    /// assert!(full >= rules.max());
    /// # Ok::<(), String>(())
    /// ```
    pub fn items(&self) -> impl ExactSizeIterator<Item = ItemInfo<'_>> + '_ {
        let set = &self.set;
        let items = set.items.iter().map(|i| ItemInfo {
            id: &i.id,
            label: &i.label,
            category: i.category.as_deref(),
            max: i.max,
            kind: i.kind,
        });
        let cohort = set.cohort_items.iter().map(|i| ItemInfo {
            id: &i.id,
            label: &i.label,
            category: i.category.as_deref(),
            max: i.max,
            kind: ItemKind::Cohort,
        });
        ExactChain(items.chain(cohort), set.item_count())
    }

    /// The grades (等次), best first: [`UnitScore::grade`](crate::UnitScore::grade) is an index into them.
    ///
    /// ```
    /// let b = kaohe::bundled::default_set();
    /// let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
    /// let data = kaohe::read(&rules, b.data_path, b.data.unwrap_or_default());
    /// let scores = rules.score_batch(&data.units).map_err(|e| e.to_string())?;
    /// let grade = scores[0].grade.and_then(|g| rules.grade_name(g));
    /// assert!(grade.is_some_and(|g| rules.grades().any(|name| name == g)));
    /// # Ok::<(), String>(())
    /// ```
    pub fn grades(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.set.bands.iter().map(|b| b.name.as_str())
    }

    /// The name of grade `g` (an index from [`UnitScore::grade`](crate::UnitScore::grade)).
    #[must_use]
    pub fn grade_name(&self, g: usize) -> Option<&str> {
        self.set.bands.get(g).map(|b| b.name.as_str())
    }

    /// The index of the grade named `name` among [`Rules::grades`].
    #[must_use]
    pub fn grade_index(&self, name: &str) -> Option<usize> {
        self.set.bands.iter().position(|b| b.name == name)
    }

    /// The one-vote vetoes (一票否决): [`UnitScore::vetoes`](crate::UnitScore::vetoes) are indices into them.
    pub fn vetoes(&self) -> impl ExactSizeIterator<Item = VetoInfo<'_>> + '_ {
        self.set.vetoes.iter().map(|v| VetoInfo {
            id: &v.id,
            label: &v.label,
        })
    }

    /// The consequences' names (结果运用: 通报批评, 黄牌 …): [`UnitScore::consequences`](crate::UnitScore::consequences) are
    /// indices into them.
    pub fn consequences(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.set.consequences.iter().map(|c| c.name.as_str())
    }
}

/// Two iterators one after the other, whose length is known.
struct ExactChain<I>(I, usize);

impl<I: Iterator> Iterator for ExactChain<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let next = self.0.next();
        if next.is_some() {
            self.1 = self.1.saturating_sub(1);
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

impl<I: Iterator> ExactSizeIterator for ExactChain<I> {}
