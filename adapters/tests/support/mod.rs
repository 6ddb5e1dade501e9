//! Loopback fixtures for the TLS and connect tests: certificates made on the spot, a proxy
//! and a silent server on std threads (so every runtime can use them).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    date_time_ymd,
};
use wsflow::tls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use wsflow::tls::rustls::{ClientConfig, RootCertStore, ServerConfig};

/// A CA and a server certificate it signed.
pub(crate) struct Pki {
    pub(crate) ca_pem: String,
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
    pub(crate) server: Arc<ServerConfig>,
    pub(crate) client: Arc<ClientConfig>,
}

impl Pki {
    /// A fresh CA and a server certificate for `names`.
    pub(crate) fn new(names: &[&str]) -> Pki {
        Pki::build(names, false)
    }

    /// A server certificate for `names` that expired in 2020.
    pub(crate) fn expired(names: &[&str]) -> Pki {
        Pki::build(names, true)
    }

    fn build(names: &[&str], expired: bool) -> Pki {
        static SERIAL: AtomicUsize = AtomicUsize::new(0);
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Each CA its own name, so a stranger's CA is unknown rather than a bad signature.
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        ca_params.distinguished_name = DistinguishedName::new();
        ca_params.distinguished_name.push(
            DnType::CommonName,
            format!("wsflow test CA {serial} {}", std::process::id()),
        );
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        if expired {
            params.not_before = date_time_ymd(2019, 1, 1);
            params.not_after = date_time_ymd(2020, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        let chain = vec![cert.der().clone()];
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let server = wsflow::tls::server_config(chain, key_der).unwrap();
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from(ca.der().to_vec())).unwrap();
        let client = wsflow::tls::client_config_with_roots(roots).unwrap();
        Pki {
            ca_pem: ca.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            server,
            client,
        }
    }
}

/// A server that accepts connections and never answers (nor closes) until the test ends.
pub(crate) fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(8) {
            held.push(stream);
        }
    });
    addr
}

/// What the test proxy checks and speaks.
#[derive(Clone, Copy)]
pub(crate) enum ProxyKind {
    /// HTTP CONNECT, with `Proxy-Authorization: Basic dXNlcjpwYXNz` (user:pass) required.
    Http,
    /// SOCKS5 with username/password `user`/`pass` required.
    Socks5,
}

/// A one-connection-at-a-time proxy on loopback that tunnels to wherever it is asked
/// (only loopback targets are used by the tests), for up to `connections` connections.
pub(crate) fn proxy(kind: ProxyKind, connections: usize) -> SocketAddr {
    proxy_with_log(kind, connections).0
}

/// The targets a proxy opened tunnels to (`host:port` as asked), in order.
pub(crate) type Tunnels = Arc<Mutex<Vec<String>>>;

/// [`proxy`], also recording each tunnel's target, so a test can check that a connect
/// really went through the proxy.
pub(crate) fn proxy_with_log(kind: ProxyKind, connections: usize) -> (SocketAddr, Tunnels) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let tunnels = Tunnels::default();
    let log = tunnels.clone();
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(client) = stream else { return };
            let log = log.clone();
            thread::spawn(move || {
                let target = match kind {
                    ProxyKind::Http => http_connect(&client),
                    ProxyKind::Socks5 => socks5(&client),
                };
                if let Some((name, upstream)) = target {
                    log.lock().unwrap().push(name);
                    tunnel(client, upstream);
                }
            });
        }
    });
    (addr, tunnels)
}

fn read_exact(mut stream: &TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).unwrap();
    buf
}

/// Reads the CONNECT head byte by byte (never past it), checks auth, dials the target.
fn http_connect(mut client: &TcpStream) -> Option<(String, TcpStream)> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.extend(read_exact(client, 1));
    }
    let head = String::from_utf8(head).unwrap();
    let target = head.strip_prefix("CONNECT ")?.split(' ').next()?.to_owned();
    if !head.contains("Proxy-Authorization: Basic dXNlcjpwYXNz\r\n") {
        client
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
            .unwrap();
        return None;
    }
    let upstream = TcpStream::connect(&target).ok()?;
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    Some((target, upstream))
}

/// The server side of SOCKS5 with username/password auth, resolving names itself.
fn socks5(mut client: &TcpStream) -> Option<(String, TcpStream)> {
    let greeting = read_exact(client, 2);
    let methods = read_exact(client, usize::from(greeting[1]));
    if !methods.contains(&2) {
        client.write_all(&[5, 0xFF]).unwrap();
        return None;
    }
    client.write_all(&[5, 2]).unwrap();
    let version_len = read_exact(client, 2);
    let user = read_exact(client, usize::from(version_len[1]));
    let len = read_exact(client, 1);
    let password = read_exact(client, usize::from(len[0]));
    if user != b"user" || password != b"pass" {
        client.write_all(&[1, 1]).unwrap();
        return None;
    }
    client.write_all(&[1, 0]).unwrap();
    let head = read_exact(client, 4);
    let host = match head[3] {
        1 => {
            let ip = read_exact(client, 4);
            format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
        }
        3 => {
            let len = read_exact(client, 1);
            String::from_utf8(read_exact(client, usize::from(len[0]))).unwrap()
        }
        _ => return None,
    };
    let port = read_exact(client, 2);
    let port = u16::from_be_bytes([port[0], port[1]]);
    let Ok(upstream) = TcpStream::connect((host.as_str(), port)) else {
        client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
        return None;
    };
    // A domain-name bound address, to exercise the variable-length reply.
    client
        .write_all(&[5, 0, 0, 3, 2, b'o', b'k', 0, 0])
        .unwrap();
    Some((format!("{host}:{port}"), upstream))
}

/// Copies both ways until each side ends, passing half-closes on.
fn tunnel(client: TcpStream, upstream: TcpStream) {
    let (client2, upstream2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let one = thread::spawn(move || pipe(client, upstream));
    pipe(upstream2, client2);
    let _ = one.join();
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(std::net::Shutdown::Write);
}
