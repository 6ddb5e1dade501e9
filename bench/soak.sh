#!/usr/bin/env bash
# The soak test on every runtime: `bash bench/soak.sh [SECONDS] [CONNECTIONS]` (default 600 s
# and 2000 connections per runtime, one runtime after the other). Writes
# target/soak/soak-RUNTIME.{csv,svg} and prints one line per runtime; exits non-zero if a run
# failed (a lost, duplicated or changed echo, an unclean close, a server connection left open,
# or RSS growing after the warm-up). Each connection takes two fds here (client and server in
# one process), so the fd limit is raised first.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
connections=${2:-2000}
ulimit -n "$(( connections * 2 + 1024 > $(ulimit -Hn) ? $(ulimit -Hn) : connections * 2 + 1024 ))"
cargo build --release -p wsflow-bench --bin soak
target/release/soak --runtime all --secs "$secs" --warmup "$(( secs / 5 ))" \
  --connections "$connections" --out target/soak
