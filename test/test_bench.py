"""tcpecho bench as a process: its JSON report parses and adds up, its exit
status follows the errors, and the performance script still runs."""
import json
import os
import resource
import signal
import subprocess
import sys
import unittest

from processes import (TCPECHO, WAIT, hdr_read_encoded, refusing_port, tcpecho,
                       tcpecho_server)

HERE = os.path.dirname(os.path.abspath(__file__))


class BenchProcess(unittest.TestCase):
    def start(self, *args):
        server = tcpecho_server("127.0.0.1", *args)
        self.addCleanup(server.kill)
        return server

    def test_json_report(self):
        server = self.start("--mode", "echo", "--quiet")
        result = tcpecho("bench", "--port", str(server.port), "--mode", "rr", "-c", "4",
                         "-d", "0.5", "--warmup", "0.1", "--json", timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        for key in ["ops_per_s", "mb_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us"]:
            self.assertGreaterEqual(report[key], 0, key)
        self.assertGreater(report["operations"], 0)
        self.assertEqual(set(report["errors"]), {"mismatch", "short_reply", "reset", "timeout",
                                                 "connect_failed", "other"})
        self.assertEqual(sum(report["errors"].values()), 0)
        self.assertEqual(report["histogram"]["unit"], "ns")
        [decoded] = hdr_read_encoded(report["histogram"]["hdr"])
        self.assertEqual(decoded["count"], report["operations"])
        self.assertAlmostEqual(decoded["p99"] / 1000, report["p99_us"], places=3)
        self.assertLessEqual(report["p50_us"], report["p99_us"])
        self.assertLessEqual(report["p99_us"], report["max_us"])

    def test_timeout_zero_means_no_timeout(self):
        server = self.start("--mode", "echo", "--quiet")
        for mode, extra in [("rr", []), ("stream", []),
                            ("exchange", ["--expect", "Greetings, server"])]:
            result = tcpecho("bench", "--port", str(server.port), "--mode", mode, "-c", "2",
                             "-d", "0.3", "--warmup", "0", "--timeout", "0", "--json", *extra,
                             timeout=30)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            report = json.loads(result.stdout)
            self.assertGreater(report["operations"], 0, mode)
            self.assertEqual(sum(report["errors"].values()), 0, mode)

    def test_the_largest_size_is_sent_and_checked(self):
        # Under AddressSanitizer in CI: the stream pattern is read at every
        # offset with the largest slice there is. Only an operation that ends
        # inside the window counts, and a sanitizer build takes a good part of
        # a second for one 1 MiB round trip: hence a window of seconds.
        server = self.start("--mode", "echo", "--quiet")
        for mode in ["rr", "stream"]:
            result = tcpecho("bench", "--port", str(server.port), "--mode", mode, "-c", "2",
                             "-s", "1048576", "-d", "3", "--warmup", "0", "--json", timeout=60)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            report = json.loads(result.stdout)
            self.assertEqual(sum(report["errors"].values()), 0, mode)
            self.assertGreater(report["bytes"], 0, mode)

    def test_errors_make_the_exit_status_non_zero(self):
        # The seed's server does not echo: every rr reply is wrong.
        server = self.start("--quiet")
        result = tcpecho("bench", "--port", str(server.port), "--mode", "rr", "-c", "2",
                         "-d", "0.3", "--warmup", "0", timeout=30)
        self.assertEqual(result.returncode, 5)
        self.assertRegex(result.stdout, r"errors +\d+ (mismatch|short_reply)")

    def test_no_connection_at_all_is_a_connect_failure(self):
        closed = refusing_port()
        self.addCleanup(closed.close)
        port = str(closed.getsockname()[1])
        for mode in ["rr", "exchange"]:
            result = tcpecho("bench", "--port", port, "--mode", mode, "-c", "3", "-d", "5",
                             "--warmup", "0", "--json", timeout=30)
            self.assertEqual(result.returncode, 4, result)
            self.assertEqual(json.loads(result.stdout)["errors"]["connect_failed"], 3)
            self.assertEqual(result.stderr,
                             f"tcpecho: cannot connect to 127.0.0.1 port {port}: "
                             "Connection refused\n")

    def test_text_report_and_histogram(self):
        server = self.start()
        result = tcpecho("bench", "--port", str(server.port), "--mode", "exchange", "-c", "2",
                         "-d", "0.3", "--warmup", "0", "--histogram", timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("latency histogram", result.stdout)
        self.assertIn("errors      none", result.stdout)

    def test_each_mode_reports_what_it_measures_and_nothing_else(self):
        echo = self.start("--mode", "echo", "--quiet")
        seed = self.start("--quiet")
        measured = {  # mode: (size, bytes, latency)
            "rr": (echo, True, True), "stream": (echo, True, True),
            "exchange": (seed, False, True), "idle": (seed, False, True),
            "flood": (seed, True, False),
        }
        for mode, (server, sized, timed) in measured.items():
            with self.subTest(mode=mode):
                args = ["bench", "--port", str(server.port), "--mode", mode, "-c", "2",
                        "-d", "0.2", "--warmup", "0"]
                report = json.loads(tcpecho(*args, "--json", timeout=30).stdout)
                self.assertEqual("size" in report, sized)
                self.assertEqual("mb_per_s" in report, sized)
                self.assertEqual("p50_us" in report, timed)
                self.assertEqual("histogram" in report, timed)
                if timed:  # a latency, not a count from the epoch or the end of time
                    self.assertLess(report["max_us"], 60e6)
                text = tcpecho(*args, timeout=30).stdout
                self.assertEqual(" B, " in text.splitlines()[0], sized, text)
                self.assertEqual("throughput" in text, sized, text)
                self.assertEqual("\n  latency " in text, timed, text)

    def test_idle_echo_first_checks_the_echo_at_the_end(self):
        server = self.start("--mode", "echo", "--quiet")
        result = tcpecho("bench", "--port", str(server.port), "--mode", "idle", "--echo-first",
                         "-c", "3", "-d", "0.2", "--warmup", "0", "--json", timeout=30)
        self.assertEqual(result.returncode, 0, result.stdout)
        report = json.loads(result.stdout)
        self.assertEqual((report["operations"], sum(report["errors"].values())), (3, 0))

    def test_the_first_sigint_ends_the_run_with_its_report(self):
        server = self.start("--mode", "echo")
        bench = subprocess.Popen([TCPECHO, "bench", "--port", str(server.port), "-c", "2",
                                  "-d", "600", "--warmup", "0", "--json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(bench.kill)
        server.read_until_prefix("Connection from")  # the run is under way
        bench.send_signal(signal.SIGINT)
        out, err = bench.communicate(timeout=WAIT)
        self.assertEqual(bench.returncode, 130, err)
        report = json.loads(out)
        self.assertEqual(report["cut_short_by"], "SIGINT")
        self.assertLess(report["measured_s"], 600)
        self.assertEqual(sum(report["errors"].values()), 0)

    @unittest.skipIf(os.environ.get("TCPECHO_SANITIZERS", "none") != "none",
                     "a sanitizer's runtime needs descriptors of its own: out of them, UBSan "
                     "reports a false error")
    def test_connections_that_cannot_be_made_say_why(self):
        server = self.start("--mode", "echo", "--quiet")
        # 40 descriptors: some of the 60 connections get one, the rest cannot.
        result = subprocess.run(
            [TCPECHO, "bench", "--port", str(server.port), "-c", "60", "-d", "0.2",
             "--warmup", "0"], capture_output=True, text=True, timeout=30,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40)))
        self.assertEqual(result.returncode, 5, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"errors +\d+ connect_failed\n +connect_failed +first: "
                                        r"Too many open files\n")

    @unittest.skipUnless(os.environ.get("TCPECHO_BUILD"), "needs the build directory")
    @unittest.skipIf(os.environ.get("TCPECHO_SANITIZERS", "none") != "none",
                     "sanitized servers are too slow for the script's time limits")
    def test_performance_script_smoke(self):
        """A few seconds, no timing assertion: only that the script and the
        reference servers keep working."""
        result = subprocess.run(
            [sys.executable, os.path.join(HERE, "perf", "compare.py"), "--build",
             os.environ["TCPECHO_BUILD"], "--smoke"],
            capture_output=True, text=True, timeout=240)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        rows = result.stdout.splitlines()[1:]
        # One per scenario and metric; a build without TLS has no TLS rows,
        # one without Go no rows against Go's crypto/tls.
        built = os.path.join(os.environ["TCPECHO_BUILD"], "test")
        with_tls = os.path.exists(os.path.join(built, "tls_echo_epoll"))
        with_go = os.path.exists(os.path.join(built, "go_tls_echo"))
        self.assertEqual(len(rows), 17 + 7 * with_tls + 4 * (with_tls and with_go),
                         result.stdout)
        print("\n" + result.stdout, file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
