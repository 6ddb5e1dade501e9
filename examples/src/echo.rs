//! The echo server: every text and binary message goes back as it came.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::time::Instant;

use wsflow_core::handshake::Accept;
use wsflow_core::{Config, Connection, Role};

use crate::blocking::{Session, echo};
use crate::cli::RuntimeChoice;

/// Serves until killed on `addr`, one thread per connection over blocking sockets.
pub fn serve_blocking(addr: SocketAddr, config: &Config) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    eprintln!(
        "echo-server (blocking) listening on {}",
        listener.local_addr()?
    );
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("accept failed: {error}");
                continue;
            }
        };
        let config = config.clone();
        std::thread::spawn(move || {
            let session = Session::accept(stream, |_request| {
                let connection = Connection::new(Role::Server, config, Instant::now());
                (Accept::default(), connection)
            });
            match session.and_then(|session| session.run(echo)) {
                Ok(_closed) => {}
                Err(error) => eprintln!("connection ended with an error: {error}"),
            }
        });
    }
    Ok(())
}

/// Serves on the chosen runtime until killed.
pub fn serve(runtime: RuntimeChoice, addr: SocketAddr, config: &Config) -> io::Result<()> {
    match runtime {
        RuntimeChoice::Blocking => serve_blocking(addr, config),
        other => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("runtime {other} is not built into this binary yet"),
        )),
    }
}
