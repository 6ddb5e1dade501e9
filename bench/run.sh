#!/usr/bin/env bash
# Runs the echo benchmark matrix and prints msgs/s per server and case, the ratio to the best
# peer and to raw TCP (median of BENCH_REPS runs), the runtime comparison, and resident memory
# per idle connection. Each server is pinned to CPU 0 and the generator to CPU 1, so the two
# never share a core.
#
#   BENCH_SECS=3      counted seconds per run        BENCH_WARMUP=0.5  warm-up seconds
#   BENCH_REPS=3      runs per case (median)         BENCH_IDLE=2000   idle connections (≤ 10000)
#   BENCH_SERVERS="wsflow-tokio raw-tcp"  subset     BENCH_SKIP_MEMORY=1  skip the memory part
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECS:-3}
WARMUP=${BENCH_WARMUP:-0.5}
REPS=${BENCH_REPS:-3}
IDLE=${BENCH_IDLE:-2000}
PEERS="tokio-tungstenite fastwebsockets tokio-websockets"
# name conns size depth
CASES=(
  "1x16B 1 16 1"
  "100x16B 100 16 1"
  "10x1KiB 10 1024 1"
  "10x64KiB 10 65536 1"
  "1x1MiB 1 1048576 1"
  "10x16B-d32 10 16 32"
)

cargo build --release -p wsflow-bench --bins >&2
TARGET=${CARGO_TARGET_DIR:-target}/release
SERVERS=${BENCH_SERVERS:-$("$TARGET/bench-server" --list | tr '\n' ' ')}

# Every idle connection is one fd on each side; the generator and server share this limit.
ulimit -n "$(( IDLE + 1024 > 4096 ? IDLE + 1024 : 4096 ))" 2>/dev/null \
  || ulimit -n "$(ulimit -Hn)" || true

WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=19100

# Starts server $1 on a fresh port (no TIME_WAIT clash with the previous one), pinned to CPU 0.
start_server() {
  PORT=$((PORT + 1))
  ADDR=127.0.0.1:$PORT
  : > "$WORK/server.out"
  # async-std sizes its pool by CPU count, not affinity: one thread, like the others.
  ASYNC_STD_THREAD_COUNT=1 taskset -c 0 "$TARGET/bench-server" --server "$1" --addr "$ADDR" \
    > "$WORK/server.out" 2>> "$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    grep -q listening "$WORK/server.out" && return 0
    sleep 0.05
  done
  echo "server $1 did not start" >&2; exit 1
}
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

: > "$WORK/results"
: > "$WORK/memory"
for server in $SERVERS; do
  if [[ -z ${BENCH_SKIP_MEMORY:-} ]]; then
    start_server "$server"
    sleep 0.2
    before=$(rss_kib)
    coproc IDLE_GEN { taskset -c 1 "$TARGET/bench-load" --addr "$ADDR" --idle "$IDLE"; }
    read -r ready _ <&"${IDLE_GEN[0]}" || ready=failed
    sleep 0.5  # let the server finish its side of the last handshakes
    after=$(rss_kib)
    exec {IDLE_GEN[1]}>&-
    wait "$IDLE_GEN_PID" 2>/dev/null || true
    [[ $ready == ready ]] || { echo "$server: idle connections failed" >&2; exit 1; }
    echo "$server $before $after" >> "$WORK/memory"
    echo "memory $server: RSS ${before} KiB -> ${after} KiB for $IDLE connections" >&2
    stop_server
  fi
done
# Repetitions go round every server in turn, so that a slow spell of the shared machine
# lowers one run of each server rather than every run of one of them.
for rep in $(seq "$REPS"); do
  for server in $SERVERS; do
    raw=(); [[ $server == raw-tcp ]] && raw=(--raw)
    start_server "$server"
    for case in "${CASES[@]}"; do
      read -r name conns size depth <<< "$case"
      out=$(taskset -c 1 "$TARGET/bench-load" --addr "$ADDR" --conns "$conns" --size "$size" \
        --depth "$depth" --secs "$SECS" --warmup "$WARMUP" "${raw[@]}") \
        || { echo "$server $name failed: see $WORK/server.err" >&2; cat "$WORK/server.err" >&2; exit 1; }
      rate=${out#msgs_per_sec=}; rate=${rate%% *}
      echo "$server $name $rate" >> "$WORK/results"
      echo "$server $name run $rep: $out" >&2
    done
    stop_server
  done
done

lockver() { awk -v n="$1" '$0 == "name = \"" n "\"" {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock; }
echo
echo "wsflow echo benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(rustc --version)"
echo "server on CPU 0, generator on CPU 1; ${SECS}s counted after ${WARMUP}s warm-up; median of $REPS"
echo "versions: wsflow $(lockver wsflow), tokio $(lockver tokio), smol $(lockver smol), async-std $(lockver async-std), tokio-tungstenite $(lockver tokio-tungstenite), fastwebsockets $(lockver fastwebsockets), tokio-websockets $(lockver tokio-websockets)"
echo
order=$(printf '%s\n' "${CASES[@]}" | awk '{printf "%s ", $1}')
awk -v peers="$PEERS" -v order="$order" -v servers="$SERVERS" '
  { v[$1 SUBSEP $2] = v[$1 SUBSEP $2] " " $3 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n ? a[int((n + 1) / 2)] : ""
  }
  function ratio(x, y) { return (x != "" && y > 0) ? sprintf("%.2fx", x / y) : "-" }
  END {
    nc = split(order, cases, " "); ns = split(servers, srv, " "); np = split(peers, pr, " ")
    printf "%-12s %-18s %12s %10s %8s\n", "case", "server", "msgs/s", "vs peer", "vs raw"
    for (c = 1; c <= nc; c++) {
      best = 0
      for (p = 1; p <= np; p++) { m = median(v[pr[p] SUBSEP cases[c]]); if (m + 0 > best) best = m + 0 }
      raw = median(v["raw-tcp" SUBSEP cases[c]])
      for (s = 1; s <= ns; s++) {
        m = median(v[srv[s] SUBSEP cases[c]]); if (m == "") continue
        printf "%-12s %-18s %12d %10s %8s\n", cases[c], srv[s], m, ratio(m, best), ratio(m, raw)
      }
      print ""
    }
    print "runtime comparison (wsflow, ratio to wsflow-tokio):"
    printf "%-12s", "case"; for (s = 1; s <= ns; s++) if (srv[s] ~ /^wsflow/) printf " %18s", srv[s]; print ""
    for (c = 1; c <= nc; c++) {
      printf "%-12s", cases[c]; base = median(v["wsflow-tokio" SUBSEP cases[c]])
      for (s = 1; s <= ns; s++) if (srv[s] ~ /^wsflow/) {
        m = median(v[srv[s] SUBSEP cases[c]]); printf " %10d (%5s)", m, ratio(m, base)
      }
      print ""
    }
  }' "$WORK/results"

if [[ -s $WORK/memory ]]; then
  echo
  echo "resident memory per idle connection ($IDLE connections, VmRSS after - before):"
  awk -v n="$IDLE" '{ printf "  %-18s %8.2f KiB/conn  (RSS %d -> %d KiB)\n", $1, ($3 - $2) / n, $2, $3 }' "$WORK/memory"
fi
