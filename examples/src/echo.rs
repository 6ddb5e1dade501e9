//! The echo server: every text and binary message goes back as it came.

use std::io;
use std::net::TcpListener;
use wsflow::AcceptOptions;

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
            let session = Session::accept(stream, options.server_options(), options.config);
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
