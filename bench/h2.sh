#!/usr/bin/env bash
# WebSockets over HTTP/2 against HTTP/1.1 (bench-h2): N WebSockets as streams of ONE HTTP/2
# connection (cleartext, prior knowledge) against N WebSockets on N TCP connections, each
# echoing at a fixed depth, served by the example echo server's `--http2` code in a process of
# its own per runtime and mode. Servers are pinned to CPU 0 and the generator to CPU 1 when
# taskset and two CPUs are there. Prints msgs/s, the server's CPU µs per echo, both sides' CPU
# shares (`*` where the generator was the bottleneck), the server's TCP connection count, and
# its resident memory per open WebSocket, with the HTTP/2 ÷ HTTP/1.1 ratios.
#
#   H2_SECS=2          counted seconds per run      H2_WARMUP=0.5    warm-up seconds
#   H2_REPS=3          runs per case (median)       H2_WEBSOCKETS=100
#   H2_SIZES=16,1024,65536                          H2_DEPTH=1       messages in flight per WebSocket
#   H2_RUNTIMES=tokio,smol,async-std
# Any further arguments go to bench-h2.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p wsflow-bench --bin bench-h2
BIN=${CARGO_TARGET_DIR:-target}/release/bench-h2
args=(--secs "${H2_SECS:-2}" --warmup "${H2_WARMUP:-0.5}" --reps "${H2_REPS:-3}"
  --websockets "${H2_WEBSOCKETS:-100}" --sizes "${H2_SIZES:-16,1024,65536}"
  --depth "${H2_DEPTH:-1}" --runtimes "${H2_RUNTIMES:-tokio,smol,async-std}")
echo "bench-h2 — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(rustc --version)"
if command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
  echo "servers on CPU 0, generator on CPU 1"
  exec taskset -c 1 "$BIN" "${args[@]}" --server-cpu 0 "$@"
fi
echo "warning: no taskset or a single CPU: server and generator share the CPUs" >&2
exec "$BIN" "${args[@]}" "$@"
