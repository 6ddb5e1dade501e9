//! Demos and Autobahn testees for wsflow.
//!
//! The binaries are interfaces that outside tools drive, so their names and flags are fixed:
//!
//! - `echo-server --runtime {blocking,tokio,smol,async-std} --addr 127.0.0.1:PORT [--deflate]
//!   [--max-message-size BYTES]`
//! - `autobahn-client --runtime ... --url ws://127.0.0.1:PORT --agent NAME [--deflate]`

pub mod autobahn;
pub mod blocking;
pub mod cli;
pub mod echo;

use wsflow_core::Config;

/// The configuration the testees run with: the defaults, with a message limit large enough
/// for Autobahn's 16 MiB cases.
pub fn testee_config(max_message_size: Option<u64>) -> Config {
    let mut config = Config::default();
    if let Some(max) = max_message_size {
        config.max_message_size = max;
        config.max_frame_size = config.max_frame_size.max(max);
    }
    config
}
