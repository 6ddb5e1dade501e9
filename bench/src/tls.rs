//! The wss cases: the same echo servers behind TLS (rustls, *ring*), with a certificate for
//! `localhost` made at start-up. Only the servers that terminate TLS themselves in their own
//! documented way are here: wsflow (its `tls_accept`) and tokio-tungstenite (over
//! tokio-rustls, as its README shows).

use std::io;
use std::net::TcpListener;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::servers::ServerKind;

/// A self-signed certificate for `localhost`: the server's config and a client config that
/// trusts exactly it.
pub struct TestPki {
    /// For the servers.
    pub server: Arc<rustls::ServerConfig>,
    /// For the load generator.
    pub client: Arc<rustls::ClientConfig>,
}

impl TestPki {
    /// Makes the certificate and both configs.
    pub fn new() -> io::Result<TestPki> {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .map_err(io::Error::other)?;
        let cert: CertificateDer<'static> = certified.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], key)
            .map_err(io::Error::other)?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).map_err(io::Error::other)?;
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TestPki {
            server: Arc::new(server),
            client: Arc::new(client),
        })
    }
}

/// The servers that have a wss case.
pub const TLS_SERVERS: [ServerKind; 2] = [ServerKind::WsflowTokio, ServerKind::TokioTungstenite];

/// Serves `kind`'s echo over TLS on `listener` (current-thread tokio) until the process ends.
pub fn serve_tls(
    kind: ServerKind,
    listener: TcpListener,
    config: &Arc<rustls::ServerConfig>,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let config = Arc::clone(config);
            match kind {
                ServerKind::TokioTungstenite => tokio::spawn(tungstenite_tls_echo(stream, config)),
                _ => tokio::spawn(wsflow_tls_echo(stream, config)),
            };
        }
    })
}

async fn wsflow_tls_echo(stream: tokio::net::TcpStream, config: Arc<rustls::ServerConfig>) {
    let echo = async {
        let stream = wsflow::tokio::tls_accept(stream, config).await?;
        let mut ws = wsflow::tokio::accept(stream).await?;
        while let Some(message) = ws.recv().await? {
            ws.send(message).await?;
        }
        Ok::<(), wsflow::Error>(())
    };
    if let Err(error) = echo.await {
        crate::servers::report_end(&error.to_string());
    }
}

async fn tungstenite_tls_echo(stream: tokio::net::TcpStream, config: Arc<rustls::ServerConfig>) {
    let echo = async {
        let tls = tokio_rustls::TlsAcceptor::from(config)
            .accept(stream)
            .await?;
        let mut ws = tokio_tungstenite::accept_async(tls)
            .await
            .map_err(io::Error::other)?;
        while let Some(message) = ws.next().await {
            let message = message.map_err(io::Error::other)?;
            if message.is_binary() || message.is_text() {
                ws.send(message).await.map_err(io::Error::other)?;
            }
        }
        Ok::<(), io::Error>(())
    };
    if let Err(error) = echo.await {
        crate::servers::report_end(&error.to_string());
    }
}
