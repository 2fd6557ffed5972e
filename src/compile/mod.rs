//! Compiling a rule script (编译规则): run the Rhai script once with the declaration API
//! registered, collect every mistake, and return a [`RuleSet`] of plain Rust data.
//!
//! `api` registers the declaration functions; `inputs`, `items` (each item's shape in `crate::shapes`) and `grading`
//! read their calls through a `spec::Spec` into the `builder::Builder`, which checks the whole
//! set once the script has run; `syntax` reports every syntax error, not only the first.
//! Every mistake is a rule error (规则错误) from the catalogue `crate::messages::rules`, with
//! its code; `locate` finds a mistaken key or name inside a declaration's call, so the error
//! points at the token itself.

mod api;
mod builder;
mod closures;
mod grading;
mod inputs;
mod items;
pub(crate) mod locate;
mod reach;
pub(crate) mod spec;
mod survey;
mod syntax;
mod wording;

use crate::error::{RuleError, RuleErrors, SourceLocation};
use crate::model::RuleSet;
use crate::sandbox;
use builder::Builder;
use rhai::{Dynamic, Engine, AST};
use rust_decimal::Decimal;

/// Reads a file a rule set names beside itself (规则附表: a decision table kept in a workbook),
/// by the path the script writes; `None` when there is no such file. The CLI reads it from the
/// rule file's folder, the browser from the files loaded with the rules.
pub type FileLoader = Box<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// The largest file beside the rules read (a decision table's workbook).
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// Reads the files a rule file names beside itself: paths relative to its folder, never
/// outside it (no absolute path, no `..`, no link out of it), regular files of at most 16 MiB;
/// for [`Rules::compile_with_files`].
#[cfg(not(target_arch = "wasm32"))]
pub fn files_beside(rules: &std::path::Path) -> FileLoader {
    use std::path::{Component, Path};
    let dir = rules.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".").to_path_buf()
    } else {
        dir
    };
    Box::new(move |path| {
        let rel = Path::new(path);
        let plain = rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !plain {
            return None;
        }
        // Links are followed only as far as the folder: the file must stay inside it.
        let root = dir.canonicalize().ok()?;
        let full = dir.join(rel).canonicalize().ok()?;
        let meta = std::fs::metadata(&full).ok()?;
        if !full.starts_with(&root) || !meta.is_file() || meta.len() > MAX_FILE_BYTES as u64 {
            return None;
        }
        std::fs::read(full).ok()
    })
}

/// A rule set ready to score units: the declarations plus the script's closures.
pub struct Rules {
    /// The declarations.
    pub(crate) set: RuleSet,
    pub(crate) engine: Engine,
    pub(crate) ast: AST,
    /// What `check` warns of (警告): likely slips that do not stop the rule set compiling.
    warnings: Vec<RuleError>,
    /// SHA-256 of the source and its modules (来源), for a result's provenance.
    digest: String,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("set", &self.set).finish()
    }
}

impl Rules {
    /// SHA-256 of the rule source and its modules, in hex: what a result's provenance (来源)
    /// names the rules by.
    #[must_use]
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// What `kaohe check` warns of (警告), in the order of the file: likely slips, such as a
    /// number in an item's `text` that none of its parameters uses (R0701). They do not stop
    /// the rule set compiling or scoring.
    #[must_use]
    pub fn warnings(&self) -> &[RuleError] {
        &self.warnings
    }

    /// Uses these parameter values (参数, from [`crate::params::read`] or
    /// [`crate::params::parse_pair`]) for the runs that follow, in place of the declared ones;
    /// the reasons show the value used and the one the rule set declares.
    pub fn set_params(&mut self, values: &[crate::params::ParamValue]) {
        for v in values {
            if let Some(p) = self.set.params.get_mut(v.index) {
                p.value = v.value;
            }
        }
    }

    /// The parameters' values now, to put back later with [`Rules::set_params`].
    #[must_use]
    pub fn params_now(&self) -> Vec<crate::params::ParamValue> {
        self.set
            .params
            .iter()
            .enumerate()
            .map(|(index, p)| crate::params::ParamValue {
                index,
                value: p.value,
            })
            .collect()
    }

    /// The files beside the rules this rule set reads (its decision tables' workbooks), as the
    /// script names them: a run must not write its result over one.
    #[must_use]
    pub fn files_read(&self) -> Vec<String> {
        self.set
            .items
            .iter()
            .filter_map(|i| match &i.shape {
                crate::shapes::Shape::Table(t) => t.origin.as_ref().map(|o| o.file.clone()),
                _ => None,
            })
            .collect()
    }

    /// Puts back every parameter's declared value.
    pub fn reset_params(&mut self) {
        for p in &mut self.set.params {
            p.value = p.declared;
        }
    }

    /// Compiles a rule script. `file` names it in error messages.
    pub fn compile(file: &str, source: &str) -> Result<Self, RuleErrors> {
        Self::compile_with_modules(file, source, &[])
    }

    /// Compiles a rule script that may `import` the given helper modules, each `(path, source)`.
    pub fn compile_with_modules(
        file: &str,
        source: &str,
        modules: &[(String, String)],
    ) -> Result<Self, RuleErrors> {
        Self::compile_with_files(file, source, modules, Box::new(|_| None))
    }

    /// Compiles a rule script that may `import` the given helper modules and name files beside
    /// it (a decision table's workbook: `table: #{ file: "x.xlsx", sheet: "…" }`), which
    /// `files` reads.
    pub fn compile_with_files(
        file: &str,
        source: &str,
        modules: &[(String, String)],
        files: FileLoader,
    ) -> Result<Self, RuleErrors> {
        // The files beside the rules as they are read, hashed for the provenance (来源).
        let read: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>> = Default::default();
        let seen = std::sync::Arc::clone(&read);
        let files: FileLoader = Box::new(move |p| {
            let bytes = files(p)?;
            if let Ok(mut s) = seen.lock() {
                s.push((p.to_string(), crate::provenance::sha256_hex(&bytes)));
            }
            Some(bytes)
        });
        let source = sandbox::script_text(source);
        if let Some(e) = sandbox::too_large(file, source) {
            return Err(RuleErrors(vec![e]));
        }
        let mut errors = Vec::new();
        let mut engine = sandbox::engine();
        let (resolver, compiled) = sandbox::modules(&engine, modules, &mut errors);
        engine.set_module_resolver(resolver.clone());
        let mut builder = Builder::new(file, source);
        builder.files = Some(files);
        let builder = api::share(builder);
        api::register(&mut engine, &builder);

        let ast = match engine.compile(source) {
            Ok(ast) => ast,
            Err(e) => {
                errors.extend(syntax::errors(&engine, file, source, e));
                return Err(RuleErrors(errors));
            }
        };
        if !errors.is_empty() {
            // A helper module is broken: running the script would only repeat that.
            return Err(RuleErrors(errors));
        }
        let ran = sandbox::evaluate(|| engine.run_ast(&ast));
        drop(engine);
        let mut builder = api::unshare(builder);
        let mut warnings = Vec::new();
        let set = match ran {
            Ok(()) => {
                let set = builder.finish(&mut errors, &mut warnings);
                if let Some(set) = &set {
                    closures::check(set, &ast, file, &mut errors);
                }
                set
            }
            // The script stopped part-way: report what it found so far and why it stopped,
            // not the declarations it never reached.
            Err(e) => {
                errors.append(&mut builder.errors);
                errors.push(RuleError::new(
                    SourceLocation::new(file, {
                        let at = sandbox::innermost_position(&e).unwrap_or(e.position());
                        sandbox::is_runaway(&e)
                            .then(|| sandbox::loop_around(&ast, at))
                            .flatten()
                            .unwrap_or(at)
                    }),
                    sandbox::describe(&e),
                ));
                None
            }
        };
        // Errors read top to bottom, as in the file (stable: same place keeps its order).
        errors.sort_by_key(|e| (e.location.file != file, e.location.line, e.location.column));
        match set {
            Some(set) if errors.is_empty() => {
                let mut engine = sandbox::engine();
                engine.set_module_resolver(resolver);
                sandbox::register_imports(&mut engine, &ast, &compiled);
                closures::strict_names(&mut engine, &set);
                warnings
                    .sort_by_key(|e| (e.location.file != file, e.location.line, e.location.column));
                Ok(Self {
                    set,
                    engine,
                    ast,
                    warnings,
                    digest: crate::provenance::rules_digest(
                        source,
                        modules,
                        &read.lock().map(|r| r.clone()).unwrap_or_default(),
                    ),
                })
            }
            _ => Err(RuleErrors(errors)),
        }
    }
}

pub(crate) use crate::messages::closest;
pub(crate) use closures::RESULT_KEYS;

/// A script number (whole or decimal) as a [`Decimal`]; `None` for anything else.
pub(crate) fn to_decimal(v: &Dynamic) -> Option<Decimal> {
    if let Ok(i) = v.as_int() {
        return Some(Decimal::from(i));
    }
    v.as_decimal().ok()
}
