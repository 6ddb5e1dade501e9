//! The echo server: every text and binary message goes back as it came.

use std::io;
use std::net::TcpListener;
use std::time::Instant;

use wsflow::AcceptOptions;
use wsflow_core::extension::Extension;
use wsflow_core::handshake::Accept;
use wsflow_core::{Connection, Role};

use crate::asynchronous;
use crate::blocking::{Session, echo};
use crate::cli::RuntimeChoice;

/// Serves until killed on `listener`, one thread per connection over blocking sockets.
pub fn serve_blocking(listener: &TcpListener, options: &AcceptOptions) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("accept failed: {error}");
                continue;
            }
        };
        let options = options.clone();
        std::thread::spawn(move || {
            let session = Session::accept(stream, |request| {
                let mut accept = Accept::new();
                let mut connection = Connection::new(Role::Server, options.config, Instant::now());
                let negotiated = options
                    .deflate
                    .as_ref()
                    .and_then(|d| request.negotiate_deflate(d));
                if let Some((answer, codec)) = negotiated {
                    accept = accept.extension(answer);
                    connection = connection.with_extension(Box::new(codec) as Box<dyn Extension>);
                }
                (accept, connection)
            });
            if let Err(error) = session.and_then(|session| session.run(echo)) {
                eprintln!("connection ended with an error: {error}");
            }
        });
    }
}

/// Serves on the chosen runtime until killed.
pub fn serve(
    runtime: RuntimeChoice,
    listener: TcpListener,
    options: &AcceptOptions,
) -> io::Result<()> {
    eprintln!(
        "echo-server ({runtime}) listening on {}",
        listener.local_addr()?
    );
    match runtime {
        RuntimeChoice::Blocking => {
            serve_blocking(&listener, options);
            Ok(())
        }
        other => asynchronous::serve(other, listener, options),
    }
}
