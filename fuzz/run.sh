#!/usr/bin/env bash
# Builds every fuzz target once and runs each for SECONDS_PER_TARGET (default 20), one at a
# time; exits non-zero at the first crash, printing the input and the command that replays
# it. Seeds the corpora from the conformance scripts first if they are empty.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-20}
# cargo-fuzz passes nightly flags (-Z); stable rustc accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
# No sanitizer: the core forbids unsafe code, and address sanitizer needs nightly's build-std.
san=(--sanitizer none)

if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi
# The fuzzers should test the versions the workspace ships (a zlib-rs patch release once
# changed how a split stream decodes): warn when the two lock files disagree.
lock_version() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/[^0-9.]/, ""); print; exit }' "$2"; }
for crate in bytes http httparse flate2 zlib-rs sha1 base64 futures-core futures-sink; do
    if [ "$(lock_version "$crate" Cargo.lock)" != "$(lock_version "$crate" ../Cargo.lock)" ]; then
        echo "warning: $crate differs between fuzz/Cargo.lock and Cargo.lock;" \
            "refresh with: cp Cargo.lock fuzz/Cargo.lock" >&2
    fi
done
if [ ! -e corpus/.seeded ]; then
    (cd seedgen && cargo run --quiet -- ../corpus ../../conformance/scripts)
    touch corpus/.seeded
fi
cargo fuzz build "${san[@]}"
mkdir -p logs
for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="logs/$target.log"
    # -rss_limit_mb: a peer must not make the core allocate without bound (inflate bombs,
    # announced lengths); -timeout: no input may hang the core.
    if cargo fuzz run "${san[@]}" "$target" "corpus/$target" -- \
        -max_total_time="$secs" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1; then
        echo "$target: $(grep -E '^#[0-9]+.*DONE' "$log" | tail -1)"
    else
        crash=$(ls -t "artifacts/$target"/* 2>/dev/null | head -1 || true)
        grep -E -A6 "panicked|ERROR: libFuzzer" "$log" | head -30 >&2 || tail -30 "$log" >&2
        echo "CRASH in $target: fuzz/${crash:-?} (log: fuzz/$log)" >&2
        echo "replay: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $target ${crash:-ARTIFACT}" >&2
        exit 1
    fi
done
