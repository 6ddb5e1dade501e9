//! TLS with [rustls](https://docs.rs/rustls): the default client config, server configs from
//! PEM files, and the crypto provider — never a panic when none is available, an error.
//!
//! The runtime modules hold the TLS streams (`tokio::MaybeTlsStream` over `tokio-rustls`,
//! `smol::MaybeTlsStream` and `async_std::MaybeTlsStream` over `futures-rustls`,
//! [`blocking::MaybeTlsStream`](crate::blocking::MaybeTlsStream) over rustls itself) and the
//! server's `tls_accept`; `connect("wss://…")` uses [`default_client_config`] unless
//! [`ConnectOptions::tls_config`](crate::ConnectOptions::tls_config) gives another.
//!
//! | feature        | what it adds                                             |
//! |----------------|----------------------------------------------------------|
//! | `rustls`       | TLS on every enabled runtime (no provider, no roots)     |
//! | `ring`         | rustls's *ring* crypto provider (no cmake needed)         |
//! | `aws-lc-rs`    | rustls's AWS-LC crypto provider                          |
//! | `webpki-roots` | Mozilla's root certificates, compiled in                 |
//! | `native-roots` | the platform's root certificates (`rustls-native-certs`) |

use std::io;
use std::path::Path;
use std::sync::Arc;

/// The rustls this crate is built with, for building configs of the same version.
pub use rustls;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// The ALPN protocol a WebSocket handshake runs over.
const ALPN_HTTP11: &[u8] = b"http/1.1";

/// The crypto provider: the one installed process-wide (`CryptoProvider::install_default`)
/// if any, else the one the `ring` or `aws-lc-rs` feature brings (`ring` first when both
/// are on). Without any, an error that says how to get one.
pub fn crypto_provider() -> io::Result<Arc<CryptoProvider>> {
    if let Some(provider) = CryptoProvider::get_default() {
        return Ok(provider.clone());
    }
    #[cfg(feature = "ring")]
    return Ok(Arc::new(rustls::crypto::ring::default_provider()));
    #[cfg(all(feature = "aws-lc-rs", not(feature = "ring")))]
    return Ok(Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    Err(io::Error::other(
        "no rustls crypto provider: enable wsflow's `ring` or `aws-lc-rs` feature, \
         or install one with rustls::crypto::CryptoProvider::install_default",
    ))
}

/// The root certificates the root-store features bring; empty without them.
fn default_roots() -> RootCertStore {
    #[allow(unused_mut)]
    let mut roots = RootCertStore::empty();
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        // Unreadable platform certificates are skipped, as browsers do; an empty store is
        // reported below.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
    }
    roots
}

/// A client config trusting `roots`, with ALPN `http/1.1`.
pub fn client_config_with_roots(roots: RootCertStore) -> io::Result<Arc<ClientConfig>> {
    let mut config = ClientConfig::builder_with_provider(crypto_provider()?)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![ALPN_HTTP11.to_vec()];
    Ok(Arc::new(config))
}

/// The client config `connect("wss://…")` uses by default: the crate's crypto provider and
/// root certificates (`webpki-roots` and/or `native-roots`), ALPN `http/1.1`. An error, not
/// a panic, when there is no provider or no root certificate.
pub fn default_client_config() -> io::Result<Arc<ClientConfig>> {
    let roots = default_roots();
    if roots.is_empty() {
        return Err(io::Error::other(
            "no root certificates: enable wsflow's `webpki-roots` or `native-roots` feature, \
             or pass a rustls::ClientConfig in ConnectOptions::tls_config",
        ));
    }
    client_config_with_roots(roots)
}

/// A client config that trusts only the CA certificates of a PEM file (for a private CA or
/// a test's self-signed certificate), with ALPN `http/1.1`.
pub fn client_config_from_ca_file(path: impl AsRef<Path>) -> io::Result<Arc<ClientConfig>> {
    let path = path.as_ref();
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|error| pem_error(path, &error))? {
        let cert = cert.map_err(|error| pem_error(path, &error))?;
        roots.add(cert).map_err(io::Error::other)?;
    }
    if roots.is_empty() {
        let why = format!("{}: no certificate in the file", path.display());
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    client_config_with_roots(roots)
}

/// A server config presenting `chain` (leaf first) with `key`, no client auth, ALPN
/// `http/1.1`.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<Arc<ServerConfig>> {
    let mut config = ServerConfig::builder_with_provider(crypto_provider()?)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    config.alpn_protocols = vec![ALPN_HTTP11.to_vec()];
    Ok(Arc::new(config))
}

/// A server config from PEM files: the certificate chain (leaf first) and its private key
/// (PKCS#8, or PKCS#1/SEC1).
pub fn server_config_from_pem(
    cert_file: impl AsRef<Path>,
    key_file: impl AsRef<Path>,
) -> io::Result<Arc<ServerConfig>> {
    let (cert_file, key_file) = (cert_file.as_ref(), key_file.as_ref());
    let chain = CertificateDer::pem_file_iter(cert_file)
        .map_err(|error| pem_error(cert_file, &error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(cert_file, &error))?;
    if chain.is_empty() {
        let why = format!("{}: no certificate in the file", cert_file.display());
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    let key =
        PrivateKeyDer::from_pem_file(key_file).map_err(|error| pem_error(key_file, &error))?;
    server_config(chain, key)
}

/// A PEM error that names its file.
fn pem_error(path: &Path, error: &rustls::pki_types::pem::Error) -> io::Error {
    let kind = match error {
        rustls::pki_types::pem::Error::Io(error) => error.kind(),
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, format!("{}: {error}", path.display()))
}

/// The SNI name (or IP address) for `host`, a URL's host without IPv6 brackets.
pub(crate) fn server_name(host: &str) -> io::Result<ServerName<'static>> {
    ServerName::try_from(host.to_owned())
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without a provider feature (and none installed), every config builder says so
    /// instead of panicking as `ClientConfig::builder()` would.
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    #[test]
    fn a_missing_provider_is_an_error() {
        let error = default_client_config().unwrap_err();
        let error = if cfg!(any(feature = "webpki-roots", feature = "native-roots")) {
            error
        } else {
            client_config_with_roots(RootCertStore::empty()).unwrap_err()
        };
        assert!(
            error.to_string().contains("no rustls crypto provider"),
            "{error}"
        );
    }

    #[cfg(feature = "ring")]
    #[test]
    fn the_default_config_speaks_http11() {
        let config = client_config_with_roots(RootCertStore::empty()).unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
        assert!(server_name("::1").is_ok() && server_name("a.test").is_ok());
        assert!(server_name("not a name").is_err());
    }
}
