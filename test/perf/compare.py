"""tcpecho against plain-C epoll servers, scenario by scenario.

Builds nothing: it runs what meson built (tcpecho, echo_epoll, seed_epoll,
tls_echo_epoll, and go_tls_echo where Go is installed). The TLS scenarios use one certificate for both servers, an
ECDSA P-256 one made at start with the openssl command.
Pins the server to CPU 0 and the load (`tcpecho bench`) to CPU 1, runs each
scenario against the reference and against tcpecho alternately (A B A B ...),
records the server's CPU time (utime+stime from /proc/PID/stat) and RSS, and
prints a table of medians. The ratio is the median of the pairs' own ratios
(each tcpecho run against the reference run just before it), which holds
still while the machine's speed drifts between pairs; the range of the
pairs' ratios follows it.

Usage: compare.py --build BUILD_DIR [--pairs 3] [--seconds 5] [--only NAME ...]
       compare.py --build BUILD_DIR --smoke     (a few seconds: checks it runs)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Scenario:
    def __init__(self, name, reference, tcpecho_args, bench_args, metrics, beside=None,
                 unix=False, tls=False):
        self.name = name
        self.unix = unix                    # over a Unix domain socket instead of TCP
        self.tls = tls                      # over TLS: the reference is tls_echo_epoll
        self.reference = reference          # "echo" or "seed"
        self.tcpecho_args = tcpecho_args    # for `tcpecho serve`
        self.bench_args = bench_args        # for `tcpecho bench`
        self.metrics = metrics              # what the table shows
        # Fairness: a second bench run beside the first, on the same load
        # core. The first runs alone, then beside it; "share_kept" is the
        # fraction of its operations/s it keeps, and the other metrics are
        # those of the run beside it.
        self.beside = beside


SCENARIOS = [
    Scenario("rr 50x128B", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "rr", "-c", "50", "-s", "128"], ["ops_per_s", "cpu_us_per_op"]),
    Scenario("rr 1x128B", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "rr", "-c", "1", "-s", "128"], ["p50_us", "cpu_us_per_op"]),
    Scenario("stream 4x64KiB", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "stream", "-c", "4", "-s", "65536"], ["mb_per_s", "cpu_us_per_op"]),
    Scenario("exchange 16 quiet", "seed", ["--quiet"],
             ["--mode", "exchange", "-c", "16"], ["ops_per_s", "cpu_us_per_op"]),
    Scenario("exchange 16 logged", "seed", [],
             ["--mode", "exchange", "-c", "16"], ["ops_per_s", "cpu_us_per_op"]),
    Scenario("idle 10000 reply", "seed", ["--quiet", "--timeout", "0"],
             ["--mode", "idle", "-c", "10000"], ["rss_bytes_per_conn"]),
    Scenario("idle 10000 echo", "echo", ["--mode", "echo", "--quiet", "--timeout", "0"],
             ["--mode", "idle", "-c", "10000", "--echo-first", "--expect", "Greetings, server"],
             ["rss_bytes_per_conn"]),
    Scenario("fair rr beside stream", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "rr", "-c", "1", "-s", "128"], ["share_kept", "p99_us"],
             beside=["--mode", "stream", "-c", "1", "-s", "65536", "--window", "16777216"]),
    Scenario("fair exchange beside flood", "seed", ["--quiet"],
             ["--mode", "exchange", "-c", "16"], ["share_kept"],
             beside=["--mode", "flood", "-c", "1", "-s", "65536"]),
    Scenario("unix rr 50x128B", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "rr", "-c", "50", "-s", "128"], ["ops_per_s", "cpu_us_per_op"],
             unix=True),
]

ECHOED_EXCHANGE = ["--mode", "exchange", "-c", "16", "--expect", "Greetings, server"]
SCENARIOS += [
    Scenario("tls rr 50x128B", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "rr", "-c", "50", "-s", "128"], ["ops_per_s", "cpu_us_per_op"], tls=True),
    Scenario("tls stream 4x64KiB", "echo", ["--mode", "echo", "--quiet"],
             ["--mode", "stream", "-c", "4", "-s", "65536"], ["mb_per_s"], tls=True),
    # One connection, so one full handshake, per exchange.
    Scenario("tls full handshakes 16", "echo", ["--mode", "echo", "--quiet"], ECHOED_EXCHANGE,
             ["ops_per_s", "cpu_us_per_op"], tls=True),
    Scenario("tls resumed handshakes 16", "echo", ["--mode", "echo", "--quiet"],
             [*ECHOED_EXCHANGE, "--tls-resume"], ["ops_per_s"], tls=True),
    Scenario("tls idle 10000 echo", "echo", ["--mode", "echo", "--quiet", "--timeout", "0"],
             ["--mode", "idle", "-c", "10000", "--echo-first", "--expect", "Greetings, server"],
             ["rss_bytes_per_conn"], tls=True),
]

# Go's crypto/tls as the reference (go_tls_echo, built where Go is
# installed), each server with its own defaults.
SCENARIOS += [
    Scenario("go tls rr 50x128B", "go", ["--mode", "echo", "--quiet"],
             ["--mode", "rr", "-c", "50", "-s", "128"], ["ops_per_s", "cpu_us_per_op"], tls=True),
    Scenario("go tls stream 4x64KiB", "go", ["--mode", "echo", "--quiet"],
             ["--mode", "stream", "-c", "4", "-s", "65536"], ["mb_per_s", "cpu_us_per_op"],
             tls=True),
]

HIGHER_IS_BETTER = {"ops_per_s", "mb_per_s"}


def make_certificate(folder):
    """An ECDSA P-256 certificate for 127.0.0.1, its own CA: (cert, key)."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-days", "2"], check=True, capture_output=True, timeout=60)
    return cert, key


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def start_server(command, log):
    """Starts a server pinned to CPU 0 with its stdout in `log` (a file), and
    returns it with its port, read from the first line it writes there (None
    for a Unix domain socket)."""
    process = subprocess.Popen(["taskset", "-c", "0", *command], stdout=log,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    first = ""
    while not first.endswith("\n") and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a file for the server's first line, bounded
        with open(log.name) as transcript:
            first = transcript.readline()
    if first.startswith("port "):
        return process, int(first.split()[1])
    if first.startswith(("unix ", "Listening at /")):
        return process, None
    # tcpecho: Listening at ('127.0.0.1', PORT)
    return process, int(first.rsplit(",", 1)[1].strip(" )\n"))


def run_once(args, scenario, implementation, seconds, warmup):
    # The transcript goes straight to a file, as `tcpecho serve > log` would.
    with tempfile.NamedTemporaryFile("w") as log, tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "server.sock")
        where = [path] if scenario.unix else ["0"]
        cert, key = args.certificate
        if implementation == "reference" and scenario.tls:
            binary = "go_tls_echo" if scenario.reference == "go" else "tls_echo_epoll"
            command = [os.path.join(args.build, "test", binary), cert, key, *where]
        elif implementation == "reference":
            binary = os.path.join(args.build, "test",
                                  "echo_epoll" if scenario.reference == "echo" else "seed_epoll")
            command = [binary, *where]
        else:
            tls = ["--tls", "--tls-cert", cert, "--tls-key", key] if scenario.tls else []
            command = [os.path.join(args.build, "src", "tcpecho"), "serve",
                       "--unix" if scenario.unix else "--port", *where, *scenario.tcpecho_args,
                       *tls]
        server, port = start_server(command, log)
        target = ["--unix", path] if scenario.unix else ["--port", str(port)]
        if scenario.tls:
            target += ["--tls", "--tls-ca", cert]
        try:
            if scenario.beside:
                return run_beside(args, scenario, implementation, target, seconds, warmup)
            rss_before = rss_bytes(server.pid)
            bench = start_bench(args, target, seconds, warmup, scenario.bench_args)
            # CPU time is taken over bench's measured window, the one its
            # operations are counted in (the clocks here are the window's
            # schedule, not a synchronisation). Memory is sampled in the
            # middle of it, while the connections are held: afterwards the
            # allocator keeps what the final checks used.
            time.sleep(warmup)
            cpu_before = cpu_seconds(server.pid)
            time.sleep(seconds / 2)
            rss = rss_bytes(server.pid) - rss_before
            time.sleep(seconds / 2)
            cpu = cpu_seconds(server.pid) - cpu_before
            stdout, stderr = bench.communicate(timeout=seconds + warmup + 120)
        finally:
            server.terminate()
            server.wait(timeout=30)
    if bench.returncode != 0:
        raise RuntimeError(f"{scenario.name} / {implementation}: bench failed "
                           f"({bench.returncode}): {stderr}{stdout[:500]}")
    result = json.loads(stdout)
    operations = max(result["operations"], 1)
    result["cpu_us_per_op"] = cpu * 1e6 / operations
    result["rss_bytes_per_conn"] = rss / result["connections"]
    return result


def start_bench(args, target, seconds, warmup, bench_args):
    return subprocess.Popen(
        ["taskset", "-c", "1", os.path.join(args.build, "src", "tcpecho"), "bench",
         *target, "-d", str(seconds), "--warmup", str(warmup), "--json", *bench_args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def bench_result(bench, what, seconds):
    stdout, stderr = bench.communicate(timeout=seconds + 120)
    if bench.returncode != 0:
        raise RuntimeError(f"{what}: bench failed ({bench.returncode}): {stderr}{stdout[:500]}")
    return json.loads(stdout)


def run_beside(args, scenario, implementation, target, seconds, warmup):
    """The scenario's bench alone, then again beside the greedy one."""
    what = f"{scenario.name} / {implementation}"
    alone = bench_result(start_bench(args, target, seconds, warmup, scenario.bench_args),
                         what, seconds)
    # The greedy client starts first and runs past the end of the measured one.
    greedy = start_bench(args, target, seconds + 2 * warmup + 1, 0, scenario.beside)
    together = bench_result(start_bench(args, target, seconds, warmup, scenario.bench_args),
                            what, seconds)
    greedy.kill()  # what it reports does not matter: it was the load
    greedy.communicate(timeout=30)
    together["share_kept"] = together["ops_per_s"] / max(alone["ops_per_s"], 1e-9)
    return together


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--only", nargs="*", help="scenario names to run (prefix match)")
    parser.add_argument("--smoke", action="store_true",
                        help="one short pair of each scenario, idle with 200 connections")
    args = parser.parse_args()
    if not shutil.which("taskset"):
        sys.exit("compare.py: taskset (util-linux) is needed")

    scenarios = [s for s in SCENARIOS
                 if not args.only or any(s.name.startswith(o) for o in args.only)]
    if not os.path.exists(os.path.join(args.build, "test", "tls_echo_epoll")):
        scenarios = [s for s in scenarios if not s.tls]  # a build without TLS
    if not os.path.exists(os.path.join(args.build, "test", "go_tls_echo")):
        scenarios = [s for s in scenarios if s.reference != "go"]  # no Go here
    certificates = tempfile.TemporaryDirectory()
    args.certificate = make_certificate(certificates.name)
    if args.smoke:
        args.pairs, args.seconds, args.warmup = 1, 0.5, 0.2
        for s in scenarios:
            s.bench_args = [("200" if a == "10000" else a) for a in s.bench_args]

    print(f"{'scenario':<20} {'metric':<20} {'reference':>12} {'tcpecho':>12} {'ratio':>7}"
          f"  {'pairs':>11}")
    for scenario in scenarios:
        runs = {"reference": [], "tcpecho": []}
        for _ in range(args.pairs):
            for implementation in ["reference", "tcpecho"]:
                runs[implementation].append(
                    run_once(args, scenario, implementation, args.seconds, args.warmup))
        for metric in scenario.metrics:
            reference = statistics.median(r[metric] for r in runs["reference"])
            ours = statistics.median(r[metric] for r in runs["tcpecho"])
            pair_ratios = [t[metric] / r[metric]
                           for r, t in zip(runs["reference"], runs["tcpecho"]) if r[metric]]
            # Memory over plain TCP is judged against an absolute target (1 KiB
            # a connection): the reference holds next to nothing per
            # connection. Over TLS, both hold OpenSSL's state: a ratio.
            if (metric == "rss_bytes_per_conn" and not scenario.tls) or not pair_ratios:
                ratio, spread = "-", ""
            else:
                ratio = f"{statistics.median(pair_ratios):.2f}"
                spread = f"{min(pair_ratios):.2f}-{max(pair_ratios):.2f}"
            print(f"{scenario.name:<20} {metric:<20} {reference:>12.2f} {ours:>12.2f} "
                  f"{ratio:>7}  {spread:>11}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
