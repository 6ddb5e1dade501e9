#!/usr/bin/env python3
"""Run the Autobahn TestSuite (through kosoku) against the wsflow testees.

For every runtime, as server (`echo-server`, driven by `kosoku HOST:PORT`) and as client
(`autobahn-client`, connecting to `kosoku -m fuzzingserver HOST:PORT`). Prints one table of
verdict counts (runtime x role) and exits non-zero unless every case is OK or INFORMATIONAL,
in both its message behaviour and its closing behaviour. UNIMPLEMENTED is accepted only for
sections 12 and 13 (permessage-deflate), and only when the run is not asked for --deflate.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ACCEPTED = {"OK", "INFORMATIONAL"}
# Runs go in parallel: a port is chosen and taken by its listener under this lock, so two runs
# never race for the same free port.
PORT_LOCK = threading.Lock()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def wait_or_error(port: int, process: subprocess.Popen) -> Exception | None:
    """`wait_for_port`, returning its error so the caller can still stop the process."""
    try:
        wait_for_port(port, process)
    except RuntimeError as error:
        return error
    return None


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def case_filters(args: argparse.Namespace) -> list[str]:
    filters: list[str] = []
    for case in args.include or []:
        filters += ["-i", case]
    for case in args.exclude or []:
        filters += ["-x", case]
    return filters


def run_server_role(args, runtime: str, outdir: Path, log) -> None:
    with PORT_LOCK:
        port = free_port()
        command = [str(args.bin_dir / "echo-server"), "--runtime", runtime, "--addr", f"127.0.0.1:{port}"]
        if args.deflate:
            command.append("--deflate")
        server = subprocess.Popen(command, stdout=log, stderr=log)
        listening = wait_or_error(port, server)
    try:
        if listening is not None:
            raise listening
        subprocess.run(
            [args.kosoku, f"127.0.0.1:{port}", "-o", str(outdir), "-p", str(args.parallelism)]
            + case_filters(args),
            stdout=log, stderr=log, timeout=args.timeout, check=False,
        )
    finally:
        stop(server)


def run_client_role(args, runtime: str, outdir: Path, log) -> None:
    with PORT_LOCK:
        port = free_port()
        fuzzer = subprocess.Popen(
            [args.kosoku, "-m", "fuzzingserver", f"127.0.0.1:{port}", "-o", str(outdir)] + case_filters(args),
            stdout=log, stderr=log,
        )
        listening = wait_or_error(port, fuzzer)
    try:
        if listening is not None:
            raise listening
        command = [
            str(args.bin_dir / "autobahn-client"), "--runtime", runtime,
            "--url", f"ws://127.0.0.1:{port}", "--agent", f"wsflow-{runtime}",
        ]
        if args.deflate:
            command.append("--deflate")
        client = subprocess.run(command, stdout=log, stderr=log, timeout=args.timeout, check=False)
        if client.returncode != 0:
            raise RuntimeError(f"autobahn-client exited with {client.returncode}")
        # The fuzzing server writes its reports once the client asked for them.
        fuzzer.wait(timeout=120)
    finally:
        stop(fuzzer)


def verdicts(outdir: Path) -> dict[str, dict]:
    index = outdir / "index.json"
    if not index.exists():
        return {}
    cases: dict[str, dict] = {}
    for agent_cases in json.loads(index.read_text()).values():
        cases.update(agent_cases)
    return cases


def is_accepted(case_id: str, verdict: dict, deflate: bool) -> bool:
    behaviours = {verdict.get("behavior"), verdict.get("behaviorClose")}
    allowed = set(ACCEPTED)
    if not deflate and case_id.split(".")[0] in ("12", "13"):
        allowed.add("UNIMPLEMENTED")
    return behaviours <= allowed


def run_one(args: argparse.Namespace, runtime: str, role: str) -> tuple[tuple, list]:
    """One testee in one role: runs the cases, returns its table row and its rejected cases."""
    outdir = args.out / f"{runtime}-{role}"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    started = time.monotonic()
    with open(outdir / "testee.log", "w") as log:
        try:
            (run_server_role if role == "server" else run_client_role)(args, runtime, outdir, log)
        except Exception as error:  # reported as a failed row below
            print(f"{runtime} {role}: {error}", file=sys.stderr)
    cases = verdicts(outdir)
    if not cases:
        # Without a report there is nothing to judge: show why, so CI output explains it.
        tail = (outdir / "testee.log").read_text(errors="replace").splitlines()[-20:]
        lines = "\n".join(f"  | {line}" for line in tail)
        print(f"{runtime} {role}: no report; last lines of testee.log:\n{lines}", file=sys.stderr)
    counts = collections.Counter(v.get("behavior") for v in cases.values())
    bad = sorted(
        (case_id for case_id, v in cases.items() if not is_accepted(case_id, v, args.deflate)),
        key=lambda c: [int(p) for p in c.split(".")],
    )
    failures = [(runtime, role, case_id, cases[case_id]) for case_id in bad]
    if not cases:
        failures.append((runtime, role, "-", {"behavior": "NO REPORT"}))
    print(f"{runtime} {role}: {len(cases)} cases, {len(bad)} rejected, {time.monotonic() - started:.0f} s", flush=True)
    return (runtime, role, len(cases), counts, len(bad), time.monotonic() - started), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtimes", default="blocking,tokio,smol,async-std")
    parser.add_argument("--roles", default="server,client")
    parser.add_argument("--bin-dir", type=Path, default=Path("target/release"))
    parser.add_argument("--kosoku", default=shutil.which("kosoku") or "kosoku")
    parser.add_argument("--out", type=Path, default=Path("reports/autobahn"))
    parser.add_argument("--deflate", action="store_true", help="enable permessage-deflate in the testees")
    parser.add_argument("-i", "--include", action="append", help="case id or glob (repeatable)")
    parser.add_argument("-x", "--exclude", action="append", help="case id or glob to skip (repeatable)")
    parser.add_argument("-p", "--parallelism", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("-j", "--jobs", type=int, default=2, help="testee runs at a time (default 2)")
    args = parser.parse_args()

    runs = [(runtime, role) for runtime in args.runtimes.split(",") for role in args.roles.split(",")]
    # Two runs at a time by default: a client-role run is one case at a time (the testee and
    # the fuzzing server take turns, about one core in all), so pairing runs keeps two cores busy
    # and halves the wall time on a 2-core CI machine.
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda run: run_one(args, *run), runs))
    rows = [row for row, _ in results]
    failures = [failure for _, run_failures in results for failure in run_failures]

    columns = ["OK", "INFORMATIONAL", "NON-STRICT", "UNIMPLEMENTED", "FAILED"]
    print(f"\n{'runtime':<10} {'role':<7} {'cases':>5} " + " ".join(f"{c:>13}" for c in columns) + f" {'rejected':>8} {'secs':>6}")
    for runtime, role, total, counts, bad, secs in rows:
        print(f"{runtime:<10} {role:<7} {total:>5} " + " ".join(f"{counts.get(c, 0):>13}" for c in columns) + f" {bad:>8} {secs:>6.0f}")
    for runtime, role, case_id, verdict in failures[:50]:
        print(f"  {runtime} {role} case {case_id}: {verdict.get('behavior')} / {verdict.get('behaviorClose')}")
    total = sum(row[2] for row in rows)
    failed = len(failures)
    print(f"reports in {args.out}/")
    print(f"autobahn: {total - failed} passed, {failed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
