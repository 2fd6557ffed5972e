//! Bundles every rule set in `rules/` (not `rules/broken/`) with its test cases and sample
//! files into the crate, so the CLI and the WASM package carry the same rule library.
//!
//! With the `embed-app` feature it also builds the web app in `dist/` (or `$KAOHE_DIST`) into
//! the binary for `kaohe serve`; `bash scripts/build-dist.sh` builds `dist/` first.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    if std::env::var_os("CARGO_FEATURE_EMBED_APP").is_some() {
        embed_app();
    }
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=rules/samples");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let rules = Path::new(&root).join("rules");
    let mut stems: Vec<String> = std::fs::read_dir(&rules)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| {
                    let p = e.path();
                    (p.extension()? == "rhai").then(|| p.file_stem()?.to_str().map(String::from))?
                })
                .collect()
        })
        .unwrap_or_default();
    stems.sort();
    // The default rule set comes first.
    if let Some(i) = stems.iter().position(|s| s == "county-antidrug") {
        let d = stems.remove(i);
        stems.insert(0, d);
    }
    let mut samples: Vec<String> = std::fs::read_dir(rules.join("samples"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    samples.sort();
    let lit = |p: &Path| format!("{:?}", p.display().to_string());
    // Without the respondents' reader (the browser's engine module), a rule set with a survey
    // carries no sample files: they are respondents' rows, which only the full module reads,
    // and the full module carries them.
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_RESPONDENTS");
    let respondents = std::env::var_os("CARGO_FEATURE_RESPONDENTS").is_some();
    let mut out = String::from("&[\n");
    for stem in &stems {
        let rule = rules.join(format!("{stem}.rhai"));
        let samples_elsewhere = !respondents
            && std::fs::read_to_string(&rule)
                .is_ok_and(|t| t.lines().any(|l| l.starts_with("survey(")));
        let cases = rules.join(format!("{stem}.cases.json"));
        let data = rules.join("samples").join(format!("{stem}.csv"));
        let cases = if cases.is_file() {
            format!("Some(include_str!({}))", lit(&cases))
        } else {
            "None".into()
        };
        let data = if data.is_file() && !samples_elsewhere {
            format!("Some(include_bytes!({}))", lit(&data))
        } else {
            "None".into()
        };
        let mut files = String::new();
        // A previous period's result file (`NAME.prev.json`, written by `kaohe assess --format
        // json`) is for the CLI's `--previous`; the cases derive it from `NAME.prev.csv`
        // (`"previous": {"data": …}`), so the bundle carries the data, not the result.
        for f in samples.iter().filter(|f| {
            !samples_elsewhere && f.starts_with(&format!("{stem}.")) && !f.ends_with(".prev.json")
        }) {
            let _ = write!(
                files,
                "(\"samples/{f}\", include_bytes!({}).as_slice()), ",
                lit(&rules.join("samples").join(f))
            );
        }
        let _ = writeln!(
            out,
            "    Bundled {{ id: {stem:?}, rules_path: \"rules/{stem}.rhai\", rules: include_str!({}), data_path: \"rules/samples/{stem}.csv\", data: {data}, samples_elsewhere: {samples_elsewhere}, cases: {cases}, files: &[{files}] }},",
            lit(&rule)
        );
    }
    out.push(']');
    let dest =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("bundled.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

/// Writes `embedded_app.rs`: `&[(path, include_bytes!(file)), …]` for every file under the
/// built `dist/` folder, or a `compile_error!` that says how to build it.
fn embed_app() {
    println!("cargo:rerun-if-env-changed=KAOHE_DIST");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dist = std::env::var("KAOHE_DIST")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| Path::new(&root).join("dist"));
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    collect(&dist, "", &mut files);
    files.sort();
    let out = if files.iter().any(|(name, _)| name == "index.html") {
        let mut out = String::from("&[\n");
        for (name, path) in &files {
            let _ = writeln!(
                out,
                "    ({name:?}, include_bytes!({:?}).as_slice()),",
                path.display().to_string()
            );
        }
        out.push(']');
        out
    } else {
        format!(
            "compile_error!(\"the `embed-app` feature needs the built web app in {}: run `bash scripts/build-dist.sh` first\")",
            dist.display().to_string().replace('\\', "/")
        )
    };
    let dest =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("embedded_app.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, std::path::PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let Some(name) = e.file_name().to_str().map(String::from) else {
            continue;
        };
        let rel = format!("{prefix}{name}");
        if path.is_dir() {
            collect(&path, &format!("{rel}/"), out);
        } else if path.is_file() {
            out.push((rel, path));
        }
    }
}
