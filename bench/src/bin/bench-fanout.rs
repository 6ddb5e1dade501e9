//! Fan-out benchmark: `bench-fanout [--subs 1000,10000] [--sizes 64,1024]
//! [--deliveries N] [--servers a,b]`. Each process needs about `subs` + 100 file descriptors
//! (`ulimit -n`; `bench/fanout.sh` raises it). `--load ADDR --subs S --msgs M --size B` is
//! the load side, which the benchmark starts itself.

use std::io;

use wsflow_bench::fanout::{FanoutServer, load, run_case};

fn list(value: Option<String>) -> io::Result<Vec<usize>> {
    let value = value.ok_or_else(|| io::Error::other("a flag lacks its value"))?;
    value
        .split(',')
        .map(|n| n.trim().parse().map_err(io::Error::other))
        .collect()
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut subs, mut sizes) = (vec![1000, 10_000], vec![64, 1024]);
    let (mut deliveries, mut msgs, mut servers) =
        (2_000_000usize, None, FanoutServer::ALL.to_vec());
    let mut load_addr = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--subs" => subs = list(args.next())?,
            "--sizes" | "--size" => sizes = list(args.next())?,
            "--deliveries" => {
                deliveries = list(args.next())?.first().copied().unwrap_or(deliveries);
            }
            "--msgs" => msgs = list(args.next())?.first().copied(),
            "--load" => load_addr = args.next(),
            "--servers" => {
                let names = args.next().unwrap_or_default();
                servers = names
                    .split(',')
                    .map(|name| {
                        FanoutServer::from_name(name)
                            .ok_or_else(|| io::Error::other(format!("no server named {name}")))
                    })
                    .collect::<io::Result<_>>()?;
            }
            other => return Err(io::Error::other(format!("unknown argument {other}"))),
        }
    }
    if let Some(addr) = load_addr {
        let (subs, size) = (subs.first().copied(), sizes.first().copied());
        let (Some(subs), Some(msgs), Some(size)) = (subs, msgs, size) else {
            return Err(io::Error::other("--load needs --subs, --msgs and --size"));
        };
        return tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(load(&addr, subs, msgs, size));
    }
    let exe = std::env::current_exe()?;
    println!(
        "| subscribers × size | server | deliveries/s | server CPU ns/delivery | load CPU share |"
    );
    println!("|---|---|---:|---:|---:|");
    for &subs in &subs {
        for &size in &sizes {
            let msgs = msgs.unwrap_or((deliveries / subs).max(1));
            for &server in &servers {
                let report = run_case(server, &exe, subs, msgs, size)?;
                let warn = if report.load_share() > 0.9 {
                    " (load-bound!)"
                } else {
                    ""
                };
                println!(
                    "| {subs} × {size} B | {} | {:.0} | {:.0} | {:.2}{warn} |",
                    server.name(),
                    report.rate(),
                    report.server_ns_per_delivery(),
                    report.load_share(),
                );
            }
        }
    }
    Ok(())
}
