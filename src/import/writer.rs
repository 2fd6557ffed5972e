//! The rule-set skeleton as kaohe's language: `ruleset`, fields, `unit`, categories, each item
//! with its shape or as `todo`, bonuses and vetoes, in the rubric's order with its row numbers.

use super::patterns::{FieldKind, Per, Shape};
use super::{Entry, Plan};
use crate::figures::fmt;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// A string literal in a rule script.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as a rule script writes it: `5`, `0.5`.
fn num(d: Decimal) -> String {
    fmt(d.normalize())
}

fn per_map(p: &Per, id: &str, key: &str) -> String {
    let step = if p.step == Decimal::ONE {
        String::new()
    } else {
        format!(", step: {}", num(p.step))
    };
    format!("#{{ {key}: {}, each: {}{step} }}", quote(id), num(p.each))
}

fn per_list(list: &[Per], ids: &[String], key: &str, shape: &str) -> String {
    if let ([p], [id]) = (list, ids) {
        return format!("{shape}: {},", per_map(p, id, key));
    }
    let mut out = format!("{shape}: [\n");
    for (p, id) in list.iter().zip(ids) {
        let _ = writeln!(out, "        {},", per_map(p, id, key));
    }
    out.push_str("    ],");
    out
}

/// The shape's lines inside the item's map; `ids` are the ids of the fields it reads, in
/// order.
pub fn shape_text(shape: &Shape, ids: &[String], max: Decimal) -> String {
    let first = ids.first().map_or("", String::as_str);
    match shape {
        Shape::Deduct { list, cap: None } => per_list(list, ids, "count", "deduct"),
        Shape::Deduct {
            list,
            cap: Some(cap),
        } => {
            // 限扣: the deductions, at most `cap`, taken from the item's points.
            let terms: Vec<String> = list
                .iter()
                .zip(ids)
                .map(|(p, id)| {
                    let count = if p.step == Decimal::ONE {
                        format!("u.{id}")
                    } else {
                        format!("(u.{id} / {})", num(p.step))
                    };
                    format!("{count} * {}", num(p.each))
                })
                .collect();
            format!(
                "// 限扣{cap}分：扣分累计不超过{cap}分\n    score: |u| {{\n        let taken = {};\n        if taken > {cap} {{ taken = {cap}; }}\n        {max} - taken\n    }},",
                terms.join(" + "),
                cap = num(*cap),
                max = num(max),
            )
        }
        Shape::Count { list } => per_list(list, ids, "field", "count"),
        Shape::Bands { steps, .. } => {
            let steps: Vec<String> = steps
                .iter()
                .map(|(at, p)| format!("[{}, {}]", num(*at), num(*p)))
                .collect();
            format!(
                "bands: #{{ value: {}, steps: [{}] }},",
                quote(first),
                steps.join(", ")
            )
        }
        Shape::Target { at_least, .. } => format!(
            "target: #{{ value: {}, at_least: {}, otherwise: \"proportional\" }},",
            quote(first),
            num(*at_least)
        ),
        Shape::Linear {
            full_at, zero_at, ..
        } => format!(
            "linear: #{{ value: {}, full_at: {}, zero_at: {} }},",
            quote(first),
            num(*full_at),
            num(*zero_at)
        ),
        Shape::Zero { .. } => format!("zero: {},", quote(first)),
        Shape::Yes { .. } => format!("yes: {},", quote(first)),
    }
}

/// A field's type as `field(…)` declares it.
fn type_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Int => "int",
        FieldKind::Number => "number",
        FieldKind::Percent => "percent",
        FieldKind::Bool => "bool",
    }
}

fn entry(out: &mut String, e: &Entry) {
    let _ = write!(out, "\n// 第{}行", e.row);
    for (what, text) in &e.notes {
        let _ = write!(out, "；{what}：{text}");
    }
    out.push('\n');
    let decl = match (&e.shape, e.bonus) {
        (None, _) => "todo",
        (Some(_), true) => "bonus",
        (Some(_), false) => "indicator",
    };
    if e.shape.is_none() {
        let _ = writeln!(
            out,
            "// TODO 评分标准未能自动识别：把 todo 改为 {}，按 text 写出计分方式（deduct、count、target、linear、bands、zero、yes 或 score）",
            if e.bonus { "bonus" } else { "indicator" }
        );
    }
    let _ = writeln!(out, "{decl}({}, #{{", quote(&e.id));
    let category = e
        .category
        .as_ref()
        .map(|c| format!(" category: {},", quote(c)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    label: {},{category} max: {},",
        quote(&e.label),
        num(e.max)
    );
    if let Some(shape) = &e.shape {
        let _ = writeln!(out, "    {shape}");
    }
    let _ = writeln!(out, "    text: {},", quote(&e.text));
    out.push_str("});\n");
}

/// The whole script.
pub fn write(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! {} — 由 `kaohe import` 从评分细则“{}”生成的规则集骨架。",
        plan.title, plan.source
    );
    out.push_str("//!\n");
    let _ = writeln!(
        out,
        "//! 依据 Source: {}（按原文导入：分值、评分标准原样写入 text）。",
        plan.source
    );
    let weights: Vec<String> = plan
        .categories
        .iter()
        .map(|(n, m, _)| format!("{n} {}", num(*m)))
        .collect();
    if !weights.is_empty() {
        let sum: Decimal = plan.categories.iter().map(|c| c.1).sum();
        let _ = writeln!(
            out,
            "//! 分值 Weights: {} = {}。",
            weights.join("，"),
            num(sum)
        );
    }
    let _ = writeln!(
        out,
        "//! 导入 Import: {} 个考核项目，{} 个识别为计分方式，{} 个待完成（todo），一票否决 {} 项。",
        plan.entries.len(),
        plan.entries.iter().filter(|e| e.shape.is_some()).count(),
        plan.entries.iter().filter(|e| e.shape.is_none()).count(),
        plan.vetoes.len()
    );
    out.push_str(
        "//! 待办 To do: 补全每个 todo(…)，核对字段名称与计分方式，补写等次 grades(…)，再运行 kaohe check。\n",
    );
    let _ = writeln!(
        out,
        "//! 分数 Score range: 0–{}{}。",
        num(plan.total),
        plan.bonus_max
            .map(|b| format!("，加分不超过 {}", num(b)))
            .unwrap_or_default()
    );
    out.push('\n');
    let _ = writeln!(out, "ruleset(#{{");
    let _ = writeln!(out, "    id: {},", quote(&plan.id));
    let _ = writeln!(out, "    title: {},", quote(&plan.title));
    let _ = writeln!(out, "    max: {},", num(plan.total));
    if let Some(b) = plan.bonus_max {
        let _ = writeln!(out, "    bonus_max: {},", num(b));
    }
    out.push_str("    decimals: 2,\n});\n\n");
    out.push_str("// ───────────────────────── 数据字段 Data fields ─────────────────────────\n\n");
    out.push_str("field(\"code\", #{ label: \"单位编码\", type: \"text\" });\n");
    out.push_str("field(\"name\", #{ label: \"单位名称\", type: \"text\" });\n");
    for f in &plan.fields {
        let blank = match f.kind {
            FieldKind::Bool if f.veto => ", if_blank: false",
            FieldKind::Int if f.counted => ", if_blank: 0",
            _ => "",
        };
        let _ = writeln!(
            out,
            "field({}, #{{ label: {}, type: {}{blank} }}); // 第{}行",
            quote(&f.id),
            quote(&f.label),
            quote(type_name(f.kind)),
            f.row
        );
    }
    out.push_str("\nunit(#{ id: \"code\", name: \"name\" });\n");
    if !plan.categories.is_empty() {
        out.push_str(
            "\n// ───────────────────────── 考核大类 Categories ─────────────────────────\n",
        );
        for (name, max, row) in &plan.categories {
            let _ = writeln!(
                out,
                "category({}, {}); // 第{row}行",
                quote(name),
                num(*max)
            );
        }
    }
    let mut heading: Option<&str> = None;
    for e in &plan.entries {
        if e.heading.as_deref() != heading {
            heading = e.heading.as_deref();
            if let Some(h) = heading {
                let _ = writeln!(
                    out,
                    "\n// ───────────────────────── {h} ─────────────────────────"
                );
            }
        }
        entry(&mut out, e);
    }
    if !plan.vetoes.is_empty() {
        out.push_str("\n// ───────────────────────── 一票否决 Vetoes ─────────────────────────\n");
        for v in &plan.vetoes {
            let _ = writeln!(out, "\n// 第{}行", v.row);
            let _ = writeln!(out, "veto({}, #{{", quote(&v.id));
            let _ = writeln!(out, "    label: {},", quote(&v.label));
            let _ = writeln!(
                out,
                "    when: #{{ field: {}, equals: true }},",
                quote(&v.field)
            );
            let _ = writeln!(out, "    reason: {},", quote(&v.reason));
            out.push_str("});\n");
        }
    }
    out
}
