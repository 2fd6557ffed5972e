//! The wording against the scoring (文字与计分): a number in an item's `text` — the 评分标准 a
//! 通报 prints — that no declaration of the rule set uses is a warning. It is what an edit
//! leaves behind when it changes a threshold in `steps` but not in the words, so that the
//! published standard and the points disagree. An item scored by a closure is not checked:
//! its numbers are in code this check does not read.

use rhai::{Dynamic, Map};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The numbers written in `text` that no number the rule set declares (`declared`,
/// normalised) equals, in the order written, each once. Passed over as not parameters: 0;
/// 1 but in `1分` (`每发现1人`, `1起以上`); a number that dates, numbers or formats something
/// (`2025年`, `第3季度`, `6·26`, `保留4位小数`, `× 100%`); the top of a range whose next
/// number is declared (`4至5次` beside a step at 6); what is taken from the item's `max`
/// (`扣3分` from 5 when 2 is declared).
pub(super) fn unmatched_numbers(text: &str, declared: &[Decimal], max: Decimal) -> Vec<String> {
    let known = |n: Decimal| declared.contains(&n.normalize());
    let mut out: Vec<String> = Vec::new();
    for (written, before, after) in written_numbers(text) {
        let Ok(n) = Decimal::from_str(&written) else {
            continue;
        };
        let passed = n.is_zero()
            || (n == Decimal::ONE && after != Some('分'))
            || before == Some('第')
            || before == Some('·')
            || after.is_some_and(|c| matches!(c, '年' | '月' | '日' | '号' | '季' | '位' | '·'))
            || (after == Some('%') && n == Decimal::ONE_HUNDRED)
            || (matches!(before, Some('至' | '到' | '~' | '～' | '-' | '－'))
                && known(n + Decimal::ONE))
            || (before == Some('扣') && known(max - n));
        if passed || known(n) || out.contains(&written) {
            continue;
        }
        out.push(written);
    }
    out
}

/// The numbers written in `text`, with `万` (ten thousand) applied: `5万` is 50000 and 5.
pub(super) fn written_values(text: &str) -> Vec<Decimal> {
    let mut out = Vec::new();
    for (written, _, after) in written_numbers(text) {
        if let Ok(n) = Decimal::from_str(&written) {
            out.push(n.normalize());
            if after == Some('万') {
                out.push((n * Decimal::from(10_000)).normalize());
            }
        }
    }
    out
}

/// Adds every number in a declaration's map (arrays and maps inside included; its `text` and
/// `label` aside) to `out`, normalised.
pub(super) fn declared_numbers(spec: &Map, out: &mut Vec<Decimal>) {
    for (k, v) in spec {
        if !matches!(k.as_str(), "text" | "label") {
            numbers_in(v, out);
        }
    }
}

/// Every number in a value, arrays and maps included (normalised).
fn numbers_in(v: &Dynamic, out: &mut Vec<Decimal>) {
    if let Ok(i) = v.as_int() {
        out.push(Decimal::from(i));
    } else if let Ok(d) = v.as_decimal() {
        out.push(d.normalize());
    } else if let Some(a) = v.read_lock::<rhai::Array>() {
        for x in a.iter() {
            numbers_in(x, out);
        }
    } else if let Some(m) = v.read_lock::<Map>() {
        for x in m.values() {
            numbers_in(x, out);
        }
    }
}

/// The numbers written in `text` (ASCII or full-width digits, with a decimal point), each with
/// the characters just before and after it.
fn written_numbers(text: &str) -> Vec<(String, Option<char>, Option<char>)> {
    let chars: Vec<char> = text.chars().collect();
    let digit = |c: char| -> Option<char> {
        match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut n = String::new();
        while i < chars.len() {
            if let Some(d) = digit(chars[i]) {
                n.push(d);
            } else if matches!(chars[i], '.' | '．')
                && !n.contains('.')
                && chars.get(i + 1).copied().and_then(digit).is_some()
            {
                n.push('.');
            } else {
                break;
            }
            i += 1;
        }
        let before = start.checked_sub(1).and_then(|b| chars.get(b)).copied();
        out.push((n, before, chars.get(i).copied()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(src: &str) -> Vec<Decimal> {
        let e = rhai::Engine::new();
        let mut out = Vec::new();
        declared_numbers(&e.eval::<Map>(src).unwrap_or_default(), &mut out);
        out
    }

    #[test]
    fn a_threshold_changed_in_the_steps_but_not_in_the_words_is_found() {
        let d = declared("#{ max: 5, bands: #{ value: \"reach\", steps: [[90, 5], [95, 3]] } }");
        assert_eq!(
            unmatched_numbers("知晓率达98%得5分，95%得3分", &d, Decimal::from(5)),
            ["98"]
        );
    }

    #[test]
    fn what_is_not_a_parameter_is_passed_over() {
        let d = declared("#{ max: 10, deduct: #{ count: \"lost\", each: 0.5 } }");
        let max = Decimal::from(10);
        assert!(unmatched_numbers(
            "每失控1人扣0.5分，扣完为止（2025年第3季度起，“6·26”前后）",
            &d,
            max
        )
        .is_empty());
        assert_eq!(
            unmatched_numbers("每失控１人扣０．２５分", &d, max),
            ["0.25"]
        );
        let steps =
            declared("#{ max: 5, bands: #{ value: \"n\", steps: [[6, 5], [4, 3], [2, 1]] } }");
        assert!(unmatched_numbers(
            "6次以上计5分，4至5次计3分，2至3次计1分，不足2次不计分",
            &steps,
            Decimal::from(5)
        )
        .is_empty());
        assert_eq!(
            unmatched_numbers("每次扣1.5分", &steps, Decimal::from(5)),
            ["1.5"]
        );
    }
}
