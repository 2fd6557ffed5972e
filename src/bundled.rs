//! Rule sets and sample data shipped inside the binary (内置规则集), so `kaohe assess`
//! with no files scores a real example from any directory.

/// A bundled rule set with its sample data.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Rule set id.
    pub id: &'static str,
    /// Path of the script, relative to the repository.
    pub rules_path: &'static str,
    /// The script.
    pub rules: &'static str,
    /// Path of the sample data.
    pub data_path: &'static str,
    /// The sample data.
    pub data: &'static [u8],
}

/// Every bundled rule set; the first is the default.
pub const ALL: &[Bundled] = &[Bundled {
    id: "county-antidrug",
    rules_path: "rules/county-antidrug.rhai",
    rules: include_str!("../rules/county-antidrug.rhai"),
    data_path: "rules/samples/county-antidrug.csv",
    data: include_bytes!("../rules/samples/county-antidrug.csv"),
}];

/// The default rule set: the county anti-drug assessment of townships.
pub fn default_set() -> &'static Bundled {
    &ALL[0]
}
