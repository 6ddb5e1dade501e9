#!/usr/bin/env bash
# The full test suite, as the README gives it: unit tests, the conformance scripts on the core
# and every adapter, the deterministic simulation, a bounded fuzzing run of every target, the
# same scripts over TCP against the testee binaries (wsflow-conformance), then the Autobahn
# TestSuite (through kosoku) against every testee, as server and as client. Installs what it
# needs (a Python venv with kosoku, and h2 for the HTTP/2 interop test) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

runtimes=${WSFLOW_AUTOBAHN_RUNTIMES:-blocking,tokio,smol,async-std}
venv=${WSFLOW_VENV:-target/autobahn-venv}
# Each phase says when it starts and how long the run has taken so far, so a slow CI run
# shows where its time went.
phase() { echo "== [$(date +%T), ${SECONDS}s] $*"; }

# The independent HTTP/2 peer of adapters/tests/http2.rs runs on Python's h2 package.
if ! "$venv/bin/python" -c 'import h2' 2>/dev/null; then
  phase "installing h2 (the RFC 8441 interop peer) into $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'h2==4.3.0'
fi
# Absolute: the tests run in their package's directory.
WSFLOW_H2_PYTHON="$(cd "$venv" && pwd)/bin/python"
export WSFLOW_H2_PYTHON

phase "unit and conformance tests"
cargo test --workspace --all-features

phase "fuzzing: every target in fuzz/ for ${WSFLOW_FUZZ_SECS:-15} s (0 skips)"
if [ "${WSFLOW_FUZZ_SECS:-15}" != 0 ]; then
  bash fuzz/run.sh "${WSFLOW_FUZZ_SECS:-15}"
fi

phase "building the Autobahn testees (release)"
cargo build --release -p wsflow-examples --all-features --bins

phase "black-box conformance: the scripts over TCP against the testee binaries (in parallel)"
cargo build -p wsflow-conformance --bin wsflow-conformance
logs=target/blackbox-logs
mkdir -p "$logs"
pids=()
for rt in ${runtimes//,/ }; do
  target/debug/wsflow-conformance server --include all \
    --command "target/release/echo-server --runtime $rt --addr 127.0.0.1:{port}" \
    > "$logs/$rt-server.log" 2>&1 &
  pids+=($!)
  target/debug/wsflow-conformance client --include all \
    --command "target/release/autobahn-client --runtime $rt --url ws://127.0.0.1:{port} --agent wsflow-$rt" \
    > "$logs/$rt-client.log" 2>&1 &
  pids+=($!)
done
blackbox_failed=0
for pid in "${pids[@]}"; do wait "$pid" || blackbox_failed=1; done
for log in "$logs"/*.log; do
  echo "$(basename "$log" .log): $(grep -E '^wsflow-conformance (server|client):' "$log" | tail -n 1)"
done
if [ "$blackbox_failed" != 0 ]; then
  grep -h -E '^FAIL' "$logs"/*.log | head -n 40
  echo "black-box conformance failed (full logs in $logs)"
  exit 1
fi

if [ ! -x "$venv/bin/kosoku" ]; then
  phase "installing kosoku into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'kosoku==0.1.0'
fi

phase "Autobahn TestSuite: runtimes $runtimes, server and client, two runs at a time"
"$venv/bin/python" conformance/autobahn/run.py \
  --kosoku "$venv/bin/kosoku" --bin-dir target/release --runtimes "$runtimes" \
  --out target/autobahn-reports --deflate "$@"
