//! Where a result came from (来源): kaohe's version and content hashes (SHA-256) of the rule
//! source with its modules, of each data file and of the previous period's result, and the
//! parameters' values the run used. Every JSON result carries it (`provenance`), a workbook
//! carries it in its properties and the table and the 通报 in a footer line, so that a printed
//! result can be traced to exactly what produced it and `kaohe verify` can re-run it. No clock
//! and no file name goes in: the same input gives the same bytes, in the CLI and in WASM.

use crate::compile::Rules;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// What produced a result (来源).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Provenance {
    /// kaohe's version.
    pub kaohe: String,
    /// SHA-256 of the rule source and its modules ([`rules_digest`]), in hex.
    pub rules_sha256: String,
    /// SHA-256 of each data file, in the order given.
    pub data_sha256: Vec<String>,
    /// SHA-256 of the previous period's result, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_sha256: Option<String>,
    /// SHA-256 of each earlier period's result before it (`--history`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history_sha256: Vec<String>,
    /// The parameters' values the run used (本次参数), by id in the order declared, when the
    /// rule set has any.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl Provenance {
    /// The provenance of a run of `rules` over the `data` files, against the earlier `periods`'
    /// results as given (their texts, oldest first; the last is the previous period).
    pub fn of(rules: &Rules, data: &[&[u8]], periods: &[&[u8]]) -> Self {
        let (previous, history) = match periods.split_last() {
            Some((last, rest)) => (
                Some(sha256_hex(last)),
                rest.iter().map(|p| sha256_hex(p)).collect(),
            ),
            None => (None, Vec::new()),
        };
        Self {
            kaohe: env!("CARGO_PKG_VERSION").to_string(),
            rules_sha256: rules.digest().to_string(),
            data_sha256: data.iter().map(|d| sha256_hex(d)).collect(),
            previous_sha256: previous,
            history_sha256: history,
            params: rules
                .set
                .params
                .iter()
                .map(|p| (p.id.to_string(), crate::figures::fmt(p.value).into()))
                .collect(),
        }
    }

    /// The line a table or a printed 通报 ends with: 来源：kaohe 0.1.0 · 规则 1a2b3c4d5e6f · 数据
    /// 7a8b9c0d1e2f (the first twelve hex digits of each hash).
    pub fn line(&self) -> String {
        let short = |h: &str| h.chars().take(12).collect::<String>();
        let mut s = format!(
            "来源：kaohe {} · 规则 {}",
            self.kaohe,
            short(&self.rules_sha256)
        );
        for d in &self.data_sha256 {
            let _ = write!(s, " · 数据 {}", short(d));
        }
        if let Some(p) = &self.previous_sha256 {
            let _ = write!(s, " · 上期 {}", short(p));
        }
        s
    }
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of a rule set: the source (without a byte-order mark), then each module in order of
/// name, as a zero byte, its name, a zero byte and its text, then each file beside the rules it
/// read (规则附表, a decision table's workbook) in order of name, as a one byte, its name, a zero
/// byte and the file's own SHA-256 (`files`: name and hex hash).
pub fn rules_digest(
    source: &str,
    modules: &[(String, String)],
    files: &[(String, String)],
) -> String {
    let mut h = Sha256::new();
    h.update(crate::sandbox::script_text(source).as_bytes());
    for (tag, list) in [(0u8, modules), (1u8, files)] {
        let mut sorted: Vec<&(String, String)> = list.iter().collect();
        sorted.sort();
        sorted.dedup();
        for (name, text) in sorted {
            h.update([tag]);
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
        }
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_one() {
        // FIPS 180-2's example.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn modules_count_and_their_order_does_not() {
        let a = ("lib/a.rhai".to_string(), "fn a() {}".to_string());
        let b = ("lib/b.rhai".to_string(), "fn b() {}".to_string());
        let one = rules_digest("x", &[a.clone(), b.clone()], &[]);
        assert_eq!(one, rules_digest("x", &[b, a.clone()], &[]));
        assert_ne!(one, rules_digest("x", std::slice::from_ref(&a), &[]));
        assert_eq!(
            rules_digest("\u{feff}x", &[], &[]),
            rules_digest("x", &[], &[])
        );
        assert_ne!(rules_digest("x", &[], &[]), rules_digest("y", &[], &[]));
        // A file beside the rules counts, by name and content, and is not a module.
        let sheet = ("表.xlsx".to_string(), sha256_hex(b"PK"));
        let with_sheet = rules_digest("x", &[], std::slice::from_ref(&sheet));
        assert_ne!(with_sheet, rules_digest("x", &[], &[]));
        assert_ne!(with_sheet, rules_digest("x", &[sheet], &[]));
    }
}
