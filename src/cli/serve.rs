//! `kaohe serve`: the browser app on localhost (本地服务). It binds to 127.0.0.1 only; the page
//! itself never sends data anywhere.
//!
//! What it serves, in this order:
//! - `--root DIR`: a repository (`DIR/www/` at `/`, the WASM package `DIR/pkg/` at `/pkg/`, and
//!   `DIR/dist/kaohe.html` when built), or a built `dist/` folder (`DIR/index.html`);
//! - the app built into the binary (`--features embed-app`, after `bash scripts/build-dist.sh`),
//!   so that it works from any directory;
//! - the repository in the current directory.
//!
//! Requests are served by a small fixed pool of threads from a bounded queue; every read and
//! write has a timeout and every connection a deadline, so a client that never reads its
//! response, or never finishes its request, holds one thread for a bounded time and never the
//! server. A connection that finds the queue full is answered 503 at once. Files are looked up
//! under their folder only: `..`, and symbolic links that lead out of it, are 404.

use crate::messages::{cli as msg, Message};
use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The app built into the binary: `(path under /, bytes)`, from `dist/` (see `build.rs`).
#[cfg(feature = "embed-app")]
pub const EMBEDDED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/embedded_app.rs"));
/// This binary was built without the app (`--features embed-app`).
#[cfg(not(feature = "embed-app"))]
pub const EMBEDDED: &[(&str, &[u8])] = &[];

/// The Content-Security-Policy of every response but an HTML page that declares its own:
/// nothing from another origin, WASM compiled but no `eval`, never framed.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; \
style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
form-action 'none'; frame-ancestors 'none'";

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

/// What is served: folders mounted at URL prefixes (the first that has the file wins), or the
/// files built into the binary.
#[derive(Debug, Clone)]
pub enum Site {
    /// `(URL prefix ending in '/', folder)`.
    Disk(Vec<(String, PathBuf)>),
    /// `(path under /, bytes)`.
    Embedded(&'static [(&'static str, &'static [u8])]),
}

impl Site {
    /// A repository (`www/` + `pkg/`, and `dist/kaohe.html` when built) or a `dist/` folder.
    pub fn from_dir(root: &Path) -> Result<Site, Message> {
        if root.join("www/index.html").is_file() {
            if !root.join("pkg/kaohe_bg_glue_bg.wasm").is_file() {
                return Err(msg::wasm_not_built(&root.display().to_string()));
            }
            return Ok(Site::Disk(vec![
                ("/pkg/".into(), root.join("pkg")),
                ("/".into(), root.join("www")),
                ("/".into(), root.join("dist")),
            ]));
        }
        if root.join("index.html").is_file() {
            return Ok(Site::Disk(vec![("/".into(), root.to_path_buf())]));
        }
        Err(msg::no_web_app(Some(&root.display().to_string())))
    }

    /// `--root` when given, else the app built in, else the repository in the current folder.
    pub fn choose(root: Option<&Path>) -> Result<Site, Message> {
        if let Some(root) = root {
            return Site::from_dir(root);
        }
        if !EMBEDDED.is_empty() {
            return Ok(Site::Embedded(EMBEDDED));
        }
        if Path::new("www/index.html").is_file() {
            return Site::from_dir(Path::new("."));
        }
        Err(msg::no_web_app(None))
    }

    /// The bytes and content type for a request target, or `None` (404).
    pub fn lookup(&self, target: &str) -> Option<(Cow<'static, [u8]>, &'static str)> {
        let path = decode(target.split(['?', '#']).next().unwrap_or("/"))?;
        let path = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path
        };
        match self {
            Site::Embedded(files) => {
                let rel = path.trim_start_matches('/');
                let (name, bytes) = files.iter().find(|(name, _)| *name == rel)?;
                Some((Cow::Borrowed(*bytes), content_type(Path::new(name))))
            }
            Site::Disk(mounts) => mounts.iter().find_map(|(prefix, dir)| {
                let rest = path.strip_prefix(prefix.as_str())?;
                let file = resolve_in(dir, rest)?;
                let body = std::fs::read(&file).ok()?;
                Some((Cow::Owned(body), content_type(&file)))
            }),
        }
    }
}

/// Percent-decodes a URL path; `None` for bad escapes, NUL, backslashes or non-UTF-8.
fn decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    (!s.contains(['\0', '\\'])).then_some(s)
}

/// Maps a request path to a file under `www`, or under `pkg` for `/pkg/…`, refusing anything
/// that leads out of them (see [`resolve_in`]); the repository's layout, as [`Site`] serves it.
#[cfg(test)]
fn resolve(www: &Path, pkg: &Path, url: &str) -> Option<PathBuf> {
    let path = decode(url.split(['?', '#']).next().unwrap_or("/"))?;
    match path.strip_prefix("/pkg/") {
        Some(rest) => resolve_in(pkg, rest),
        None => resolve_in(www, path.trim_start_matches('/')),
    }
}

/// The file `rel` under `base`, only if it is a file inside `base` once every symbolic link is
/// followed: `..`, absolute paths and links that lead out of `base` give `None`.
pub fn resolve_in(base: &Path, rel: &str) -> Option<PathBuf> {
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let rel = Path::new(rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let canonical = base.canonicalize().ok()?;
    let full = canonical.join(rel).canonicalize().ok()?;
    // The path as asked for (under `base` as given), once it is known to stay inside.
    (full.starts_with(&canonical) && full.is_file()).then(|| base.join(rel))
}

/// Timeouts and sizes of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Threads answering requests.
    pub workers: usize,
    /// Connections accepted and waiting for a thread; more are answered 503.
    pub queue: usize,
    /// Longest wait for one read of the request.
    pub read_timeout: Duration,
    /// Longest wait for one write of the response.
    pub write_timeout: Duration,
    /// Longest time a connection may take, request and response.
    pub deadline: Duration,
    /// Longest request head (request line and headers).
    pub max_head: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            workers: 8,
            queue: 64,
            read_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
            max_head: 16 * 1024,
        }
    }
}

/// Serves until the process is stopped. `port` 0 picks a free port; a busy one too (and says
/// which). Prints the address.
pub fn serve(root: Option<&Path>, port: u16) -> Result<(), Message> {
    let site = Site::choose(root)?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .or_else(|_| TcpListener::bind(("127.0.0.1", 0)))
        .map_err(|e| msg::cannot_listen(port, &e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| msg::cannot_listen(port, &e.to_string()))?;
    let from = match &site {
        Site::Embedded(_) => "内置网页应用 (built-in app)".to_string(),
        Site::Disk(m) => m
            .iter()
            .map(|(_, d)| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    println!("kaohe 考核: http://{addr}/  (Ctrl-C 停止 / to stop) — {from}");
    run(listener, Arc::new(site), &Limits::default());
    Ok(())
}

/// Accepts connections until the listener fails, answering them on `limits.workers` threads.
pub fn run(listener: TcpListener, site: Arc<Site>, limits: &Limits) {
    let (tx, rx) = sync_channel::<TcpStream>(limits.queue);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..limits.workers.max(1) {
        let (rx, site, limits) = (Arc::clone(&rx), Arc::clone(&site), limits.clone());
        std::thread::spawn(move || worker(&rx, &site, &limits));
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        match tx.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(stream)) => refuse(stream),
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

fn worker(rx: &Mutex<Receiver<TcpStream>>, site: &Site, limits: &Limits) {
    loop {
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(stream) = next else { return };
        let _ = handle(stream, site, limits);
    }
}

/// Too busy: a 503 written without waiting, then the connection is closed.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = stream.write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
    );
}

/// Reads one request head and answers it; the connection is then closed.
fn handle(mut stream: TcpStream, site: &Site, limits: &Limits) -> std::io::Result<()> {
    let deadline = Instant::now() + limits.deadline;
    stream.set_read_timeout(Some(limits.read_timeout))?;
    stream.set_write_timeout(Some(limits.write_timeout))?;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > limits.max_head {
            return respond(
                &mut stream,
                431,
                "text/plain; charset=utf-8",
                CSP,
                b"request head too large",
                true,
                deadline,
            );
        }
        if Instant::now() > deadline {
            return Ok(());
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let with_body = method != "HEAD";
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            405,
            "text/plain; charset=utf-8",
            CSP,
            b"method not allowed",
            true,
            deadline,
        );
    }
    match site.lookup(target) {
        Some((body, ty)) => {
            let csp = if ty.starts_with("text/html") {
                page_csp(&body)
            } else {
                Cow::Borrowed(CSP)
            };
            respond(&mut stream, 200, ty, &csp, &body, with_body, deadline)
        }
        None => respond(
            &mut stream,
            404,
            "text/plain; charset=utf-8",
            CSP,
            "未找到 (not found)".as_bytes(),
            with_body,
            deadline,
        ),
    }
}

/// An HTML page's own policy (its `<meta>` Content-Security-Policy, which the single-file app
/// needs: hashes of its inline scripts, `blob:` workers) with `frame-ancestors 'none'`, which a
/// `<meta>` cannot carry; the server's [`CSP`] for a page without one.
pub fn page_csp(html: &[u8]) -> Cow<'static, str> {
    let text = String::from_utf8_lossy(&html[..html.len().min(16 * 1024)]);
    let key = "http-equiv=\"Content-Security-Policy\" content=\"";
    let Some(start) = text.find(key).map(|i| i + key.len()) else {
        return Cow::Borrowed(CSP);
    };
    let Some(len) = text[start..].find('"') else {
        return Cow::Borrowed(CSP);
    };
    let policy = text[start..start + len].trim().trim_end_matches(';');
    if policy.contains("frame-ancestors") || policy.contains(['\r', '\n']) {
        return Cow::Owned(policy.replace(['\r', '\n'], " "));
    }
    Cow::Owned(format!("{policy}; frame-ancestors 'none'"))
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    ty: &str,
    csp: &str,
    body: &[u8],
    with_body: bool,
    deadline: Instant,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: {csp}\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        for part in body.chunks(64 * 1024) {
            if Instant::now() > deadline {
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            stream.write_all(part)?;
        }
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn serve_maps_paths_safely_and_types_wasm() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (www, pkg) = (root.join("www"), root.join("src"));
        assert_eq!(resolve(&www, &pkg, "/kaohe.js"), Some(www.join("kaohe.js")));
        assert_eq!(
            resolve(&www, &pkg, "/pkg/lib.rs?x=1"),
            Some(pkg.join("lib.rs"))
        );
        assert_eq!(resolve(&www, &pkg, "/../Cargo.toml"), None);
        assert_eq!(resolve(&www, &pkg, "/pkg/../../etc/passwd"), None);
        assert_eq!(resolve(&www, &pkg, "/no-such-file.js"), None);
        assert_eq!(
            content_type(std::path::Path::new("a/kaohe_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            content_type(std::path::Path::new("index.html")),
            "text/html; charset=utf-8"
        );
    }
}
