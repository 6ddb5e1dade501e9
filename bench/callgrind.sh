#!/usr/bin/env bash
# Instructions per echoed message, counted by callgrind: deterministic where wall-clock is
# noise. Each server runs under callgrind twice, with a short and a long load (same warm-up);
# the difference in instructions divided by the difference in echoed messages is the cost of
# one message in steady state, without start-up, handshakes or warm-up.
#
#   bash bench/callgrind.sh [SERVER...]          default: wsflow-tokio and the three peers
#   CG_CASES="10x16B:10:16:1 10x1KiB:10:1024:1"  name:conns:size:depth
#   CG_SECS="1 3"                                 the short and the long load, seconds
#   CG_TARGETS="target/release other/target/release"  compare builds (e.g. before/after)
#   CG_KEEP=dir                                   keep each run's callgrind output there, for
#                                                 callgrind_annotate (server.case.secs.out, and
#                                                 .msgs: the messages that run echoed)
set -euo pipefail
cd "$(dirname "$0")/.."

read -r SHORT LONG <<< "${CG_SECS:-1 3}"
CASES=${CG_CASES:-"10x16B:10:16:1 10x1KiB:10:1024:1"}
TARGETS=${CG_TARGETS:-${CARGO_TARGET_DIR:-target}/release}
if [[ $# -gt 0 ]]; then SERVERS="$*"; else
  SERVERS="wsflow-tokio tokio-websockets fastwebsockets tokio-tungstenite"; fi
[[ -n ${CG_TARGETS:-} ]] || cargo build --release -p wsflow-bench --bins >&2
command -v valgrind >/dev/null || { echo "callgrind.sh needs valgrind" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=19400

# Runs server $2 from build $1 under callgrind against a load of $3 seconds (case $4..$6);
# prints "instructions messages-echoed".
measure() {
  local target=$1 server=$2 secs=$3 conns=$4 size=$5 depth=$6
  PORT=$((PORT + 1))
  : > "$WORK/out"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$PORT.out" \
    "$target/bench-server" --server "$server" --addr "127.0.0.1:$PORT" \
    > "$WORK/out" 2> "$WORK/valgrind.err" &
  SERVER_PID=$!
  for _ in $(seq 600); do grep -q listening "$WORK/out" && break; sleep 0.1; done
  local line raw=()
  [[ $server == raw-tcp ]] && raw=(--raw)
  line=$("$target/bench-load" --addr "127.0.0.1:$PORT" --conns "$conns" --size "$size" \
    --depth "$depth" --secs "$secs" --warmup 1 "${raw[@]}")
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  # `checked` counts every echo the load received, warm-up included: exactly the messages
  # the server handled, so the difference between two runs has no estimate in it.
  local checked ir
  checked=$(sed -n 's/.* checked=\([0-9]*\).*/\1/p' <<< "$line")
  ir=$(awk '/^summary:/ {print $2}' "$WORK/cg.$PORT.out")
  if [[ -n ${CG_KEEP:-} ]]; then
    mkdir -p "$CG_KEEP"
    cp "$WORK/cg.$PORT.out" "$CG_KEEP/$server.${conns}x$size.${secs}s.out"
    echo "$checked" > "$CG_KEEP/$server.${conns}x$size.${secs}s.msgs"
  fi
  echo "$ir $checked"
}

printf '%-10s %-20s %-40s %14s\n' case server build "instr/message"
for case in $CASES; do
  IFS=: read -r name conns size depth <<< "$case"
  for server in $SERVERS; do
    for target in $TARGETS; do
      read -r ir1 n1 <<< "$(measure "$target" "$server" "$SHORT" "$conns" "$size" "$depth")"
      read -r ir2 n2 <<< "$(measure "$target" "$server" "$LONG" "$conns" "$size" "$depth")"
      echo "  $name $server $target: $ir1 instr / $n1 msgs, $ir2 instr / $n2 msgs" >&2
      per=$(awk -v a="$ir1" -v b="$ir2" -v m="$n1" -v n="$n2" \
        'BEGIN { if (n > m) printf "%.0f", (b - a) / (n - m); else print "n/a" }')
      printf '%-10s %-20s %-40s %14s\n' "$name" "$server" "$target" "$per"
    done
  done
done
