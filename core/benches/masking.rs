//! Masking throughput: [`apply_mask`] against a naive byte loop and against `memcpy`
//! (`copy_from_slice`) of the same size.
//!
//! `cargo bench -p wsflow-core --bench masking` calibrates every cell to about 150 ms per run,
//! runs it [`RUNS`] times and prints the median. Every cell runs only a few iterations — a smoke
//! test for CI, not a measurement — when `WSFLOW_BENCH_QUICK=1` is set, when `--quick` or
//! `--test` is among the arguments, or when `--bench` is not (as under `cargo test --benches`,
//! which builds and runs bench targets without it; to measure with the binary run directly, pass
//! `--bench`).

// Byte and iteration counts become `f64` to compute rates, and a positive time ratio becomes an
// iteration count: precision and sign are not at stake.
#![allow(clippy::cast_precision_loss, clippy::cast_sign_loss)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use wsflow_core::mask::apply_mask;

const SIZES: [(usize, &str); 4] = [
    (16, "16 B"),
    (1024, "1 KiB"),
    (64 * 1024, "64 KiB"),
    (1024 * 1024, "1 MiB"),
];
const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
/// Wall time aimed at for one run of one cell.
const TARGET: Duration = Duration::from_millis(150);
/// Runs per cell; the median is reported.
const RUNS: usize = 5;
/// Iterations per cell in quick mode.
const QUICK_ITERS: u64 = 3;

/// The reference the optimised routine is compared with.
fn naive_mask(buf: &mut [u8], key: [u8; 4]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
}

/// Seconds taken by `iters` calls of `op`.
fn time(iters: u64, op: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    start.elapsed().as_secs_f64()
}

/// How many iterations of `op` take about [`TARGET`].
fn calibrate(op: &mut dyn FnMut()) -> u64 {
    let mut iters = 1u64;
    loop {
        let secs = time(iters, op);
        if secs >= TARGET.as_secs_f64() / 20.0 || iters >= 1 << 40 {
            let per_iter = secs / iters as f64;
            return ((TARGET.as_secs_f64() / per_iter) as u64).max(1);
        }
        iters *= 4;
    }
}

/// Bytes per second processed by `op` over a buffer of `size` bytes: median of the runs.
fn measure(size: usize, quick: bool, op: &mut dyn FnMut()) -> f64 {
    if quick {
        let secs = time(QUICK_ITERS, op).max(1e-9);
        return (size as f64 * QUICK_ITERS as f64) / secs;
    }
    let iters = calibrate(op);
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| (size as f64 * iters as f64) / time(iters, op))
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[RUNS / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = std::env::var_os("WSFLOW_BENCH_QUICK").is_some_and(|v| v == "1")
        || args.iter().any(|a| a == "--quick" || a == "--test")
        || !args.iter().any(|a| a == "--bench");
    let gb = 1e9;
    let mode = if quick {
        "quick mode: not a measurement".to_owned()
    } else {
        format!("median of {RUNS} runs of ~{} ms each", TARGET.as_millis())
    };
    println!("masking throughput, GB/s ({mode})");
    println!(
        "{:>8} | {:>10} | {:>10} | {:>10} | {:>11} | {:>11}",
        "size", "apply_mask", "naive", "memcpy", "mask/memcpy", "mask/naive"
    );
    println!("{}", "-".repeat(76));
    for (size, label) in SIZES {
        let mut buf: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let src = buf.clone();
        // Written once here so that no cell pays for first-touch page faults.
        let mut dst = vec![0xa5u8; size];

        let mask = measure(size, quick, &mut || {
            apply_mask(black_box(&mut buf), black_box(KEY), black_box(0));
        });
        let naive = measure(size, quick, &mut || {
            naive_mask(black_box(&mut buf), black_box(KEY));
        });
        let memcpy = measure(size, quick, &mut || {
            black_box(&mut dst).copy_from_slice(black_box(&src));
        });
        black_box((&buf, &dst));
        println!(
            "{label:>8} | {:>10.2} | {:>10.2} | {:>10.2} | {:>11.2} | {:>11.2}",
            mask / gb,
            naive / gb,
            memcpy / gb,
            mask / memcpy,
            mask / naive
        );
    }
}
