//! Async adapters over [`wsflow_core`]; filled in by the adapters work.
