#!/usr/bin/env bash
# Density benchmark: holds DENSITY_CONNS idle WebSockets with keepalive on against each
# server kind (wsflow on each runtime, then the peers) and prints a table of resident memory
# per connection (growth of the servers' VmRSS, user space only) and the CPU the keepalive
# pings cost per second and per ping (server CPU time over a counted window of idle time).
#
# Every connection is a file descriptor on each side. Where the per-process limit (ulimit
# -Hn) is below the count, as on a machine whose hard limit is 20,000 and cannot be raised,
# the connections are spread over several server processes of the same kind (one port each)
# and the figures summed over them; with a high enough limit one process holds them all.
# The clients run as several processes too, one per server process; where several share
# one server port, each binds a loopback address of its own (127.0.R.N) so that no source
# address runs out of ephemeral ports.
#
#   DENSITY_CONNS=100000       connections per server kind
#   DENSITY_SERVERS="wsflow-tokio fastwebsockets"   subset (spaces or commas; bench-server --list)
#   DENSITY_PROCESSES=6        server processes per kind (default: as few as ulimit -Hn allows)
#   DENSITY_KEEPALIVE_SECS=10  ping period          DENSITY_WINDOW_SECS=30  counted idle seconds
#   DENSITY_MIN_FREE_GIB=6     stop a kind when the machine's MemAvailable falls under this
#   DENSITY_PIN=1              servers on CPU 0, clients on CPU 1 (default: the scheduler decides)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -q -p wsflow-bench --bins >&2
TARGET=${CARGO_TARGET_DIR:-target}/release
# The run takes minutes: it runs copies of the three programs, so that a rebuild in the
# target directory meanwhile (another checkout sharing it) cannot swap them mid-run.
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
cp "$TARGET/bench-density" "$TARGET/bench-server" "$TARGET/bench-load" "$BIN/"

# The soft limit up to the hard one: the children inherit it, and bench-density reads it to
# decide how many processes are needed.
ulimit -n "$(ulimit -Hn)" || true

args=(--conns "${DENSITY_CONNS:-100000}" --keepalive "${DENSITY_KEEPALIVE_SECS:-10}"
  --window "${DENSITY_WINDOW_SECS:-30}" --min-free-gib "${DENSITY_MIN_FREE_GIB:-6}")
[[ -n ${DENSITY_SERVERS:-} ]] && args+=(--servers "${DENSITY_SERVERS// /,}")
[[ -n ${DENSITY_PROCESSES:-} ]] && args+=(--processes "$DENSITY_PROCESSES")
[[ -n ${DENSITY_PIN:-} ]] && args+=(--pin)
"$BIN/bench-density" "${args[@]}"
