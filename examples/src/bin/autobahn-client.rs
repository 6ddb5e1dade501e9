//! `autobahn-client --runtime {blocking,tokio,smol,async-std} --url ws://127.0.0.1:PORT
//! --agent NAME [--deflate] [--max-message-size BYTES]`: the Autobahn client testee loop.

use std::process::ExitCode;

use wsflow::ConnectOptions;
use wsflow_examples::cli::{Flags, RuntimeChoice};
use wsflow_examples::{autobahn, testee_config, testee_deflate};

fn main() -> ExitCode {
    let result = Flags::from_env(&["deflate"]).and_then(|flags| {
        let runtime: RuntimeChoice = flags.required("runtime")?;
        let url: String = flags.required("url")?;
        let agent: String = flags.required("agent")?;
        let mut options =
            ConnectOptions::new().config(testee_config(flags.value("max-message-size")?));
        options.deflate = testee_deflate(flags.switch("deflate"));
        autobahn::run(runtime, &url, &agent, &options).map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("autobahn-client: {error}");
            ExitCode::from(2)
        }
    }
}
