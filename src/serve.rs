//! `kaohe serve`: the browser app on localhost (本地服务). Serves `www/` at `/` and the WASM
//! package `pkg/` at `/pkg/`, with `application/wasm` for the module. It binds to 127.0.0.1
//! only; the page itself never sends data anywhere.

use std::path::{Component, Path, PathBuf};

/// The content type of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "ts" | "txt" | "rhai" | "csv" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a request path to a file under `www` or `pkg`, refusing anything that climbs out.
pub fn resolve(www: &Path, pkg: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let (base, rest) = match path.strip_prefix("/pkg/") {
        Some(rest) => (pkg, rest),
        None => (www, path.trim_start_matches('/')),
    };
    let rest = if rest.is_empty() { "index.html" } else { rest };
    let rel = Path::new(rest);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = base.join(rel);
    full.is_file().then_some(full)
}

/// Serves until the process is stopped. `port` 0 picks a free port. Prints the address.
pub fn serve(root: &Path, port: u16) -> Result<(), String> {
    let www = root.join("www");
    let pkg = root.join("pkg");
    if !www.join("index.html").is_file() {
        return Err(format!("no `{}`", www.join("index.html").display()));
    }
    if !pkg.join("kaohe_bg_glue_bg.wasm").is_file() {
        return Err(
            "the WASM package is not built\n  help: run `bash scripts/build-wasm.sh` first".into(),
        );
    }
    // A busy port is no reason to fail: take a free one and say which.
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .or_else(|_| tiny_http::Server::http(("127.0.0.1", 0)))
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("127.0.0.1:{port}"), |a| a.to_string());
    println!("kaohe 考核: http://{addr}/  (Ctrl-C to stop)");
    for request in server.incoming_requests() {
        let response = match resolve(&www, &pkg, request.url())
            .and_then(|p| Some((std::fs::read(&p).ok()?, p)))
        {
            Some((body, path)) => {
                let mut r = tiny_http::Response::from_data(body);
                for (k, v) in [
                    ("Content-Type", content_type(&path)),
                    ("Cache-Control", "no-cache"),
                    ("X-Content-Type-Options", "nosniff"),
                ] {
                    if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                        r.add_header(h);
                    }
                }
                r
            }
            None => tiny_http::Response::from_string("not found").with_status_code(404),
        };
        let _ = request.respond(response);
    }
    Ok(())
}
