//! The parts of the runtime modules that would otherwise be written three times, as macros
//! each module invokes with its own types.

/// The write methods of a [`Transport`](crate::Transport) over `self.0`, whose type has
/// `poll_write`, `poll_write_vectored` and `poll_flush` — tokio's `AsyncWrite` and
/// `futures-io`'s name them alike.
macro_rules! forward_writes {
    () => {
        fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
            Pin::new(&mut self.0).poll_write(cx, buf)
        }

        fn poll_write_vectored(
            &mut self,
            cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
        }

        fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.0).poll_flush(cx)
        }
    };
}

/// `connect`, `connect_with`, `accept` and `accept_with` over a runtime's `TcpStream`
/// (which has `connect((host, port))` and `set_nodelay`), wrapped in `$wrap` and typed
/// `WebSocketStream`.
macro_rules! tcp_helpers {
    ($runtime:literal, $stream:ty, $wrap:expr) => {
        #[doc = concat!("Connects to a `ws://` URL with default options, on ", $runtime, ".")]
        pub async fn connect(url: &str) -> Result<WebSocketStream, crate::Error> {
            connect_with(url, &crate::ConnectOptions::default()).await
        }

        #[doc = concat!("Connects to a `ws://` URL: resolves the host and opens TCP with ", $runtime, ",")]
        /// sets `TCP_NODELAY`, and runs the opening handshake (see [`WebSocket::connect`]).
        pub async fn connect_with(
            url: &str,
            options: &crate::ConnectOptions,
        ) -> Result<WebSocketStream, crate::Error> {
            let dial = |host: String, port| async move {
                let stream = <$stream>::connect((host.as_str(), port)).await?;
                stream.set_nodelay(true)?;
                Ok($wrap(stream))
            };
            WebSocket::connect(url, options, dial).await
        }

        #[doc = concat!("Accepts a WebSocket on a ", $runtime, " TCP stream, agreeing to any valid request.")]
        pub async fn accept(stream: $stream) -> Result<WebSocketStream, crate::Error> {
            accept_with(stream, &crate::AcceptOptions::default(), crate::accept_any).await
        }

        #[doc = concat!("Accepts a WebSocket on a ", $runtime, " TCP stream (with `TCP_NODELAY`);")]
        /// `decide` sees the upgrade request and accepts or rejects it (see
        /// [`WebSocket::server`]).
        pub async fn accept_with<F>(
            stream: $stream,
            options: &crate::AcceptOptions,
            decide: F,
        ) -> Result<WebSocketStream, crate::Error>
        where
            F: FnOnce(&wsflow_core::handshake::UpgradeRequest) -> Result<crate::Accept, crate::Reject>,
        {
            stream.set_nodelay(true)?;
            WebSocket::server($wrap(stream), options, decide).await
        }
    };
}
