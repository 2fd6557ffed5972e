//! 决策表 (`table`): points by several values at once, row by row — each row a condition on
//! every input and the points it gives.
//!
//! ```text
//! table: #{
//!     inputs: ["safety", "cases"],
//!     hit: "unique",                        // "first" (default), "unique" or "collect" (sum)
//!     rows: [
//!         [#{ at_least: 95 }, #{ at_most: 2 }, 10],
//!         [#{ at_least: 90 }, "-", 6],       // "-": any value
//!         [#{ below: 90 }, "-", 0],
//!     ],
//! }
//! ```
//!
//! A cell is a number (equals), a map of bounds (`#{ at_least: 90, below: 95 }`) or `"-"` (any);
//! the last cell of a row is its points. Under `unique` every combination of values must hit
//! exactly one row: overlapping rows and combinations no row covers are rule errors, found
//! from the cells' limits when the rule set compiles. A blank input meets no bounded cell.

use super::{Frac, How, Inverse, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::to_decimal;
use crate::eval::{Ctx, Measured};
use crate::explain::Notes;
use crate::figures::{fmt, Fig};
use crate::messages::rules::{self, BoundIn};
use crate::model::{Bound, Item, Measure};
use rhai::{Array, Map};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// The most rows a decision table may have: a published rubric's table has tens; the check of
/// overlapping rows compares each row with every other.
pub const MAX_ROWS: usize = 5_000;

/// How rows are hit (命中规则).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// The first row that holds.
    First,
    /// Exactly one row holds (checked when the rule set compiles).
    Unique,
    /// Every row that holds, their points added up (capped at the item's `max`).
    Collect,
}

/// Points by several values at once (决策表).
#[derive(Debug, Clone)]
pub struct Table {
    /// The values each row tests, in column order.
    pub inputs: Vec<Measure>,
    /// How rows are hit.
    pub hit: Hit,
    /// Each row: a cell per input (the bounds that must all hold; none = any) and its points.
    pub rows: Vec<(Vec<Vec<Bound>>, Decimal)>,
    /// The workbook the rows come from (规则附表), when not written in the script.
    pub origin: Option<super::sheet::Origin>,
}

/// `table: #{ inputs, hit, rows }`, or `table: #{ file, sheet, hit, inputs? }` from a workbook.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let m = s.shape_map("table")?;
    const KEYS: [&str; 5] = ["inputs", "hit", "rows", "file", "sheet"];
    for k in m.keys() {
        if !KEYS.contains(&k.as_str()) {
            let help = rules::shape_keys_are("table", &KEYS);
            s.err_at(
                Token::Key(k),
                rules::unknown_key(k, rules::KeyPlace::In("table"), Some(help)),
            );
        }
    }
    let from_file = m.contains_key("file") || m.contains_key("sheet");
    let inputs: Option<Vec<Measure>> =
        match m.get("inputs").and_then(|d| d.clone().try_cast::<Array>()) {
            Some(list) if !list.is_empty() => {
                let mut out = Vec::new();
                for v in &list {
                    match s.measure_of(v, "inputs")? {
                        Measure::Closure(_) => {
                            s.err_at(Token::Key("inputs"), rules::table_inputs());
                            return None;
                        }
                        measure => out.push(measure),
                    }
                }
                Some(out)
            }
            _ if from_file && !m.contains_key("inputs") => None,
            _ => {
                s.err_at(Token::Key("table"), rules::table_inputs());
                return None;
            }
        };
    let hit = match m.get("hit").map(|h| h.to_string()).as_deref() {
        None | Some("first") => Hit::First,
        Some("unique") => Hit::Unique,
        Some("collect") => Hit::Collect,
        Some(_) => {
            s.err_at(Token::Key("hit"), rules::table_hit());
            Hit::First
        }
    };
    let (inputs, rows, origin) = if from_file {
        let (inputs, rows, origin) = super::sheet::read(s, &m, inputs)?;
        (inputs, rows, Some(origin))
    } else {
        let inputs = inputs?;
        let rows = script_rows(s, &m, inputs.len())?;
        (inputs, rows, None)
    };
    let table = Table {
        inputs,
        hit,
        rows,
        origin,
    };
    if table.rows.len() > MAX_ROWS {
        table.report(s, rules::table_too_many_rows(table.rows.len(), MAX_ROWS));
        return None;
    }
    if hit == Hit::Unique {
        table.check_unique(s);
    }
    Some(Shape::Table(table))
}

/// The rows a script writes (`rows: [[cell…, points], …]`), each a cell per input then points.
fn script_rows(s: &mut Spec, m: &Map, inputs: usize) -> Option<Vec<(Vec<Vec<Bound>>, Decimal)>> {
    let Some(list) = m.get("rows").and_then(|d| d.clone().try_cast::<Array>()) else {
        s.err_at(Token::Key("table"), rules::table_row(0, inputs));
        return None;
    };
    let mut rows = Vec::new();
    for (k, row) in list.iter().enumerate() {
        let cells = row.clone().try_cast::<Array>().unwrap_or_default();
        let points = cells.last().and_then(to_decimal);
        match points {
            Some(p) if cells.len() == inputs + 1 => {
                let mut conds = Vec::new();
                for c in &cells[..inputs] {
                    conds.push(cell(s, c, k + 1, inputs)?);
                }
                rows.push((conds, p));
            }
            _ => {
                s.err_at(Token::Key("rows"), rules::table_row(k + 1, inputs));
                return None;
            }
        }
    }
    if rows.is_empty() {
        s.err_at(Token::Key("rows"), rules::table_row(0, inputs));
        return None;
    }
    Some(rows)
}

/// One cell: `"-"` (any), a number (equals) or a map of bounds.
fn cell(s: &mut Spec, c: &rhai::Dynamic, row: usize, inputs: usize) -> Option<Vec<Bound>> {
    if c.clone().into_string().is_ok_and(|t| t.trim() == "-") || c.is_unit() {
        return Some(Vec::new());
    }
    if let Some(d) = to_decimal(c) {
        return Some(vec![Bound::Equals(d)]);
    }
    match c.clone().try_cast::<Map>() {
        Some(m) if !m.is_empty() => {
            let bounds = s.bound_of(&m, BoundIn::Condition);
            (bounds.len() == m.len()).then_some(bounds).or_else(|| {
                s.err_at(Token::Key("rows"), rules::table_row(row, inputs));
                None
            })
        }
        _ => {
            s.err_at(Token::Key("rows"), rules::table_row(row, inputs));
            None
        }
    }
}

/// Whether every bound of a cell holds for `v` (blank meets only an open cell).
fn holds(cell: &[Bound], v: Option<Decimal>) -> bool {
    match v {
        Some(v) => cell.iter().all(|b| b.holds(v)),
        None => cell.is_empty(),
    }
}

impl Table {
    /// Row `k` as a person finds it: its row in the sheet, else its place in `rows` (1-based).
    fn row_number(&self, k: usize) -> usize {
        self.origin
            .as_ref()
            .and_then(|o| o.rows.get(k).copied())
            .unwrap_or(k + 1)
    }

    /// The table in words: 决策表, or 附表“x.xlsx”工作表“…” for one kept in a workbook.
    fn words(&self) -> String {
        self.origin
            .as_ref()
            .map_or_else(|| "决策表".to_string(), super::sheet::Origin::words)
    }

    /// Reports a mistake of the whole table: at its `rows`, or at its `file` (named in words).
    fn report(&self, s: &mut Spec, m: crate::messages::Message) {
        match &self.origin {
            None => s.err_at(Token::Key("rows"), m),
            Some(o) => {
                let words = crate::messages::Text::new(o.words(), o.words());
                s.err_at(Token::Text(&o.file), rules::within(&words, m));
            }
        }
    }

    /// The rows that hold for these input values, as the hit policy takes them.
    fn hits(&self, values: &[Option<Decimal>]) -> Vec<usize> {
        let mut out = Vec::new();
        for (k, (cells, _)) in self.rows.iter().enumerate() {
            if cells.iter().zip(values).all(|(c, v)| holds(c, *v)) {
                out.push(k);
                if self.hit != Hit::Collect {
                    break;
                }
            }
        }
        out
    }

    /// The input values of this unit (blank as `None`).
    fn values(&self, cx: &Ctx) -> Vec<Option<Decimal>> {
        self.inputs
            .iter()
            .map(|m| cx.peek(m).and_then(Measured::number))
            .collect()
    }

    /// Under `unique`: no two rows hold together, and every combination of values hits a row.
    /// Overlaps are found row against row (two rows overlap when their cells meet in every
    /// input). A row's status changes only at a cell's limit, so trying each limit, and a point
    /// either side of it, in every input finds every gap — when there are not too many.
    fn check_unique(&self, s: &mut Spec) {
        for a in 0..self.rows.len() {
            for b in a + 1..self.rows.len() {
                let cells = self.rows[a].0.iter().zip(&self.rows[b].0);
                let meet: Option<Vec<Decimal>> = cells.map(|(x, y)| meeting(x, y)).collect();
                if let Some(at) = meet {
                    let shown: Vec<String> = at.iter().map(|v| fmt(*v)).collect();
                    let m = rules::table_overlap(
                        self.row_number(a),
                        self.row_number(b),
                        &shown.join(", "),
                    );
                    self.report(s, m);
                    return;
                }
            }
        }
        let step = Decimal::new(1, 6);
        let axes: Vec<Vec<Decimal>> = (0..self.inputs.len())
            .map(|i| {
                let mut pts = vec![Decimal::ZERO];
                for (cells, _) in &self.rows {
                    for b in &cells[i] {
                        let x = b.limit();
                        pts.extend([x.saturating_sub(step), x, x.saturating_add(step)]);
                    }
                }
                pts.sort();
                pts.dedup();
                pts
            })
            .collect();
        let total = axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.len()))
            .unwrap_or(usize::MAX);
        if total > 200_000 {
            s.warn_at(Token::Key("rows"), rules::table_too_large(total));
            return;
        }
        let mut at = vec![0usize; axes.len()];
        loop {
            let values: Vec<Option<Decimal>> = at
                .iter()
                .enumerate()
                .map(|(i, k)| Some(axes[i][*k]))
                .collect();
            let covered = self
                .rows
                .iter()
                .any(|(cells, _)| cells.iter().zip(&values).all(|(c, v)| holds(c, *v)));
            if !covered {
                let shown: Vec<String> = values.iter().flatten().map(|v| fmt(*v)).collect();
                self.report(s, rules::table_gap(&shown.join(", ")));
                return;
            }
            // The next combination.
            let mut i = 0;
            loop {
                if i == at.len() {
                    return;
                }
                at[i] += 1;
                if at[i] < axes[i].len() {
                    break;
                }
                at[i] = 0;
                i += 1;
            }
        }
    }
}

/// A value two cells both hold, if they meet: each cell an interval (its bounds all hold).
fn meeting(a: &[Bound], b: &[Bound]) -> Option<Decimal> {
    // The interval's ends: (value, included).
    let mut lo: Option<(Decimal, bool)> = None;
    let mut hi: Option<(Decimal, bool)> = None;
    for bound in a.iter().chain(b) {
        let (l, h) = match *bound {
            Bound::AtLeast(x) => (Some((x, true)), None),
            Bound::Above(x) => (Some((x, false)), None),
            Bound::AtMost(x) => (None, Some((x, true))),
            Bound::Below(x) => (None, Some((x, false))),
            Bound::Equals(x) => (Some((x, true)), Some((x, true))),
        };
        if let Some(l) = l {
            lo = Some(match lo {
                Some(o) if o.0 > l.0 || (o.0 == l.0 && !o.1) => o,
                _ => l,
            });
        }
        if let Some(h) = h {
            hi = Some(match hi {
                Some(o) if o.0 < h.0 || (o.0 == h.0 && !o.1) => o,
                _ => h,
            });
        }
    }
    match (lo, hi) {
        (None, None) => Some(Decimal::ZERO),
        (Some((l, incl)), None) => Some(if incl {
            l
        } else {
            l.saturating_add(Decimal::ONE)
        }),
        (None, Some((h, incl))) => Some(if incl {
            h
        } else {
            h.saturating_sub(Decimal::ONE)
        }),
        (Some((l, li)), Some((h, hi))) if l < h => Some(match (li, hi) {
            (true, _) => l,
            (false, true) => h,
            (false, false) => l.saturating_add(h) / Decimal::TWO,
        }),
        (Some((l, true)), Some((h, true))) if l == h => Some(l),
        _ => None,
    }
}

impl Scoring for Table {
    fn data(&self, cx: &Ctx, out: &mut Notes) {
        for m in &self.inputs {
            cx.note_measure(m, out);
        }
    }

    fn check(&self, max: Decimal, s: &mut Spec) {
        if let Some(k) = self
            .rows
            .iter()
            .position(|(_, p)| *p > max || *p < Decimal::ZERO)
        {
            let m = rules::linear_point_outside(&fmt(self.rows[k].1), &fmt(max));
            match &self.origin {
                None => s.err_at(Token::Key("rows"), m),
                Some(o) => {
                    let row = self.row_number(k);
                    let at = rules::sheet_cell(&o.sheet, row, o.points_column);
                    s.err_in(&o.file, row, o.points_column, rules::in_sheet(at, m));
                }
            }
        }
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let values = self.values(cx);
        let sum = self
            .hits(&values)
            .iter()
            .fold(Decimal::ZERO, |a, k| a.saturating_add(self.rows[*k].1));
        Some((sum.min(item.max), How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, item: &Item, points: Decimal, _how: How, out: &mut Notes) {
        let values = self.values(cx);
        let m = out.mark();
        self.data(cx, out);
        for k in 0..out.data_since(m) {
            if k > 0 {
                out.text().push('、');
            }
            out.write_label_is(m, k);
        }
        let hits = self.hits(&values);
        let t = out.text();
        let _ = match hits.as_slice() {
            [] => write!(t, "，没有命中{}的任何一行，不得分", self.words()),
            [k] => write!(
                t,
                "，命中{}第 {} 行，计 {} 分",
                self.words(),
                self.row_number(*k),
                Fig(self.rows[*k].1)
            ),
            many => {
                let rows: Vec<String> = many
                    .iter()
                    .map(|k| self.row_number(*k).to_string())
                    .collect();
                let raw = many
                    .iter()
                    .fold(Decimal::ZERO, |a, k| a.saturating_add(self.rows[*k].1));
                let _ = write!(
                    t,
                    "，命中{}第 {} 行，合计 {} 分",
                    self.words(),
                    rows.join("、"),
                    Fig(raw)
                );
                if raw > item.max {
                    let _ = write!(t, "，超过上限按 {} 分计", Fig(item.max));
                }
                Ok(())
            }
        };
        out.close(m, points);
    }
}

impl Inverse for Table {
    fn opaque(&self) -> Option<&'static str> {
        Some("按决策表由多项数据共同决定，不能直接反推所需数据")
    }
}
