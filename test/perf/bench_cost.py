"""What bench itself costs: two tcpecho builds' `bench` against the same
plain-C epoll echo server (test/perf/echo_epoll.c), alternately, each pair
in the other order from the one before (A B, B A, A B ...) so that neither
build always runs on a machine the other has just warmed.

Pins the server to CPU 0 and bench to CPU 1; per run, bench's own CPU time
(user+system, from the kernel's accounting of the finished child) divided by
the round trips it made, and the round trips per second. Prints each pair
and the medians, and the median of the pairs' ratios (B over A).

Usage: bench_cost.py A_TCPECHO B_TCPECHO ECHO_EPOLL [--pairs 5] [--seconds 3]
       [-- BENCH_ARGS...]   (default: --mode rr -c 50 -s 128)
"""
import argparse
import json
import os
import socket
import statistics
import subprocess


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, attempts=500):
    """Until the server accepts, bounded: each try waits for its answer."""
    for _ in range(attempts):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            os.sched_yield()
    raise SystemExit(f"bench_cost.py: nothing listens on port {port}")


def run(tcpecho, port, seconds, bench_args):
    """One bench run: (CPU seconds per round trip, round trips per second)."""
    before = os.times()
    result = subprocess.run(["taskset", "-c", "1", tcpecho, "bench", "--port", str(port),
                             "-d", str(seconds), "--warmup", "0.5", "--json", *bench_args],
                            capture_output=True, text=True, timeout=seconds + 60, check=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system -
                                                          before.children_system)
    report = json.loads(result.stdout)
    total = report["operations"] * (1 + 0.5 / report["measured_s"])  # warm-up's too, roughly
    return cpu / total, report["ops_per_s"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("echo_epoll")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("bench_args", nargs="*")
    args = parser.parse_args()
    bench_args = args.bench_args or ["--mode", "rr", "-c", "50", "-s", "128"]
    port = free_port()
    server = subprocess.Popen(["taskset", "-c", "0", args.echo_epoll, str(port)],
                              stdout=subprocess.DEVNULL)
    try:
        wait_for(port)
        rows = []
        for pair in range(args.pairs):
            if pair % 2 == 0:
                a = run(args.a, port, args.seconds, bench_args)
                b = run(args.b, port, args.seconds, bench_args)
            else:
                b = run(args.b, port, args.seconds, bench_args)
                a = run(args.a, port, args.seconds, bench_args)
            rows.append((a, b))
            print(f"pair {pair + 1}: A {a[0] * 1e6:.3f} us/op {a[1]:.0f} ops/s   "
                  f"B {b[0] * 1e6:.3f} us/op {b[1]:.0f} ops/s   "
                  f"B/A cpu {b[0] / a[0]:.3f} rate {b[1] / a[1]:.3f}", flush=True)
        for i, name in ((0, "cpu per round trip"), (1, "round trips/s")):
            ratios = [b[i] / a[i] for a, b in rows]
            print(f"{name}: A median {statistics.median(a[i] for a, _ in rows):.6g}, "
                  f"B median {statistics.median(b[i] for _, b in rows):.6g}, B/A median "
                  f"{statistics.median(ratios):.3f} (pairs {min(ratios):.3f}-{max(ratios):.3f})")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
