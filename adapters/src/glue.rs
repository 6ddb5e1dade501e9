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

/// `connect`, `connect_with`, `accept` and `accept_with` for a runtime: connects through the
/// generic pipeline with the runtime's `$net` (see `crate::connect`); accepts on anything
/// that converts into its `MaybeTlsStream` (a `TcpStream`, or `tls_accept`'s result),
/// wrapped in `$wrap` and typed `WebSocketStream`.
macro_rules! tcp_helpers {
    ($runtime:literal, $wrap:expr, $net:ty) => {
        #[doc = concat!("Connects to a `ws://` or `wss://` URL with default options, on ", $runtime, ".")]
        ///
        /// # Cancel safety
        ///
        /// Not resumable: dropping the future drops the half-open connection.
        pub async fn connect(url: &str) -> Result<WebSocketStream, crate::Error> {
            connect_with(url, &crate::ConnectOptions::default()).await
        }

        #[doc = concat!("Connects to a `ws://` or `wss://` URL with ", $runtime, ": resolves the host, opens TCP")]
        /// (with `TCP_NODELAY`), goes through the proxy if `options` names one, runs TLS for
        /// `wss://` (SNI from the host, `options.tls` or the default config), runs the opening
        /// handshake and follows redirects if allowed, all under `options.connect_timeout`
        /// (10 s by default). A failed or late step is an [`Error::Connect`](crate::Error::Connect)
        /// naming it and the address.
        ///
        /// # Cancel safety
        ///
        /// Not resumable: dropping the future drops the half-open connection.
        pub async fn connect_with(
            url: &str,
            options: &crate::ConnectOptions,
        ) -> Result<WebSocketStream, crate::Error> {
            crate::connect::connect::<$net>(url, options).await
        }

        #[doc = concat!("Accepts a WebSocket on a ", $runtime, " TCP stream or TLS stream, agreeing to any valid request.")]
        ///
        /// # Cancel safety
        ///
        /// Not resumable: dropping the future drops the stream.
        pub async fn accept(stream: impl Into<MaybeTlsStream>) -> Result<WebSocketStream, crate::Error> {
            accept_with(stream, &crate::AcceptOptions::default(), crate::accept_any).await
        }

        #[doc = concat!("Accepts a WebSocket on a ", $runtime, " TCP stream, or a TLS stream from `tls_accept`")]
        /// (with `TCP_NODELAY`); `decide` sees the upgrade request and accepts or rejects it
        /// (see [`WebSocket::server`], which takes any other transport).
        ///
        /// # Cancel safety
        ///
        /// Not resumable: dropping the future drops the stream.
        pub async fn accept_with<F>(
            stream: impl Into<MaybeTlsStream>,
            options: &crate::AcceptOptions,
            decide: F,
        ) -> Result<WebSocketStream, crate::Error>
        where
            F: FnOnce(&wsflow_core::handshake::UpgradeRequest) -> Result<crate::Accept, crate::Reject>,
        {
            let stream: MaybeTlsStream = stream.into();
            stream.set_nodelay(true)?;
            WebSocket::server($wrap(stream), options, decide).await
        }
    };
}
