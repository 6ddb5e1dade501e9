#!/usr/bin/env bash
# Builds every fuzz target once and runs each for SECONDS_PER_TARGET (default 20), one at a
# time; exits non-zero at the first crash, printing the input and the command that replays
# it. Seeds the corpora from the conformance scripts first if they are empty.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET]
#
# The targets are built the way `cargo fuzz build --sanitizer none` builds them (the same
# sanitizer-coverage flags, `--cfg fuzzing`, debug assertions and overflow checks, release
# optimisation), but with plain cargo on the stable toolchain, so CI needs no cargo-fuzz
# install; `cargo fuzz run <target>` works as usual for exploring by hand. No sanitizer: the
# core forbids unsafe code, and address sanitizer is about twice as slow.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-20}
triple=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=target
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
bin_dir="target/$triple/release"

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
    (cd seedgen && env -u RUSTFLAGS -u CARGO_TARGET_DIR cargo run --quiet -- ../corpus ../../conformance/scripts)
    touch corpus/.seeded
fi
cargo build --release --locked --target "$triple" --bins
mkdir -p logs
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^wsflow-fuzz$')
for target in $targets; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="logs/$target.log"
    # Inputs that once failed run first, as plain test cases.
    for regression in regressions/"$target"-*; do
        [ -e "$regression" ] || continue
        if ! "$bin_dir/$target" "$regression" >"$log" 2>&1; then
            tail -30 "$log" >&2
            echo "REGRESSION in $target: fuzz/$regression fails again" >&2
            exit 1
        fi
    done
    # -rss_limit_mb: a peer must not make the core allocate without bound (inflate bombs,
    # announced lengths); -timeout: no input may hang the core.
    if "$bin_dir/$target" "corpus/$target" -artifact_prefix="artifacts/$target/" \
        -max_total_time="$secs" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1; then
        echo "$target: $(grep -E '^#[0-9]+.*DONE' "$log" | tail -1)"
    else
        crash=$(ls -t "artifacts/$target"/* 2>/dev/null | head -1 || true)
        grep -E -A6 "panicked|ERROR: libFuzzer" "$log" | head -30 >&2 || tail -30 "$log" >&2
        echo "CRASH in $target: fuzz/${crash:-?} (log: fuzz/$log)" >&2
        echo "replay: fuzz/$bin_dir/$target fuzz/${crash:-ARTIFACT}   (or: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $target ${crash:-ARTIFACT})" >&2
        exit 1
    fi
done
