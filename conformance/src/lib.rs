//! # wsflow-conformance
//!
//! Scripted byte exchanges, kept as data in `scripts/` (format: `README.md`), that the bare
//! core and every adapter must pass identically.
//!
//! - [`parse`] reads `.ws` files into [`script::Script`]s;
//! - [`runner`] defines what an implementation under test provides ([`runner::Runner`],
//!   [`runner::Session`]) and holds the core runner; adapter runners plug in there;
//! - [`chunking`] cuts the peer's bytes in several ways, since results must not depend on it;
//! - [`exec`] runs one script in one role under one chunking and checks every expectation;
//! - [`wire`] is the suite's own frame codec, independent of the core's.
//!
//! - [`sim`] is the deterministic simulation: random networks and applications from a seed.
//!
//! `tests/scripts.rs` runs every script on every runner under every chunking.

pub mod blackbox;
pub mod chunking;
pub mod exec;
pub mod names;
pub mod parse;
pub mod runner;
pub mod script;
pub mod sim;
pub mod wire;
