#!/usr/bin/env bash
# Runs the echo benchmark matrix and prints msgs/s per server and case, the ratio to the best
# peer and to raw TCP (median of BENCH_REPS runs), the runtime comparison, and resident memory
# per idle connection. Each server is pinned to CPU 0 and the generator to CPU 1, so the two
# never share a core. Beside msgs/s: the server's CPU µs per message and the share of its core
# the server and the generator used in the counted window (bench-load samples both processes'
# CPU time at the window's two ends); a case whose generator was the bottleneck is flagged,
# because there a ratio says more about the generator than about the server, and so is one
# where either side spent a tenth of the window waiting for its CPU (other load on the machine).
# bench-report prints the table and draws the charts (SVG): per case msgs/s of every server,
# the runtime comparison, and server CPU µs per message, with an index.html showing them
# under the printed report, in BENCH_CHARTS beside a copy of the report and the raw results.
#
#   BENCH_SECS=3      counted seconds per run        BENCH_WARMUP=0.5  warm-up seconds
#   BENCH_REPS=3      runs per case (median)         BENCH_IDLE=2000   idle connections (≤ 10000)
#   BENCH_SERVERS="wsflow-tokio raw-tcp"  subset (spaces or commas)    BENCH_SKIP_MEMORY=1  skip the memory part
#   BENCH_CHARTS=bench/results/latest     where the charts go (a relative path is taken from
#                                         the directory run.sh was started in; the default
#                                         from the repository root, and git ignores it)
set -euo pipefail
CALLER_DIR=$PWD
cd "$(dirname "$0")/.."
if [[ -z ${BENCH_CHARTS:-} ]]; then CHARTS=bench/results/latest
elif [[ $BENCH_CHARTS == /* ]]; then CHARTS=$BENCH_CHARTS
else CHARTS=$CALLER_DIR/$BENCH_CHARTS
fi

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
SERVERS=${SERVERS//,/ }  # a comma-separated list works as well as a spaced one

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
        --depth "$depth" --secs "$SECS" --warmup "$WARMUP" --server-pid "$SERVER_PID" "${raw[@]}") \
        || { echo "$server $name failed: see $WORK/server.err" >&2; cat "$WORK/server.err" >&2; exit 1; }
      rate=${out#msgs_per_sec=}; rate=${rate%% *}
      # server µs/msg, server and generator share of their cores, and the larger of the two
      # shares of the window spent waiting for a CPU ("-" where not measured)
      cpu=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        s = f["secs"]; n = f["counted"]; sv = f["server_cpu_secs"]; g = f["gen_cpu_secs"]
        w = f["server_wait_secs"]; if (f["gen_wait_secs"] != "" && f["gen_wait_secs"] + 0 > w + 0) w = f["gen_wait_secs"]
        printf "%s %s %s %s", (sv != "" && n > 0) ? sprintf("%.3f", sv * 1e6 / n) : "-",
          (sv != "" && s > 0) ? sprintf("%.3f", sv / s) : "-", (g != "" && s > 0) ? sprintf("%.3f", g / s) : "-",
          (w != "" && s > 0) ? sprintf("%.3f", w / s) : "-" }' <<< "$out")
      echo "$server $name $rate $cpu" >> "$WORK/results"
      echo "$server $name run $rep: $out" >&2
    done
    stop_server
  done
done

lockver() { awk -v n="$1" '$0 == "name = \"" n "\"" {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock; }
WHEN="wsflow echo benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(rustc --version)"
HOW="server on CPU 0, generator on CPU 1; ${SECS}s counted after ${WARMUP}s warm-up; median of $REPS"
order=$(printf '%s\n' "${CASES[@]}" | awk '{printf "%s ", $1}')
# The report is printed and kept: the index of the charts shows it.
LISTS=(--results "$WORK/results" --servers "$SERVERS" --cases "$order" --peers "$PEERS")
{
  echo
  echo "$WHEN"
  echo "$HOW"
  echo "srv us/msg: server CPU µs per echoed message; srv CPU, gen CPU: share of its core the server, the generator used;"
  echo "waited: the larger share of the window the server or the generator was runnable but waiting for its CPU"
  echo "versions: wsflow $(lockver wsflow), tokio $(lockver tokio), smol $(lockver smol), async-std $(lockver async-std), tokio-tungstenite $(lockver tokio-tungstenite), fastwebsockets $(lockver fastwebsockets), tokio-websockets $(lockver tokio-websockets)"
  echo
  "$TARGET/bench-report" table "${LISTS[@]}"

  if [[ -s $WORK/memory ]]; then
    echo
    echo "resident memory per idle connection ($IDLE connections, VmRSS after - before):"
    awk -v n="$IDLE" '{ printf "  %-18s %8.2f KiB/conn  (RSS %d -> %d KiB)\n", $1, ($3 - $2) / n, $2, $3 }' "$WORK/memory"
  fi
} | tee "$WORK/report.txt"

mkdir -p "$CHARTS"
cp "$WORK/results" "$CHARTS/results.txt"
sed '1{/^$/d}' "$WORK/report.txt" > "$CHARTS/report.txt"
"$TARGET/bench-report" charts "${LISTS[@]}" --out "$CHARTS" --text "$CHARTS/report.txt" \
  --context "$WHEN" --context "$HOW"
echo "charts: $CHARTS/index.html" >&2
