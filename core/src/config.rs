//! Limits, timers and behaviour switches of a [`Connection`](crate::Connection).

use std::time::Duration;

/// How received data messages are handed to the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReceiveMode {
    /// Reassemble fragments and deliver [`Event::Message`](crate::Event::Message) once the whole
    /// message has arrived (bounded by [`Config::max_message_size`]).
    #[default]
    WholeMessages,
    /// Deliver [`Event::MessageChunk`](crate::Event::MessageChunk) as payload arrives, so a
    /// message of any size passes in constant memory. Text chunks always end on a character
    /// boundary, so each one is valid UTF-8 on its own.
    Streaming,
}

/// Keepalive: send a ping after `interval` of silence from the peer and fail the connection
/// with 1011 if no pong answers it within `timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// How long the peer may stay silent before we ping it.
    pub interval: Duration,
    /// How long we wait for the matching pong before failing the connection.
    pub timeout: Duration,
}

/// Protocol limits and behaviour switches.
///
/// Every limit protects memory against a hostile or broken peer; the defaults suit a general
/// purpose server and let Autobahn's 16 MiB cases pass.
///
/// ```
/// use std::time::Duration;
/// use wsflow_core::Config;
///
/// let mut config = Config::default();
/// config.max_message_size = 1 << 20;
/// config.close_timeout = Duration::from_secs(5);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Largest payload of a single received frame, checked as soon as its header is complete
    /// (close 1009). Default 16 MiB.
    pub max_frame_size: u64,
    /// Largest received message after reassembly and decompression (close 1009). In streaming
    /// mode it still bounds the total size of one message unless set to `u64::MAX`.
    /// Default 64 MiB.
    pub max_message_size: u64,
    /// Most frames one received message may be split into, empty ones included (close 1008).
    /// Default 100 000.
    pub max_fragments_per_message: usize,
    /// Whole messages or streamed chunks. Default whole messages.
    pub receive_mode: ReceiveMode,
    /// Answer pings automatically. Default `true`. When `false`, the application answers
    /// [`Event::Ping`](crate::Event::Ping) with [`Connection::send_pong`](crate::Connection::send_pong).
    pub auto_pong: bool,
    /// How many undelivered events may wait before the connection stops parsing input and
    /// [`Connection::wants_read`](crate::Connection::wants_read) turns false. Default 64.
    pub max_pending_events: usize,
    /// Buffered outgoing bytes above which adapters make senders wait. Default 64 KiB.
    pub write_buffer_high_water: usize,
    /// Buffered outgoing bytes above which data commands fail with
    /// [`SendError::BufferFull`](crate::SendError::BufferFull). Default 16 MiB.
    pub write_buffer_limit: usize,
    /// How long to wait for the peer's side of the close handshake and, afterwards, for the
    /// TCP connection to end. Default 10 s.
    pub close_timeout: Duration,
    /// Optional keepalive pings. Default off.
    pub keepalive: Option<Keepalive>,
}

/// Builder methods, for callers outside this crate (the struct is `#[non_exhaustive]`).
///
/// ```
/// use std::time::Duration;
/// use wsflow_core::Config;
///
/// let config = Config::new()
///     .max_message_size(1 << 20)
///     .close_timeout(Duration::from_secs(5))
///     .keepalive(Duration::from_secs(20), Duration::from_secs(5));
/// assert_eq!(config.max_message_size, 1 << 20);
/// ```
impl Config {
    /// The defaults (the same as [`Config::default`]).
    pub fn new() -> Self {
        Config::default()
    }

    /// Sets [`Config::max_frame_size`].
    pub fn max_frame_size(mut self, bytes: u64) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Sets [`Config::max_message_size`].
    pub fn max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`Config::max_fragments_per_message`].
    pub fn max_fragments_per_message(mut self, fragments: usize) -> Self {
        self.max_fragments_per_message = fragments;
        self
    }

    /// Sets [`Config::receive_mode`].
    pub fn receive_mode(mut self, mode: ReceiveMode) -> Self {
        self.receive_mode = mode;
        self
    }

    /// Sets [`Config::auto_pong`].
    pub fn auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Sets [`Config::max_pending_events`].
    pub fn max_pending_events(mut self, events: usize) -> Self {
        self.max_pending_events = events;
        self
    }

    /// Sets [`Config::write_buffer_high_water`].
    pub fn write_buffer_high_water(mut self, bytes: usize) -> Self {
        self.write_buffer_high_water = bytes;
        self
    }

    /// Sets [`Config::write_buffer_limit`].
    pub fn write_buffer_limit(mut self, bytes: usize) -> Self {
        self.write_buffer_limit = bytes;
        self
    }

    /// Sets [`Config::close_timeout`].
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Turns keepalive on: a ping after `interval` of silence, failing the connection if
    /// no pong comes within `timeout`.
    pub fn keepalive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.keepalive = Some(Keepalive { interval, timeout });
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_frame_size: 16 << 20,
            max_message_size: 64 << 20,
            max_fragments_per_message: 100_000,
            receive_mode: ReceiveMode::WholeMessages,
            auto_pong: true,
            max_pending_events: 64,
            write_buffer_high_water: 64 << 10,
            write_buffer_limit: 16 << 20,
            close_timeout: Duration::from_secs(10),
            keepalive: None,
        }
    }
}
