//! The opening handshake (RFC 6455 §4), both roles.
