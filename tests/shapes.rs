//! Every scoring shape against every option it accepts: each option, declared, must change
//! what a unit gets — an option that passes `kaohe check` and does nothing is a silent wrong
//! result (as `na: "full"` on a `yes` indicator once was). And every option a shape does not
//! accept is a rule error, not ignored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kaohe::Rules;

/// Fields that may be blank, so `na` can be tried on each shape.
const PRELUDE: &str = r#"
ruleset(#{ id: "shapes", title: "计分方式", decimals: 2 });
field("code", #{ label: "编码", type: "text" });
field("name", #{ label: "名称", type: "text" });
field("kind", #{ label: "类别", type: "text", if_blank: "乡镇" });
field("n", #{ label: "次数", type: "int", required: false });
field("m", #{ label: "件数", type: "int", required: false });
field("x", #{ label: "数值", type: "number", required: false });
field("ok", #{ label: "是否", type: "bool", required: false });
field("st", #{ label: "状态", type: "text", required: false });
unit(#{ id: "code", name: "name" });
"#;
const HEADER: &str = "编码,名称,类别,次数,件数,数值,是否,状态";

/// What a case reads of the result for unit `1`.
#[derive(Clone, Copy)]
enum Read {
    /// The points of item `i` ("—" when the unit is not assessed on it).
    Points,
    /// The unit's total.
    Total,
}

/// A shape, one of its options, the declaration without and with it, one unit's row
/// (`kind,n,m,x,ok`, then `st` where a case needs it), and what the unit gets either way.
struct Case {
    shape: &'static str,
    option: &'static str,
    without: &'static str,
    with: &'static str,
    row: &'static str,
    read: Read,
    expect: (&'static str, &'static str),
}

fn got(decl: &str, row: &str, read: Read) -> String {
    let src = format!("{PRELUDE}{decl}");
    let rules = Rules::compile("shapes.rhai", &src)
        .unwrap_or_else(|e| panic!("does not compile:\n{decl}\n{e}"));
    let csv = format!("{HEADER}\n1,甲,{row}\n");
    let ds = kaohe::read_csv(&rules, csv.as_bytes());
    assert!(ds.errors.is_empty(), "{decl}: data errors {:?}", ds.errors);
    let rep = rules
        .assess(&ds.units, None)
        .unwrap_or_else(|e| panic!("{decl}: {e}"));
    let u = &rep.units[0];
    match read {
        Read::Points => u
            .items
            .iter()
            .find(|i| i.id == "i")
            .map_or("—".into(), |i| i.points.to_string()),
        Read::Total => u.total.map(|t| t.to_string()).unwrap_or_default(),
    }
}

const CASES: &[Case] = &[
    // ── deduct (扣分制) ──
    Case {
        shape: "deduct",
        option: "each",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 2.5 } });"#,
        row: "乡镇,2,0,,",
        read: Read::Points,
        expect: ("8", "5"),
    },
    Case {
        shape: "deduct",
        option: "step",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 1, step: 2 } });"#,
        row: "乡镇,3,0,,",
        read: Read::Points,
        expect: ("7", "9"),
    },
    Case {
        shape: "deduct",
        option: "a second count",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: [#{ count: "n", each: 1 }] });"#,
        with: r#"indicator("i", #{ label: "扣", max: 10, deduct: [#{ count: "n", each: 1 }, #{ count: "m", each: 1 }] });"#,
        row: "乡镇,2,3,,",
        read: Read::Points,
        expect: ("8", "5"),
    },
    Case {
        shape: "deduct",
        option: "max (扣完为止)",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 4 } });"#,
        with: r#"indicator("i", #{ label: "扣", max: 6, deduct: #{ count: "n", each: 4 } });"#,
        row: "乡镇,2,0,,",
        read: Read::Points,
        expect: ("2", "0"),
    },
    Case {
        shape: "deduct",
        option: "applies",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "扣", max: 10, applies: #{ field: "kind", equals: "乡镇" }, deduct: #{ count: "n", each: 1 } });"#,
        row: "街道,2,0,,",
        read: Read::Points,
        expect: ("8", "10"),
    },
    Case {
        shape: "deduct",
        option: "only",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "扣", max: 10, only: #{ field: "kind", equals: "乡镇" }, deduct: #{ count: "n", each: 1 } });"#,
        row: "街道,2,0,,",
        read: Read::Points,
        expect: ("8", "—"),
    },
    Case {
        shape: "deduct",
        option: "category (大类封顶)",
        without: r#"indicator("i", #{ label: "扣", max: 10, deduct: #{ count: "n", each: 1 } });"#,
        with: r#"category("甲", 6); indicator("i", #{ label: "扣", max: 10, category: "甲", deduct: #{ count: "n", each: 1 } });"#,
        row: "乡镇,2,0,,",
        read: Read::Total,
        expect: ("8", "6"),
    },
    // ── count (按次加分) ──
    Case {
        shape: "count",
        option: "each",
        without: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 0.5 } });"#,
        row: "乡镇,3,0,,",
        read: Read::Points,
        expect: ("3", "1.5"),
    },
    Case {
        shape: "count",
        option: "step",
        without: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 1, step: 3 } });"#,
        row: "乡镇,7,0,,",
        read: Read::Points,
        expect: ("7", "2"),
    },
    Case {
        shape: "count",
        option: "a second count",
        without: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "加", max: 10, count: [#{ count: "n", each: 1 }, #{ count: "m", each: 2 }] });"#,
        row: "乡镇,1,2,,",
        read: Read::Points,
        expect: ("1", "5"),
    },
    Case {
        shape: "count",
        option: "max (上限)",
        without: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "加", max: 4, count: #{ count: "n", each: 1 } });"#,
        row: "乡镇,6,0,,",
        read: Read::Points,
        expect: ("6", "4"),
    },
    Case {
        shape: "count",
        option: "applies",
        without: r#"indicator("i", #{ label: "加", max: 10, count: #{ count: "n", each: 1 } });"#,
        with: r#"indicator("i", #{ label: "加", max: 10, applies: #{ field: "kind", equals: "乡镇" }, count: #{ count: "n", each: 1 } });"#,
        row: "街道,2,0,,",
        read: Read::Points,
        expect: ("2", "10"),
    },
    // ── target (达标得分) ──
    Case {
        shape: "target",
        option: "at_least → at_most",
        without: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", at_least: 90 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", at_most: 90 } });"#,
        row: "乡镇,,,80,",
        read: Read::Points,
        expect: ("0", "4"),
    },
    Case {
        shape: "target",
        option: "above (strict)",
        without: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", at_least: 90 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", above: 90 } });"#,
        row: "乡镇,,,90,",
        read: Read::Points,
        expect: ("4", "0"),
    },
    Case {
        shape: "target",
        option: "equals",
        without: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", at_least: 1 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", equals: 1 } });"#,
        row: "乡镇,,,2,",
        read: Read::Points,
        expect: ("4", "0"),
    },
    Case {
        shape: "target",
        option: "otherwise: proportional",
        without: r#"indicator("i", #{ label: "达标", max: 6, target: #{ value: "x", at_least: 90 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 6, target: #{ value: "x", at_least: 90, otherwise: "proportional" } });"#,
        row: "乡镇,,,60,",
        read: Read::Points,
        expect: ("0", "4"),
    },
    Case {
        shape: "target",
        option: "a ratio value",
        without: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "n", at_least: 90 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: #{ num: "n", den: "m", scale: 100 }, at_least: 90 } });"#,
        row: "乡镇,9,10,,",
        read: Read::Points,
        expect: ("0", "4"),
    },
    Case {
        shape: "target",
        option: "na: full",
        without: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", at_least: 90 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 4, na: "full", target: #{ value: "x", at_least: 90 } });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("0", "4"),
    },
    Case {
        shape: "target",
        option: "applies",
        without: r#"indicator("i", #{ label: "达标", max: 4, target: #{ value: "x", at_least: 90 } });"#,
        with: r#"indicator("i", #{ label: "达标", max: 4, applies: |u| u.kind == "乡镇", target: #{ value: "x", at_least: 90 } });"#,
        row: "街道,,,50,",
        read: Read::Points,
        expect: ("0", "4"),
    },
    // ── linear (线性插值) ──
    Case {
        shape: "linear",
        option: "full_at",
        without: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 100, zero_at: 50 } });"#,
        with: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 90, zero_at: 50 } });"#,
        row: "乡镇,,,70,",
        read: Read::Points,
        expect: ("4", "5"),
    },
    Case {
        shape: "linear",
        option: "zero_at",
        without: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 100, zero_at: 50 } });"#,
        with: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 100, zero_at: 60 } });"#,
        row: "乡镇,,,70,",
        read: Read::Points,
        expect: ("4", "2.5"),
    },
    Case {
        shape: "linear",
        option: "lower is better",
        without: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 10, zero_at: 0 } });"#,
        with: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 0, zero_at: 10 } });"#,
        row: "乡镇,,,2,",
        read: Read::Points,
        expect: ("2", "8"),
    },
    Case {
        shape: "linear",
        option: "na: full",
        without: r#"indicator("i", #{ label: "线性", max: 10, linear: #{ value: "x", full_at: 100, zero_at: 50 } });"#,
        with: r#"indicator("i", #{ label: "线性", max: 10, na: "full", linear: #{ value: "x", full_at: 100, zero_at: 50 } });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("0", "10"),
    },
    // ── bands (分档) ──
    Case {
        shape: "bands",
        option: "steps",
        without: r#"indicator("i", #{ label: "分档", max: 5, bands: #{ value: "x", steps: [[98, 5], [95, 3]] } });"#,
        with: r#"indicator("i", #{ label: "分档", max: 5, bands: #{ value: "x", steps: [[98, 5], [95, 3], [90, 1]] } });"#,
        row: "乡镇,,,92,",
        read: Read::Points,
        expect: ("0", "1"),
    },
    Case {
        shape: "bands",
        option: "a step as a map (at_most)",
        without: r#"indicator("i", #{ label: "分档", max: 5, bands: #{ value: "n", steps: [[3, 5]] } });"#,
        with: r#"indicator("i", #{ label: "分档", max: 5, bands: #{ value: "n", steps: [#{ at_most: 3, points: 5 }] } });"#,
        row: "乡镇,1,,,",
        read: Read::Points,
        expect: ("0", "5"),
    },
    Case {
        shape: "bands",
        option: "na: full",
        without: r#"indicator("i", #{ label: "分档", max: 5, bands: #{ value: "x", steps: [[90, 5]] } });"#,
        with: r#"indicator("i", #{ label: "分档", max: 5, na: "full", bands: #{ value: "x", steps: [[90, 5]] } });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("0", "5"),
    },
    // ── zero (零指标) ──
    Case {
        shape: "zero",
        option: "a ratio value",
        without: r#"indicator("i", #{ label: "零", max: 3, zero: "n" });"#,
        with: r#"indicator("i", #{ label: "零", max: 3, zero: #{ num: "m", den: "n", scale: 100 } });"#,
        row: "乡镇,2,0,,",
        read: Read::Points,
        expect: ("0", "3"),
    },
    Case {
        shape: "zero",
        option: "na: full",
        without: r#"indicator("i", #{ label: "零", max: 3, zero: "n" });"#,
        with: r#"indicator("i", #{ label: "零", max: 3, na: "full", zero: "n" });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("0", "3"),
    },
    // ── yes (是否类) ──
    Case {
        shape: "yes",
        option: "na: full",
        without: r#"indicator("i", #{ label: "是否", max: 2, yes: "ok" });"#,
        with: r#"indicator("i", #{ label: "是否", max: 2, na: "full", yes: "ok" });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("0", "2"),
    },
    Case {
        shape: "yes",
        option: "applies",
        without: r#"indicator("i", #{ label: "是否", max: 2, yes: "ok" });"#,
        with: r#"indicator("i", #{ label: "是否", max: 2, applies: #{ field: "kind", equals: "乡镇" }, yes: "ok" });"#,
        row: "街道,,,,否",
        read: Read::Points,
        expect: ("0", "2"),
    },
    Case {
        shape: "yes",
        option: "only",
        without: r#"indicator("i", #{ label: "是否", max: 2, yes: "ok" });"#,
        with: r#"indicator("i", #{ label: "是否", max: 2, only: |u| u.kind == "乡镇", yes: "ok" });"#,
        row: "街道,,,,是",
        read: Read::Points,
        expect: ("2", "—"),
    },
    // ── map (按取值计分) ──
    Case {
        shape: "map",
        option: "na: full",
        without: r#"indicator("i", #{ label: "取值", max: 5, map: #{ value: "st", points: #{ "已建立": 5, "正在建立": 2.5 } } });"#,
        with: r#"indicator("i", #{ label: "取值", max: 5, na: "full", map: #{ value: "st", points: #{ "已建立": 5, "正在建立": 2.5 } } });"#,
        row: "乡镇,,,,,",
        read: Read::Points,
        expect: ("0", "5"),
    },
    Case {
        shape: "map",
        option: "points",
        without: r#"indicator("i", #{ label: "取值", max: 5, map: #{ value: "st", points: #{ "已建立": 5, "正在建立": 2.5 } } });"#,
        with: r#"indicator("i", #{ label: "取值", max: 5, map: #{ value: "st", points: #{ "已建立": 5, "正在建立": 3 } } });"#,
        row: "乡镇,,,,,正在建立",
        read: Read::Points,
        expect: ("2.5", "3"),
    },
    Case {
        shape: "map",
        option: "applies",
        without: r#"indicator("i", #{ label: "取值", max: 5, map: #{ value: "st", points: #{ "已建立": 5 } } });"#,
        with: r#"indicator("i", #{ label: "取值", max: 5, applies: #{ field: "kind", equals: "乡镇" }, map: #{ value: "st", points: #{ "已建立": 5 } } });"#,
        row: "街道,,,,,未建立",
        read: Read::Points,
        expect: ("0", "5"),
    },
    // ── table (决策表) ──
    Case {
        shape: "table",
        option: "hit: collect",
        without: r#"indicator("i", #{ label: "决策表", max: 5, table: #{ inputs: ["n", "m"], rows: [[#{ at_least: 1 }, "-", 2], ["-", #{ at_least: 1 }, 1]] } });"#,
        with: r#"indicator("i", #{ label: "决策表", max: 5, table: #{ inputs: ["n", "m"], hit: "collect", rows: [[#{ at_least: 1 }, "-", 2], ["-", #{ at_least: 1 }, 1]] } });"#,
        row: "乡镇,1,1,,",
        read: Read::Points,
        expect: ("2", "3"),
    },
    Case {
        shape: "table",
        option: "applies",
        without: r#"indicator("i", #{ label: "决策表", max: 5, table: #{ inputs: ["n"], rows: [[#{ at_least: 1 }, 2]] } });"#,
        with: r#"indicator("i", #{ label: "决策表", max: 5, applies: #{ field: "kind", equals: "乡镇" }, table: #{ inputs: ["n"], rows: [[#{ at_least: 1 }, 2]] } });"#,
        row: "街道,0,,,",
        read: Read::Points,
        expect: ("0", "5"),
    },
    // ── deduction (扣分项): deduct from the base, its own cap ──
    Case {
        shape: "deduct",
        option: "deduction cap (本项限扣)",
        without: r#"deduction("i", #{ label: "扣分", deduct: #{ count: "n", each: 2 } });"#,
        with: r#"deduction("i", #{ label: "扣分", cap: 5, deduct: #{ count: "n", each: 2 } });"#,
        row: "乡镇,4,,,",
        read: Read::Points,
        expect: ("-8", "-5"),
    },
    Case {
        shape: "deduct",
        option: "deduction category deduct_cap",
        without: r#"category("c", #{ deduct_cap: 100 }); deduction("i", #{ label: "扣分", category: "c", deduct: #{ count: "n", each: 2 } }); deduction("j", #{ label: "扣分", category: "c", deduct: #{ count: "m", each: 2 } });"#,
        with: r#"category("c", #{ deduct_cap: 5 }); deduction("i", #{ label: "扣分", category: "c", deduct: #{ count: "n", each: 2 } }); deduction("j", #{ label: "扣分", category: "c", deduct: #{ count: "m", each: 2 } });"#,
        row: "乡镇,2,2,,",
        read: Read::Total,
        expect: ("-8", "-5"),
    },
    // ── score (自定义) ──
    Case {
        shape: "score",
        option: "[points, reason]",
        without: r#"indicator("i", #{ label: "自定义", max: 5, score: |u| 3 });"#,
        with: r#"indicator("i", #{ label: "自定义", max: 5, score: |u| [2.5, "按会议纪要"] });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("3", "2.5"),
    },
    Case {
        shape: "score",
        option: "bonus cap (单项加分封顶)",
        without: r#"bonus("i", #{ label: "自定义", max: 5, score: |u| 4 });"#,
        with: r#"bonus("i", #{ label: "自定义", max: 3, score: |u| 4 });"#,
        row: "乡镇,,,,",
        read: Read::Points,
        expect: ("4", "3"),
    },
    Case {
        shape: "score",
        option: "applies",
        without: r#"indicator("i", #{ label: "自定义", max: 5, score: |u| 1 });"#,
        with: r#"indicator("i", #{ label: "自定义", max: 5, applies: |u| u.kind == "乡镇", score: |u| 1 });"#,
        row: "街道,,,,",
        read: Read::Points,
        expect: ("1", "5"),
    },
];

#[test]
fn every_option_a_shape_accepts_changes_what_a_unit_gets() {
    let mut wrong = Vec::new();
    for c in CASES {
        let without = got(c.without, c.row, c.read);
        let with = got(c.with, c.row, c.read);
        if (without.as_str(), with.as_str()) != c.expect {
            wrong.push(format!(
                "{} / {}: expected {:?} → {:?}, got {without:?} → {with:?}",
                c.shape, c.option, c.expect.0, c.expect.1
            ));
        }
        assert_ne!(
            c.expect.0, c.expect.1,
            "{} / {}: a case must differ",
            c.shape, c.option
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_shape_is_in_the_table() {
    for shape in [
        "deduct", "count", "target", "linear", "bands", "zero", "yes", "map", "table", "score",
    ] {
        assert!(
            CASES.iter().any(|c| c.shape == shape),
            "no case for `{shape}`"
        );
    }
    // Each shape that reads one value (`na: "full"` means something) has its `na` case.
    for shape in ["target", "linear", "bands", "zero", "yes", "map"] {
        assert!(
            CASES
                .iter()
                .any(|c| c.shape == shape && c.option == "na: full"),
            "no `na: \"full\"` case for `{shape}`"
        );
    }
}

#[test]
fn na_full_on_a_yes_indicator_scores_a_blank_as_not_applicable_and_says_so() {
    let src = format!(
        r#"{PRELUDE}indicator("i", #{{ label: "是否建立", max: 2, na: "full", yes: "ok" }});"#
    );
    let rules = Rules::compile("shapes.rhai", &src).unwrap();
    let csv = format!("{HEADER}\n1,甲,乡镇,,,,\n2,乙,乡镇,,,,否\n");
    let ds = kaohe::read_csv(&rules, csv.as_bytes());
    let rep = rules.assess(&ds.units, None).unwrap();
    let first_item = |id: &str| {
        rep.units
            .iter()
            .find(|u| u.id == id)
            .unwrap()
            .items
            .get(0)
            .unwrap()
    };
    let blank = first_item("1");
    assert_eq!(blank.points.to_string(), "2");
    assert!(blank.not_applicable);
    assert_eq!(blank.reasons()[0].detail, "数据为空，不适用，按满分计");
    assert_eq!(&*blank.reasons()[0].data[0].label, "是否");
    let no = first_item("2");
    assert_eq!(no.points.to_string(), "0");
    assert_eq!(no.reasons()[0].detail, "是否 = 否，不得分");
}

#[test]
fn na_full_on_a_shape_that_reads_no_one_value_is_a_rule_error() {
    for decl in [
        r#"indicator("i", #{ label: "扣", max: 10, na: "full", deduct: #{ count: "n", each: 1 } });"#,
        r#"indicator("i", #{ label: "加", max: 10, na: "full", count: #{ count: "n", each: 1 } });"#,
        r#"indicator("i", #{ label: "自定义", max: 5, na: "full", score: |u| 1 });"#,
    ] {
        let src = format!("{PRELUDE}{decl}");
        let errors = Rules::compile("shapes.rhai", &src).expect_err(decl).0;
        assert!(
            errors.iter().any(|e| e.code() == "R0404"),
            "{decl}: {errors:?}"
        );
    }
}
