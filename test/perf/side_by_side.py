"""Two echo servers at once, on the same core, each under its own load.

compare.py runs the reference and tcpecho one after the other, as the
targets ask; on a machine whose speed drifts within seconds, one pair says
little. Here both servers share CPU 0 and both loads share CPU 1, for the
same seconds, so a drift slows both alike: the ratio of their CPU time per
operation holds still to about 1 %. For telling two builds apart (or a build
from a reference server) before an alternating run; a server that shares its
core is not saturated as it is alone, so this is not what the targets mean.

Usage: side_by_side.py A B [--rounds 4] [--seconds 3] [--tls] [--unix]
                         [--serve-mode reply] [--a-args ARGS] [--b-args ARGS] [-- BENCH ARGS]
A and B: a tcpecho binary, or test/perf's echo_epoll, tls_echo_epoll or go_tls_echo; the
same binary twice with --b-args (say "--metrics 127.0.0.1:0") tells what an
option costs. Bench args default to `--mode rr -c 50 -s 128`.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

from compare import cpu_seconds, make_certificate, start_server


def server_command(binary, where, credentials, mode="echo", extra=""):
    name = os.path.basename(binary)
    if name in ("tls_echo_epoll", "go_tls_echo"):
        return [binary, *credentials, where]
    if name == "echo_epoll":
        return [binary, where]
    tls = ["--tls", "--tls-cert", credentials[0], "--tls-key", credentials[1]] if credentials else []
    flag = "--unix" if where.startswith("/") else "--port"
    return [binary, "serve", flag, where, "--mode", mode, "--quiet", *tls, *shlex.split(extra)]


def start(binary, index, args, folder, credentials):
    """The server, pinned to CPU 0 on an ephemeral port or a socket in
    `folder`, and bench's arguments to reach it."""
    where = os.path.join(folder, f"{index}.sock") if args.unix else "0"
    with open(os.path.join(folder, f"{index}.log"), "w") as log:  # the server keeps its own
        extra = args.a_args if index == 0 else args.b_args
        server, port = start_server(
            server_command(binary, where, credentials, args.serve_mode, extra), log)
    target = ["--unix", where] if args.unix else ["--host", "127.0.0.1", "--port", str(port)]
    if credentials:
        target += ["--tls", "--tls-ca", credentials[0]]
    return server, target


def one_round(args, bench, folder, credentials):
    """(units/s, CPU µs per unit) for A and for B, run at the same time."""
    started = [start(binary, i, args, folder, credentials) for i, binary in enumerate(args.builds)]
    loads = [subprocess.Popen(["taskset", "-c", "1", bench, "bench", *target, "-d",
                               str(args.seconds), "--json", *args.bench_args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _, target in started]
    time.sleep(1)  # bench's warm-up
    before = [cpu_seconds(server.pid) for server, _ in started]
    outputs = [load.communicate(timeout=args.seconds + 30) for load in loads]
    after = [cpu_seconds(server.pid) for server, _ in started]
    for server, _ in started:
        server.terminate()
        server.wait(timeout=10)
    for load, (_, stderr) in zip(loads, outputs):
        if load.returncode != 0:
            raise SystemExit(f"bench failed ({load.returncode}): {stderr.strip()}")
    reports = [json.loads(stdout) for stdout, _ in outputs]
    unit = "mb_per_s" if reports[0]["mode"] == "stream" else "ops_per_s"
    return [(report[unit], (end - begin) * 1e6 / (report[unit] * args.seconds))
            for report, begin, end in zip(reports, before, after)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("builds", nargs=2, metavar="SERVER")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--unix", action="store_true")
    parser.add_argument("--serve-mode", default="echo", choices=["echo", "reply"])
    parser.add_argument("--a-args", default="", help="more serve options for A")
    parser.add_argument("--b-args", default="", help="more serve options for B")
    parser.add_argument("--bench", default="build/src/tcpecho", help="the tcpecho that loads")
    ours, bench_args = sys.argv[1:], ["--mode", "rr", "-c", "50", "-s", "128"]
    if "--" in ours:
        ours, bench_args = ours[:ours.index("--")], ours[ours.index("--") + 1:]
    args = parser.parse_args(ours)
    args.bench_args = bench_args
    with tempfile.TemporaryDirectory() as folder:
        credentials = make_certificate(folder) if args.tls else ()
        ratios, cpu_ratios = [], []
        for number in range(args.rounds):
            (rate_a, cpu_a), (rate_b, cpu_b) = one_round(args, args.bench, folder, credentials)
            ratios.append(rate_b / rate_a)
            cpu_ratios.append(cpu_b / cpu_a)
            print(f"round {number}: A {rate_a:.0f}/s at {cpu_a:.2f} µs, "
                  f"B {rate_b:.0f}/s at {cpu_b:.2f} µs", flush=True)
    print(f"B/A: rate {statistics.median(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f}), "
          f"CPU per unit {statistics.median(cpu_ratios):.3f} "
          f"({min(cpu_ratios):.2f}-{max(cpu_ratios):.2f})")


if __name__ == "__main__":
    main()
