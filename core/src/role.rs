//! Which end of the connection this endpoint is.

/// The role of an endpoint, which decides the masking direction (RFC 6455 §5.3) and who closes
/// the TCP connection first (§7.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The endpoint that opened the connection; it masks every frame it sends.
    Client,
    /// The endpoint that accepted the connection; it never masks and closes TCP first.
    Server,
}

impl Role {
    /// Whether frames this role *sends* carry a mask.
    pub fn masks_outgoing(self) -> bool {
        self == Role::Client
    }

    /// Whether frames this role *receives* must carry a mask.
    pub fn expects_masked_input(self) -> bool {
        self == Role::Server
    }
}
