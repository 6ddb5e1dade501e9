//! Conformance scripts and runners.
