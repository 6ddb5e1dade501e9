//! Shared code of the wsflow fuzz targets: the connection harness, an independent frame
//! checker, and the input format the seed generator also writes.

pub mod connection;
pub mod driver;
pub mod format;
pub mod handshake;
pub mod http_entry;
pub mod inflate;
pub mod negotiation;
pub mod peer;
pub mod wire;
