//! No input makes the engine panic: random bytes as data, extreme numbers, odd scripts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::{read_csv, read_json};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const BODY: &str = r#"
indicator("p", #{ label: "p", max: 5, target: #{ value: #{ num: "a", den: "b", scale: 100 }, at_least: 0.0000001, otherwise: "proportional" } });
indicator("l", #{ label: "l", max: 5, linear: #{ value: "a", full_at: 0.0000001, zero_at: 0 } });
indicator("d", #{ label: "d", max: 5, deduct: #{ count: "c", each: 99999999999, step: 0.0000001 } });
bonus("n", #{ label: "n", max: 5, count: #{ field: "d", each: 99999999999, step: 0.0000001 } });
cohort_indicator("avg", #{ label: "avg", max: 5, value: "a", vs_average: true });
cohort_indicator("best", #{ label: "best", max: 5, value: "b", order: "asc", proportional_to_best: true });
grades([ #{ name: "优", at_least: 90, quota: 0.5 }, #{ name: "差", below: 90 } ]);
consequence("黄牌", #{ when: #{ bottom: 9223372036854775807 } });
"#;

#[test]
fn random_bytes_as_csv_or_json_never_panic() {
    let r = rules(BODY);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet: Vec<u8> = "编码,名称,甲乙丙丁\n\r\"\t;0123456789.-%是否 \u{feff}"
        .bytes()
        .collect();
    for _ in 0..2000 {
        let len = (rng.next() % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let x = rng.next();
                if x.is_multiple_of(4) {
                    (x >> 8) as u8
                } else {
                    alphabet[(x >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        let mut with_header = "编码,名称,甲,乙,丙,丁\n".as_bytes().to_vec();
        with_header.extend(&bytes);
        for input in [&bytes, &with_header] {
            let ds = read_csv(&r, input);
            let _ = r.assess(&ds.units, None);
            let _ = read_json(&r, input);
        }
    }
}

#[test]
fn extreme_numbers_saturate_instead_of_overflowing() {
    let rows = "1,甲,,79228162514264337593543950335,0.0000000000000000000000000001,9223372036854775807,9223372036854775807,,\n\
                2,乙,,-79228162514264337593543950335,79228162514264337593543950335,-9223372036854775808,0,,\n\
                3,丙,,0,0,0,-1,,\n";
    // Counts are not negative by default (D0206): the rows with −2^63 and −1 are refused…
    let r = rules(BODY);
    let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
    let ds = read_csv(&r, csv.as_bytes());
    let codes: Vec<(usize, &str)> = ds.errors.iter().map(|e| (e.row(), e.code())).collect();
    assert_eq!(codes, [(3, "D0206"), (4, "D0206")]);
    // …and with the default lifted (`min: ()`) they saturate instead of overflowing.
    let mut src = format!("{PRELUDE}{BODY}");
    for f in ["c", "d"] {
        let label = if f == "c" { "丙" } else { "丁" };
        src = src.replace(
            &format!(r#"field("{f}", #{{ label: "{label}", type: "int", if_blank: 0 }});"#),
            &format!(
                r#"field("{f}", #{{ label: "{label}", type: "int", if_blank: 0, min: () }});"#
            ),
        );
    }
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    let ds = read_csv(&r, csv.as_bytes());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let rep = r.assess(&ds.units, None).unwrap();
    for u in &rep.units {
        for i in &u.items {
            assert!(
                i.points >= rust_decimal::Decimal::ZERO && i.points <= i.max,
                "{} {} {}",
                u.id,
                i.id,
                i.points
            );
        }
    }
    assert_eq!(points(&rep, "1", "d"), "0");
    assert_eq!(points(&rep, "1", "n"), "5");
    assert_eq!(points(&rep, "3", "d"), "5");
}

#[test]
fn numbers_too_large_for_an_exact_decimal_are_data_errors_not_zero() {
    let r = rules(BODY);
    let ds = read_csv(
        &r,
        "编码,名称,甲\n1,甲,1e40\n2,乙,792281625142643375935439503350\n".as_bytes(),
    );
    assert_eq!(ds.errors.len(), 2, "{:?}", ds.errors);
    assert!(ds.units.is_empty());
}
