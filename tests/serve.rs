//! `kaohe serve` over real sockets on 127.0.0.1: security headers, no way out of the served
//! folder (`..`, symbolic links), a client that never reads does not hold up another, and
//! hundreds of idle connections do not become hundreds of threads. Bounded by socket timeouts
//! and counts, never by wall-clock asserts.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `dist/`-like folder with a page, a 16 MB module, a secret beside it and symbolic links out.
fn site(tag: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("kaohe-serve-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let root = base.join("site");
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><title>考核</title><p>ok</p>",
    )
    .unwrap();
    std::fs::write(root.join("pkg/big.wasm"), vec![7u8; 16 << 20]).unwrap();
    std::fs::write(base.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), root.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
    std::os::unix::fs::symlink(root.join("index.html"), root.join("inside.html")).unwrap();
    root
}

fn start(tag: &str) -> Server {
    let root = site(tag);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server {
        child,
        addr,
        dir: root.parent().unwrap().to_path_buf(),
    }
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// Sends a raw request; returns (status, head, body).
fn get(addr: &str, target: &str) -> (u16, String, Vec<u8>) {
    let mut s = connect(addr);
    write!(s, "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&all[..split]).to_string();
    let status = head[9..12].parse().unwrap();
    (status, head, all[split + 4..].to_vec())
}

#[test]
fn pages_carry_security_headers() {
    let srv = start("headers");
    let (status, head, body) = get(&srv.addr, "/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("考核"));
    let lower = head.to_lowercase();
    assert!(
        lower.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(lower.contains("x-content-type-options: nosniff"), "{head}");
    let csp = head
        .lines()
        .find(|l| l.to_lowercase().starts_with("content-security-policy:"))
        .unwrap_or_else(|| panic!("no CSP header: {head}"));
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    let (status, head, body) = get(&srv.addr, "/pkg/big.wasm");
    assert_eq!(status, 200);
    assert_eq!(body.len(), 16 << 20);
    assert!(head.contains("application/wasm"), "{head}");
}

#[test]
fn nothing_outside_the_folder_is_served() {
    let srv = start("escape");
    assert_eq!(
        get(&srv.addr, "/leak.txt").0,
        404,
        "a symbolic link out of the folder"
    );
    assert_eq!(
        get(&srv.addr, "/up/secret.txt").0,
        404,
        "a linked folder out of it"
    );
    assert_eq!(get(&srv.addr, "/../secret.txt").0, 404);
    assert_eq!(get(&srv.addr, "/%2e%2e/secret.txt").0, 404);
    assert_eq!(get(&srv.addr, "/pkg/..%2f..%2fsecret.txt").0, 404);
    assert_eq!(
        get(&srv.addr, "/inside.html").0,
        200,
        "a link inside the folder is fine"
    );
}

#[test]
fn a_client_that_never_reads_does_not_block_another() {
    let srv = start("slow");
    // Three clients ask for the 16 MB module and never read it: their writes fill the socket
    // buffers and block.
    let stalled: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut s = connect(&srv.addr);
            write!(s, "GET /pkg/big.wasm HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // Another client is answered in full (its read timeout, 30 s, bounds the wait).
    for _ in 0..5 {
        let (status, _, body) = get(&srv.addr, "/index.html");
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&body).contains("ok"));
    }
    drop(stalled);
}

#[cfg(target_os = "linux")]
#[test]
fn idle_connections_do_not_become_threads() {
    let srv = start("idle");
    let threads = |pid: u32| {
        std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .count()
    };
    // 300 connections that never send a request.
    let idle: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(&srv.addr).ok())
        .collect();
    assert!(idle.len() >= 250, "{} connected", idle.len());
    std::thread::sleep(Duration::from_millis(300));
    let n = threads(srv.child.id());
    assert!(n <= 16, "{n} threads for 300 idle connections");
    drop(idle);
    // Closed, they free the server: within a few seconds on a loaded machine (the server may
    // still be turning the closed ones away when the first request comes).
    let served = (0..50).any(|_| {
        let ok = std::panic::catch_unwind(|| get(&srv.addr, "/").0 == 200).unwrap_or(false);
        if !ok {
            std::thread::sleep(Duration::from_millis(100));
        }
        ok
    });
    assert!(
        served,
        "the server did not serve again after the idle connections closed"
    );
}

#[test]
fn no_app_says_how_to_build_it() {
    let dir = std::env::temp_dir().join(format!("kaohe-serve-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&dir)
        .env_remove("LC_ALL")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("错误[C0201]："), "{err}");
    assert!(err.contains("中没有网页应用"), "{err}");
    assert!(
        err.contains("提示：在 kaohe 源码目录运行 bash scripts/build-dist.sh"),
        "{err}"
    );
    assert!(Path::new(env!("CARGO_BIN_EXE_kaohe")).is_file());
}
