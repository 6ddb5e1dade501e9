#!/usr/bin/env bash
# Fan-out benchmark: raises the file-descriptor limit (each process holds one socket per
# subscriber) and runs bench-fanout with any arguments given, e.g. `--subs 1000,10000`.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10200 ]; then
    echo "warning: ulimit -n is $(ulimit -n); 10,000 subscribers need about 10,200" >&2
fi
cargo build --release -q -p wsflow-bench --bin bench-fanout
exec target/release/bench-fanout "$@"
