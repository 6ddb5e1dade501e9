//! The client-connect settings of [`ConnectOptions`]: deadline, proxy, redirects, TLS.

use std::time::Duration;

use crate::options::ConnectOptions;
use crate::proxy::Proxy;

/// The deadline of a whole connect when [`ConnectOptions::connect_timeout`] is `None`: 10 s,
/// the same as the handshake's own default timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many redirects [`ConnectOptions::follow_redirects`] allows.
const DEFAULT_MAX_REDIRECTS: u8 = 5;

impl ConnectOptions {
    /// Bounds the whole connect — DNS, TCP, proxy, TLS and the opening handshake — by
    /// `timeout` (default [`DEFAULT_CONNECT_TIMEOUT`]). The handshake's own timeout
    /// (`limits.timeout`) still applies to its step.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Connects through `proxy` (HTTP `CONNECT` or SOCKS5).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Takes the proxy from `HTTPS_PROXY` (for `wss://`) or `HTTP_PROXY` (for `ws://`), then
    /// `ALL_PROXY` (lower-case names too), unless `NO_PROXY` lists the host; used only when
    /// no [`proxy`](Self::proxy) is set. Off by default.
    pub fn proxy_from_env(mut self, on: bool) -> Self {
        self.proxy_from_env = on;
        self
    }

    /// Follows up to 5 redirects (301, 302, 303, 307, 308) of the opening handshake when
    /// `on`; a redirect to another origin drops the `Authorization` and `Cookie` headers.
    /// Off by default.
    pub fn follow_redirects(mut self, on: bool) -> Self {
        self.max_redirects = if on { DEFAULT_MAX_REDIRECTS } else { 0 };
        self
    }

    /// Follows up to `max` redirects (0 turns following off).
    pub fn max_redirects(mut self, max: u8) -> Self {
        self.max_redirects = max;
        self
    }

    /// Uses `config` for every TLS connection this connect makes (`wss://`), instead of the
    /// default one built from the crate's provider and root-store features. Its ALPN and
    /// verifier are used as given.
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn tls_config(mut self, config: std::sync::Arc<rustls::ClientConfig>) -> Self {
        self.tls = Some(config);
        self
    }
}
