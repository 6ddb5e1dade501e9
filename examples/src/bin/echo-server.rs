//! `echo-server --runtime {blocking,tokio,smol,async-std} --addr 127.0.0.1:PORT [--deflate]
//! [--max-message-size BYTES]`: echoes every message until killed.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

use wsflow::AcceptOptions;
use wsflow_examples::cli::{Flags, RuntimeChoice};
use wsflow_examples::{echo, testee_config, testee_deflate};

fn main() -> ExitCode {
    let result = Flags::from_env(&["deflate"]).and_then(|flags| {
        let runtime: RuntimeChoice = flags.required("runtime")?;
        let addr: SocketAddr = flags.required("addr")?;
        let mut options =
            AcceptOptions::new().config(testee_config(flags.value("max-message-size")?));
        options.deflate = testee_deflate(flags.switch("deflate"));
        let listener = TcpListener::bind(addr).map_err(|e| format!("bind {addr}: {e}"))?;
        echo::serve(runtime, listener, &options).map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("echo-server: {error}");
            ExitCode::from(2)
        }
    }
}
