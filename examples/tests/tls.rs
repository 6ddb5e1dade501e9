//! The TLS flags of the example binaries: `echo-server --tls-cert --tls-key` serves wss:// on
//! every runtime, the blocking one included (checked with a real client trusting the test's
//! CA), `autobahn-client --runtime blocking --ca-file` runs over wss://, and
//! `tls-client --ca-file` talks to `tls-server`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

const ECHO_SERVER: &str = env!("CARGO_BIN_EXE_echo-server");
const TLS_SERVER: &str = env!("CARGO_BIN_EXE_tls-server");
mod support;

use support::{Server, free_addr, pem_files};

const TLS_CLIENT: &str = env!("CARGO_BIN_EXE_tls-client");
const AUTOBAHN_CLIENT: &str = env!("CARGO_BIN_EXE_autobahn-client");

/// Starts `bin` with `args` and waits for its "listening" line.
fn start(bin: &str, args: &[&str]) -> (Server, String) {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Server(child), line)
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn echo_server_serves_wss_on_every_runtime() {
    let (ca, cert, key) = pem_files("echo");
    for runtime in ["blocking", "tokio", "smol", "async-std"] {
        let addr = free_addr();
        let (_server, line) = start(
            ECHO_SERVER,
            &[
                "--runtime",
                runtime,
                "--addr",
                &addr,
                "--tls-cert",
                path(&cert),
                "--tls-key",
                path(&key),
            ],
        );
        assert!(
            line.contains("listening on") && line.contains("(wss)"),
            "{line}"
        );
        let output = Command::new(TLS_CLIENT)
            .args([
                "--url",
                &format!("wss://{addr}/"),
                "--ca-file",
                path(&ca),
                "--message",
                runtime,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{runtime}: {stderr}");
        assert_eq!(stdout.trim(), runtime);
    }
}

#[test]
fn tls_flags_are_refused_when_incomplete() {
    let (_, cert, _) = pem_files("refuse");
    let addr = free_addr();
    // A certificate without its key is a usage error, not a plain server.
    let output = Command::new(ECHO_SERVER)
        .args([
            "--runtime",
            "tokio",
            "--addr",
            &addr,
            "--tls-cert",
            path(&cert),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage:"));
}

/// A stand-in for the fuzzing server over wss:// on blocking threads: one case, then the
/// report request; reports whether each connection's close handshake completed.
fn wss_fuzzing_server(cert: &Path, key: &Path) -> (u16, std::sync::mpsc::Receiver<bool>) {
    use wsflow::blocking;

    let config = wsflow::tls::server_config_from_pem(cert, key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen, saw) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(3) {
            let tls = blocking::tls_accept(tcp.unwrap(), config.clone()).unwrap();
            let mut target = String::new();
            let mut ws = blocking::accept_with(tls, &wsflow::AcceptOptions::new(), |request| {
                target = request.request.uri().to_string();
                Ok(wsflow::Accept::new())
            })
            .unwrap();
            if target == "/getCaseCount" {
                ws.send("1").unwrap();
            } else if target.starts_with("/runCase") {
                ws.send("echo me").unwrap();
                assert_eq!(ws.recv().unwrap().unwrap().as_text(), Some("echo me"));
            }
            let report = ws.close(wsflow::CloseCode::NORMAL, "").unwrap();
            seen.send(report.was_clean()).unwrap();
        }
    });
    (port, saw)
}

#[test]
fn autobahn_client_runs_over_wss_on_the_blocking_runtime() {
    let (ca, cert, key) = pem_files("autobahn");
    let (port, saw) = wss_fuzzing_server(&cert, &key);
    let output = Command::new(AUTOBAHN_CLIENT)
        .args([
            "--runtime",
            "blocking",
            "--url",
            &format!("wss://localhost:{port}"),
            "--agent",
            "wsflow-test",
            "--ca-file",
            path(&ca),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("1 cases"), "{stderr}");
    let patience = std::time::Duration::from_secs(10);
    for _ in 0..3 {
        assert!(
            saw.recv_timeout(patience).unwrap(),
            "a clean close: {stderr}"
        );
    }
}

#[test]
fn tls_client_and_server_examples_talk_and_unknown_cas_fail() {
    let (ca, cert, key) = pem_files("pair");
    let (other_ca, _, _) = pem_files("stranger");
    let addr = free_addr();
    let (_server, line) = start(
        TLS_SERVER,
        &["--addr", &addr, "--cert", path(&cert), "--key", path(&key)],
    );
    assert!(line.contains("listening on wss://"), "{line}");
    let url = format!("wss://localhost:{}/", addr.rsplit(':').next().unwrap());
    let output = Command::new(TLS_CLIENT)
        .args(["--url", &url, "--ca-file", path(&ca)])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "hello over TLS"
    );
    let output = Command::new(TLS_CLIENT)
        .args(["--url", &url, "--ca-file", path(&other_ca)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.starts_with("tls-client: TLS handshake with localhost:"),
        "{stderr}"
    );
}

/// A loopback HTTP CONNECT proxy without auth for `connections` connections; each tunnel
/// it opens is reported on the channel.
fn connect_proxy(connections: usize) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for client in listener.incoming().take(connections) {
            let mut client = client.unwrap();
            let mut head = Vec::new();
            let mut byte = [0];
            while !head.ends_with(b"\r\n\r\n") {
                client.read_exact(&mut byte).unwrap();
                head.push(byte[0]);
            }
            let head = String::from_utf8(head).unwrap();
            let target = head.split(' ').nth(1).unwrap().to_owned();
            let upstream = TcpStream::connect(&target).unwrap();
            client.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
            tx.send(target).unwrap();
            let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            std::thread::spawn(move || std::io::copy(&mut c2, &mut u2));
            std::thread::spawn(move || {
                let (mut upstream, mut client) = (upstream, client);
                let _ = std::io::copy(&mut upstream, &mut client);
                let _ = client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (addr, rx)
}

#[test]
fn proxy_from_the_environment_when_asked() {
    let (ca, cert, key) = pem_files("env");
    let addr = free_addr();
    let (_server, _) = start(
        TLS_SERVER,
        &["--addr", &addr, "--cert", path(&cert), "--key", path(&key)],
    );
    let url = format!("wss://localhost:{}/", addr.rsplit(':').next().unwrap());
    let (proxy, tunnels) = connect_proxy(1);
    let client = |no_proxy: &str| {
        Command::new(TLS_CLIENT)
            .args(["--url", &url, "--ca-file", path(&ca), "--proxy-from-env"])
            .env("HTTPS_PROXY", format!("http://{proxy}"))
            .env("NO_PROXY", no_proxy)
            .env_remove("https_proxy")
            .env_remove("no_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .output()
            .unwrap()
    };
    let output = client("");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tunnel = tunnels
        .recv_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    assert!(tunnel.starts_with("localhost:"), "{tunnel}");
    // NO_PROXY covers the host: straight to the server, the proxy sees nothing.
    let output = client("example.test,localhost");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(tunnels.try_recv().is_err());
}
