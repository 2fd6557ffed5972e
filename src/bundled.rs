//! Rule sets shipped inside the binary and the WASM package (内置规则集): every rule set in
//! `rules/` with its test cases and sample files, gathered by `build.rs`. With them
//! `kaohe assess` with no files scores a real example from any directory.

/// A bundled rule set with its sample data and test cases.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Rule set id (the file name without `.rhai`).
    pub id: &'static str,
    /// Path of the script, relative to the repository.
    pub rules_path: &'static str,
    /// The script.
    pub rules: &'static str,
    /// Path of the sample data.
    pub data_path: &'static str,
    /// The sample data (`rules/samples/ID.csv`), if there is one.
    pub data: Option<&'static [u8]>,
    /// Whether the sample files are left out of this build (the browser's engine module, for a
    /// rule set with a survey: respondents' rows, read by the full module, which has them).
    pub samples_elsewhere: bool,
    /// The test cases (`rules/ID.cases.json`), if there are any.
    pub cases: Option<&'static str>,
    /// Every sample file of the rule set (`samples/ID.*`), by path relative to `rules/`.
    pub files: &'static [(&'static str, &'static [u8])],
}

/// Every bundled rule set; the first is the default.
pub const ALL: &[Bundled] = include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The default rule set: the county anti-drug assessment of townships.
pub fn default_set() -> &'static Bundled {
    &ALL[0]
}

impl Bundled {
    /// A sample file by its path relative to `rules/` (as test cases name them).
    pub fn file(&self, path: &str) -> Option<&'static [u8]> {
        self.files.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
    }

    /// The files beside the bundled rules (samples and tables), as a rule set reads them.
    pub fn loader(&'static self) -> crate::compile::FileLoader {
        Box::new(move |path| self.file(path).map(<[u8]>::to_vec))
    }
}
