//! How a server runs its side of the opening handshake.

use std::time::Duration;

use super::HandshakeLimits;
use crate::extension::deflate::DeflateConfig;

/// How a server runs its side of the opening handshake.
///
/// ```
/// use std::time::Duration;
/// use wsflow_core::extension::deflate::DeflateConfig;
/// use wsflow_core::handshake::ServerOptions;
///
/// let options = ServerOptions::new()
///     .deflate(DeflateConfig::default())
///     .timeout(Duration::from_secs(5));
/// assert!(options.deflate.is_some());
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Limits on the client's request, and the handshake timeout.
    pub limits: HandshakeLimits,
    /// Accept permessage-deflate (RFC 7692) offers with these settings; `None` (the
    /// default) declines compression.
    pub deflate: Option<DeflateConfig>,
}

impl ServerOptions {
    /// Default limits, no compression.
    pub fn new() -> Self {
        ServerOptions::default()
    }

    /// Replaces the handshake limits (and timeout).
    pub fn limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how long the client has to send its request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.limits.timeout = timeout;
        self
    }

    /// Accepts permessage-deflate offers with these settings.
    pub fn deflate(mut self, deflate: DeflateConfig) -> Self {
        self.deflate = Some(deflate);
        self
    }
}
