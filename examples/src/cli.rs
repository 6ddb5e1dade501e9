//! What the example binaries share on their command lines: the choice of I/O layer.
//!
//! Each binary declares its own flags with `clap`'s derive and reads them with [`parse`],
//! so an unknown flag or a flag missing its value ends the program with a usage message
//! on stderr and exit code 2, instead of being silently ignored.

use std::fmt;

use clap::Parser;
use clap::error::ContextKind;

/// Parses the process arguments into `A`. A mistake ends the program with clap's message,
/// the usage line and exit code 2; `--help` prints the help and exits with 0.
pub fn parse<A: Parser>() -> A {
    A::try_parse().unwrap_or_else(|error| {
        // clap shows the usage line with some mistakes (an unknown flag) but not with others
        // (a missing value): always show it, so that every refusal says how to call.
        if error.use_stderr() && error.get(ContextKind::Usage).is_none() {
            let _ = error.print();
            eprintln!("\n{}", A::command().render_usage());
            std::process::exit(2);
        }
        error.exit()
    })
}

/// Which I/O layer drives the connection (`--runtime blocking|tokio|smol|async-std`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeChoice {
    /// `std::net` and one thread per connection: the core with no async at all.
    Blocking,
    /// The `wsflow` adapter on tokio.
    Tokio,
    /// The `wsflow` adapter on smol.
    Smol,
    /// The `wsflow` adapter on async-std.
    #[value(name = "async-std")]
    AsyncStd,
}

impl fmt::Display for RuntimeChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuntimeChoice::Blocking => "blocking",
            RuntimeChoice::Tokio => "tokio",
            RuntimeChoice::Smol => "smol",
            RuntimeChoice::AsyncStd => "async-std",
        })
    }
}
