//! `echo-server --runtime {blocking,tokio,smol,async-std} --addr 127.0.0.1:PORT [--deflate]
//! [--max-message-size BYTES]`: echoes every message until killed.

use std::net::SocketAddr;
use std::process::ExitCode;

use wsflow_examples::cli::{Flags, RuntimeChoice};
use wsflow_examples::{echo, testee_config};

fn main() -> ExitCode {
    let result = Flags::from_env(&["deflate"]).and_then(|flags| {
        let runtime: RuntimeChoice = flags.required("runtime")?;
        let addr: SocketAddr = flags.required("addr")?;
        let config = testee_config(flags.value("max-message-size")?);
        echo::serve(runtime, addr, &config).map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("echo-server: {error}");
            ExitCode::from(2)
        }
    }
}
