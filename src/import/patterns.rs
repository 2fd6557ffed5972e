//! A rubric's wording → a scoring shape, for the patterns rubrics use again and again:
//! “每…扣N分，扣完为止” (deduct), “限扣N分” (a deduction capped below the item), “加N分，最高M分”
//! and “每…计N分” (count), “…以上计N分” (bands), “未达到的按比例计分” (target) and “N及以下不计分，
//! 其间按比例计分” (linear), “发生…不得分” (zero), “未…不得分” (yes),
//! “一票否决” (veto). Anything else is left for the rule editor (`todo`).

use rust_decimal::Decimal;
use std::str::FromStr;

/// The kind of value a generated field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A count (件数、人数、次数).
    Int,
    /// A number with decimals.
    Number,
    /// A percentage.
    Percent,
    /// 是/否.
    Bool,
}

/// A field a recognised shape reads: its Chinese label and kind (its id is made later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewField {
    /// The column header (Chinese).
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
}

/// One per-occurrence entry: the field counted, the points per `step` occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Per {
    /// The counted field.
    pub field: NewField,
    /// Points each.
    pub each: Decimal,
    /// Occurrences per deduction (每200株扣1分 → 200).
    pub step: Decimal,
}

/// A recognised scoring shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// 每…扣N分，扣完为止; `cap` when “限扣M分” is less than the item.
    Deduct {
        /// The deductions.
        list: Vec<Per>,
        /// At most this much is deducted (限扣).
        cap: Option<Decimal>,
    },
    /// 每…加/计N分，最高M分 (the item's max is M).
    Count {
        /// The entries.
        list: Vec<Per>,
    },
    /// …N以上计M分 (steps best first: threshold, points).
    Bands {
        /// The measured field.
        field: NewField,
        /// `(at_least, points)`, highest first.
        steps: Vec<(Decimal, Decimal)>,
    },
    /// 达N以上计满分，未达到的按比例计分: `target` with `at_least`, proportional below.
    Target {
        /// The measured field.
        field: NewField,
        /// Full marks from here.
        at_least: Decimal,
    },
    /// 达N计满分，Z及以下不计分，其间按比例计分: `linear`.
    Linear {
        /// The measured field.
        field: NewField,
        /// Full marks from here.
        full_at: Decimal,
        /// Nothing at or below here.
        zero_at: Decimal,
    },
    /// 发生…不得分: full marks only at zero.
    Zero {
        /// The counted field.
        field: NewField,
    },
    /// 未…不得分 / 加N分: full marks when done.
    Yes {
        /// The 是/否 field.
        field: NewField,
    },
}

impl Shape {
    /// The shape's key as rule sets write it.
    pub fn key(&self) -> &'static str {
        match self {
            Shape::Deduct { cap: None, .. } => "deduct",
            Shape::Deduct { .. } => "score",
            Shape::Count { .. } => "count",
            Shape::Bands { .. } => "bands",
            Shape::Target { .. } => "target",
            Shape::Linear { .. } => "linear",
            Shape::Zero { .. } => "zero",
            Shape::Yes { .. } => "yes",
        }
    }
}

/// What a row's wording gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recognised {
    /// The item's shape; `None`: left to do.
    pub shape: Option<Shape>,
    /// The item's points when the wording states them (加N分，最高M分 → M).
    pub max: Option<Decimal>,
    /// A one-vote veto the wording declares, with the field that triggers it.
    pub veto: Option<NewField>,
}

/// Full-width digits, points, percent signs and spaces as rubrics mix them, made plain.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '％' => '%',
            '～' | '〜' | '—' | '–' => '-',
            c => c,
        })
        .collect()
}

/// The clauses of a wording, split at ， ； 。 and their ASCII forms.
fn clauses(text: &str) -> Vec<String> {
    text.split(['，', '；', '。', ',', ';'])
        .map(str::to_string)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The number at the start of `s` (`0.5`, `200`) and the rest of `s` after it.
fn number_at(s: &str) -> Option<(Decimal, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(s.len(), |(i, _)| i);
    let n = Decimal::from_str(s[..end].trim_end_matches('.')).ok()?;
    Some((n.normalize(), &s[end..]))
}

/// The number written just before byte `at` in `s`, skipping up to `skip` unit characters
/// (`%`, 次, 人 …) between them; with the unit skipped.
fn number_before(s: &str, at: usize, skip: usize) -> Option<(Decimal, String)> {
    let head = &s[..at];
    let chars: Vec<(usize, char)> = head.char_indices().collect();
    let mut i = chars.len();
    let mut unit = String::new();
    while i > 0 && !chars[i - 1].1.is_ascii_digit() && unit.chars().count() < skip {
        unit.insert(0, chars[i - 1].1);
        i -= 1;
    }
    let end = i;
    while i > 0 && (chars[i - 1].1.is_ascii_digit() || chars[i - 1].1 == '.') {
        i -= 1;
    }
    if i == end {
        return None;
    }
    let start = chars[i].0;
    let stop = chars.get(end).map_or(head.len(), |c| c.0);
    let n = Decimal::from_str(&head[start..stop]).ok()?;
    Some((n.normalize(), unit))
}

/// The points in “扣N分” / “计N分” after byte `at` (where the verb ends).
fn points_after(s: &str, verb: &str) -> Option<(usize, Decimal)> {
    let i = s.find(verb)?;
    let after = &s[i + verb.len()..];
    let (n, rest) = number_at(after)?;
    rest.starts_with('分').then_some((i, n))
}

/// Whether a text holds any of `words`.
fn has(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// A phrase cut of 的 and stray words at its ends.
fn tidy(phrase: &str) -> String {
    let p = phrase
        .trim_start_matches(['凡', '对', '如', '若', '有', '被'])
        .trim_end_matches(['的', '者', '，', '。'])
        .trim();
    p.to_string()
}

/// The cap a wording sets on its deductions: 限扣N分, 最多扣N分, 扣分不超过N分.
fn deduct_cap(text: &str) -> Option<Decimal> {
    for w in [
        "限扣",
        "最多扣",
        "最高扣",
        "累计扣",
        "扣分不超过",
        "扣分最多",
        "最多不超过",
    ] {
        if let Some(i) = text.find(w) {
            if let Some((n, rest)) = number_at(&text[i + w.len()..]) {
                if rest.starts_with('分') {
                    return Some(n);
                }
            }
        }
    }
    None
}

/// The most a wording lets an item earn: 最高M分, 最多加M分, 限加M分, 封顶M分.
fn gain_cap(text: &str) -> Option<Decimal> {
    for w in [
        "最高加",
        "最多加",
        "最高计",
        "最多计",
        "限加",
        "最高",
        "最多",
        "封顶",
        "累计不超过",
        "不超过",
    ] {
        let mut from = 0;
        while let Some(i) = text[from..].find(w) {
            let at = from + i + w.len();
            if let Some((n, rest)) = number_at(&text[at..]) {
                if rest.starts_with('分') {
                    return Some(n);
                }
            }
            from = at;
        }
    }
    None
}

/// The occurrences a clause counts, “每X扣N分” / “每X加N分”: the phrase X, its step.
fn per(clause: &str, verb: &str, item: &str) -> Option<Per> {
    let (v, each) = points_after(clause, verb)?;
    let (phrase, step) = if let Some(m) = clause[..v].rfind('每') {
        let phrase = &clause[m + '每'.len_utf8()..v];
        match number_at(phrase) {
            Some((n, rest)) if n > Decimal::ONE => (rest.to_string(), n),
            Some((_, rest)) => (rest.to_string(), Decimal::ONE),
            None => (
                phrase
                    .strip_prefix(['一', '1'])
                    .unwrap_or(phrase)
                    .to_string(),
                Decimal::ONE,
            ),
        }
    } else {
        // “发现1人失控扣0.5分”: one occurrence written out.
        let head = &clause[..v];
        let one = head.find(['1', '一'])?;
        let after = &head[one + head[one..].chars().next()?.len_utf8()..];
        let unit = after.chars().next()?;
        if !"人次起项件份个处例批名株篇".contains(unit)
            || head[..one].ends_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        (head.to_string(), Decimal::ONE)
    };
    let mut phrase = tidy(&phrase);
    if phrase.chars().count() < 4 {
        // “到省上访的每批次扣3分”: the words before 每 say what is counted.
        let pre = clause[..v].rfind('每').map_or("", |m| &clause[..m]);
        let pre = tidy(pre);
        if pre.chars().count() >= 2 {
            phrase = format!("{pre}（{phrase}）");
        }
    }
    let label = if phrase.chars().count() >= 2 {
        format!("{item}：{phrase}")
    } else {
        format!("{item}（{phrase}数）")
    };
    Some(Per {
        field: NewField {
            label,
            kind: FieldKind::Int,
        },
        each,
        step,
    })
}

/// “达N%以上计M分，未达到的按比例计分” (target, proportional) and “达N%计M分，Z%及以下不计分，其间按
/// 比例计分” (linear): the full marks' threshold, and where nothing is earned.
fn proportion(item: &str, max: Option<Decimal>, rest: &[&String]) -> Option<Shape> {
    let max = max?;
    let mut full = None;
    let mut zero = None;
    let mut percent = false;
    for c in rest {
        if let Some((i, points)) = points_after(c, "计") {
            if points == max && full.is_none() {
                let at = c.find("以上").filter(|a| *a < i).unwrap_or(i);
                full = number_before(c, at, 2).filter(|(_, u)| !u.contains('以') || u == "以上");
                percent |= c[..i].contains('%');
            }
        }
        if fails_clause(c) {
            if let Some(at) = c.find("以下") {
                let at = c.find("及以下").unwrap_or(at);
                zero = number_before(c, at, 1);
            }
        }
    }
    let (full, unit) = full?;
    let field = NewField {
        label: if percent {
            format!("{item}（%）")
        } else if unit.is_empty() || unit.contains('以') {
            item.to_string()
        } else {
            format!("{item}（{unit}）")
        },
        kind: if percent {
            FieldKind::Percent
        } else if full.fract().is_zero() {
            FieldKind::Int
        } else {
            FieldKind::Number
        },
    };
    Some(match zero {
        Some((z, _)) if z < full => Shape::Linear {
            field,
            full_at: full,
            zero_at: z,
        },
        Some(_) => return None,
        None => Shape::Target {
            field,
            at_least: full,
        },
    })
}

/// Whether a clause gives no points: 不得分, 不计分.
fn fails_clause(c: &str) -> bool {
    has(c, &["不得分", "不计分", "得0分", "计0分"])
}

/// The shape a wording describes, for an item labelled `item` worth `max` (`bonus`: in a
/// bonus section).
pub fn recognise(item: &str, max: Option<Decimal>, standard: &str, bonus: bool) -> Recognised {
    let text = normalize(standard);
    let all = clauses(&text);
    let mut out = Recognised::default();
    // 一票否决: the clause that names it, or the one before “实行一票否决”.
    let mut rest: Vec<&String> = Vec::new();
    for (i, c) in all.iter().enumerate() {
        if c.contains("一票否决") || (c.contains("否决") && c.contains("实行")) {
            let own = tidy(
                &c.replace("实行一票否决", "")
                    .replace("一票否决", "")
                    .replace("予以", "")
                    .replace("实行", ""),
            );
            let label = if own.chars().count() >= 4 {
                own
            } else if i > 0 {
                tidy(&all[i - 1])
            } else {
                item.to_string()
            };
            rest.retain(|r| tidy(r) != label);
            out.veto = Some(NewField {
                label,
                kind: FieldKind::Bool,
            });
        } else {
            rest.push(c);
        }
    }
    let rest_text: String = rest
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("，");
    if rest_text.is_empty() {
        return out;
    }
    let proportional = has(
        &rest_text,
        &["比例计分", "之比", "按比", "酌情", "视情", "按实际"],
    );
    // 每…扣N分，扣完为止 / 限扣M分.
    let deducts: Vec<Per> = rest.iter().filter_map(|c| per(c, "扣", item)).collect();
    if !deducts.is_empty() && !proportional && !has(&rest_text, &["以上计", "以上得"]) {
        let cap = deduct_cap(&rest_text).filter(|c| max.is_none_or(|m| *c < m));
        out.shape = Some(Shape::Deduct { list: deducts, cap });
        return out;
    }
    // 每…加N分 / 计N分，最高M分; 加N分，最高M分.
    let cap = gain_cap(&rest_text);
    if !has(&rest_text, &["扣"]) && !proportional {
        let mut counts: Vec<Per> = Vec::new();
        for c in &rest {
            let entry = if c.contains('每') {
                per(c, "加", item)
                    .or_else(|| per(c, "计", item))
                    .or_else(|| per(c, "得", item))
            } else {
                None
            };
            counts.extend(entry);
        }
        if !counts.is_empty() && (cap.is_some() || max.is_some()) {
            out.max = cap;
            out.shape = Some(Shape::Count { list: counts });
            return out;
        }
        if let Some((_, each)) = rest.iter().find_map(|c| points_after(c, "加")) {
            let field = NewField {
                label: tidy(
                    rest.iter()
                        .find(|c| c.contains('加'))
                        .map(|c| c.split('加').next().unwrap_or(item))
                        .filter(|c| c.chars().count() >= 4)
                        .unwrap_or(item),
                ),
                kind: FieldKind::Int,
            };
            match cap {
                Some(m) => {
                    out.max = Some(m);
                    out.shape = Some(Shape::Count {
                        list: vec![Per {
                            field,
                            each,
                            step: Decimal::ONE,
                        }],
                    });
                }
                None if bonus || max.is_none() => {
                    out.max = Some(each);
                    out.shape = Some(Shape::Yes {
                        field: NewField {
                            kind: FieldKind::Bool,
                            ..field
                        },
                    });
                }
                None => {}
            }
            if out.shape.is_some() {
                return out;
            }
        }
    }
    if proportional && !has(&rest_text, &["扣", "上升", "下降", "同比"]) {
        out.shape = proportion(item, max, &rest);
        return out;
    }
    if has(&rest_text, &["扣"]) || proportional {
        return out;
    }
    // 发生…不得分: zero.
    let fails = |c: &str| has(c, &["不得分", "不计分", "得0分", "计0分"]);
    let happens = |c: &str| has(c, &["发生", "出现", "发现"]) && !c.contains('未');
    if rest.iter().enumerate().any(|(i, c)| {
        happens(c)
            && (fails(c)
                || rest
                    .get(i + 1)
                    .is_some_and(|n| fails(n) && !n.contains('每')))
    }) {
        // “全年未发生群体性事件计7分”, “未在辖区发现非法种植点位的计4分”: what must not happen.
        let what = rest
            .iter()
            .find_map(|c| {
                let u = c.find('未')?;
                ["发生", "出现", "发现"].iter().find_map(|w| {
                    let i = u + c[u..].find(w)?;
                    let after = &c[i + w.len()..];
                    let end = after.find(['计', '得', '的']).unwrap_or(after.len());
                    let p = tidy(&after[..end]);
                    (p.chars().count() >= 2).then_some(p)
                })
            })
            .unwrap_or_else(|| item.to_string());
        let what = what.trim_start_matches("在辖区").to_string();
        out.shape = Some(Shape::Zero {
            field: NewField {
                label: format!("{what}数"),
                kind: FieldKind::Int,
            },
        });
        return out;
    }
    // …N以上计M分: bands.
    let mut steps: Vec<(Decimal, Decimal)> = Vec::new();
    let mut percent = false;
    let mut whole = true;
    let mut units: Vec<String> = Vec::new();
    for c in &rest {
        let Some((_, points)) = points_after(c, "计").or_else(|| points_after(c, "得")) else {
            continue;
        };
        let threshold = if let Some(i) = c.find("以上") {
            number_before(c, i, 3)
        } else if let Some(i) = c.find(['至', '-', '到']) {
            // “2至3次计3分”: the lower bound.
            number_before(c, i, 0).map(|(n, _)| {
                let unit: String = c[i..]
                    .chars()
                    .skip(1)
                    .skip_while(|ch| ch.is_ascii_digit() || *ch == '.')
                    .take_while(|ch| !"计得".contains(*ch))
                    .collect();
                (n, unit)
            })
        } else {
            // “1次计1分”.
            c.find(['计', '得'])
                .and_then(|i| number_before(c, i, 2))
                .filter(|(_, u)| !u.is_empty())
        };
        if let Some((n, unit)) = threshold {
            percent |= unit.contains('%') || c.contains('%');
            whole &= n.fract().is_zero();
            let unit = unit.replace(['以', '上', '达', '%'], "");
            if !unit.is_empty() {
                units.push(unit);
            }
            steps.push((n, points));
        }
    }
    let within = |p: &Decimal| max.is_none_or(|m| *p <= m);
    if !steps.is_empty() && rest_text.contains("以上") && steps.iter().all(|(_, p)| within(p)) {
        steps.sort_by_key(|s| std::cmp::Reverse(s.0));
        steps.dedup_by_key(|s| s.0);
        let unit = if percent {
            "%".to_string()
        } else {
            units.first().cloned().unwrap_or_default()
        };
        let label = if unit.is_empty() {
            item.to_string()
        } else {
            format!("{item}（{unit}）")
        };
        out.shape = Some(Shape::Bands {
            field: NewField {
                label,
                kind: if percent {
                    FieldKind::Percent
                } else if whole {
                    FieldKind::Int
                } else {
                    FieldKind::Number
                },
            },
            steps,
        });
        return out;
    }
    // 未…不得分: yes, the field named by the clause that earns the points.
    let undone = rest
        .iter()
        .any(|c| (c.contains('未') || c.contains("没有")) && fails(c));
    if undone && !rest_text.contains("以上") && steps.len() <= 1 {
        let done = rest
            .iter()
            .find_map(|c| {
                let (i, _) = points_after(c, "计").or_else(|| points_after(c, "得"))?;
                let p = tidy(&c[..i]);
                (p.chars().count() >= 4).then_some(p)
            })
            .unwrap_or_else(|| item.to_string());
        out.shape = Some(Shape::Yes {
            field: NewField {
                label: done,
                kind: FieldKind::Bool,
            },
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::panic)] // tests may fail loudly
mod tests {
    use super::*;

    fn d(n: &str) -> Decimal {
        Decimal::from_str(n).unwrap_or_default()
    }

    #[test]
    fn deduct_each_and_step() {
        let r = recognise(
            "罂粟铲除",
            Some(d("5")),
            "实现“零种植”计5分；辖区被发现铲除罂粟的，每200株扣1分，扣完为止",
            false,
        );
        let Some(Shape::Deduct { list, cap: None }) = r.shape else {
            panic!("{r:?}")
        };
        assert_eq!((list[0].each, list[0].step), (d("1"), d("200")));
    }

    #[test]
    fn proportional_targets_and_linear() {
        let r = recognise(
            "执行率",
            Some(d("6")),
            "执行率达90%以上计6分，未达到的按执行率与90%之比计分",
            false,
        );
        assert!(
            matches!(r.shape, Some(Shape::Target { at_least, .. }) if at_least == d("90")),
            "{r:?}"
        );
        let r = recognise(
            "宣传栏",
            Some(d("5")),
            "覆盖率达100%计5分，60%及以下不计分，其间按比例计分",
            false,
        );
        assert!(
            matches!(r.shape, Some(Shape::Linear { full_at, zero_at, .. }) if full_at == d("100") && zero_at == d("60")),
            "{r:?}"
        );
        let r = recognise(
            "占比",
            Some(d("3")),
            "占总数的比例不高于0.2%计3分，高于0.2%不得分",
            false,
        );
        assert_eq!(r.shape, None);
    }

    #[test]
    fn deduct_capped() {
        let r = recognise("信访", Some(d("10")), "每发生1起扣2分，限扣6分", false);
        assert!(matches!(r.shape, Some(Shape::Deduct { cap: Some(c), .. }) if c == d("6")));
    }

    #[test]
    fn bands_and_bonus_and_veto() {
        let r = recognise(
            "专题研究",
            Some(d("5")),
            "全年专题研究4次以上计5分，2至3次计3分，1次计1分，未研究不计分",
            false,
        );
        let Some(Shape::Bands { steps, field }) = r.shape else {
            panic!("{r:?}")
        };
        assert_eq!(
            steps,
            vec![(d("4"), d("5")), (d("2"), d("3")), (d("1"), d("1"))]
        );
        assert_eq!(field.kind, FieldKind::Int);
        let r = recognise("信息采用", None, "每篇加0.05分，最高加1分", true);
        assert!(matches!(r.shape, Some(Shape::Count { .. })));
        assert_eq!(r.max, Some(d("1")));
        let r = recognise(
            "越级上访",
            None,
            "节日前发生越级上访的，实行一票否决",
            false,
        );
        assert_eq!(
            r.veto.map(|f| f.label),
            Some("节日前发生越级上访".to_string())
        );
        let r = recognise(
            "经费",
            Some(d("2")),
            "禁毒经费列入本级财政预算计2分，未列入不计分",
            false,
        );
        assert!(matches!(r.shape, Some(Shape::Yes { .. })));
        let r = recognise(
            "群体性事件",
            Some(d("7")),
            "全年未发生群体性事件计7分；发生1起以上的，本项不得分",
            false,
        );
        assert!(
            matches!(r.shape, Some(Shape::Zero { ref field }) if field.label == "群体性事件数"),
            "{r:?}"
        );
    }
}
