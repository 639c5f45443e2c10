"""bench's connections over real sockets: --connect-rate holds the pace, and
exchange times the connect, the reply's first byte and the whole exchange
apart, against a server that delays its first byte by a known amount; each
TCP connection's TCP_INFO is summarised."""
import ast
import json
import os
import socket
import tempfile
import threading
import time
import unittest

from processes import (TCPECHO, WAIT, Server, hdr_read_encoded, hdr_read_log, tcpecho,
                       tcpecho_server)

DELAY = 0.2  # seconds the slow server waits before its reply's first byte


class SlowReplyServer:
    """Reads each client's message to its end, waits DELAY, replies, closes."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(WAIT)
        self.port = self.listener.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(client,), daemon=True).start()

    def answer(self, client):
        with client:
            client.settimeout(WAIT)
            try:
                while client.recv(4096):
                    pass
                time.sleep(DELAY)  # the delay under test, not a synchronisation
                client.sendall(b"Greetings, client")
            except OSError:
                pass

    def close(self):
        self.stopping = True
        self.listener.close()
        self.thread.join(WAIT)


class Connections(unittest.TestCase):
    def test_exchange_times_connect_first_byte_and_exchange_apart(self):
        server = SlowReplyServer()
        self.addCleanup(server.close)
        result = tcpecho("bench", "--port", str(server.port), "--mode", "exchange", "-c", "4",
                         "-d", "1", "--warmup", "0", "--expect", "Greetings, client", "--json",
                         timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        connect, first_byte = report["connect"], report["first_byte"]
        self.assertGreater(report["operations"], 0)
        self.assertGreaterEqual(connect["count"], report["operations"])
        self.assertEqual(first_byte["count"], report["operations"])
        # The delay is in the first byte and the exchange, not the connect.
        self.assertGreaterEqual(first_byte["p50_us"], DELAY * 1e6 * 0.999)
        self.assertGreaterEqual(report["p50_us"], first_byte["p50_us"])
        self.assertLess(connect["p99_us"], DELAY * 1e6)
        [decoded] = hdr_read_encoded(first_byte["histogram"]["hdr"])
        self.assertEqual(decoded["count"], first_byte["count"])

    def test_the_connect_rate_holds_in_exchange_mode(self):
        server = tcpecho_server("127.0.0.1", "--quiet")
        self.addCleanup(server.kill)
        result = tcpecho("bench", "--port", str(server.port), "--mode", "exchange", "-c", "4",
                         "-d", "1", "--warmup", "0", "--connect-rate", "20", "--json",
                         timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        # 20 a second for a second, judged loosely: a loaded machine runs late,
        # never early.
        self.assertGreaterEqual(report["connect"]["count"], 10)
        self.assertLessEqual(report["connect"]["count"], 21)
        self.assertLessEqual(report["operations"], 21)

    def test_the_connect_rate_spreads_the_first_connections_of_every_mode(self):
        server = tcpecho_server("127.0.0.1", "--mode", "echo", "--quiet")
        self.addCleanup(server.kill)
        result = tcpecho("bench", "--port", str(server.port), "--mode", "rr", "-c", "20",
                         "--threads", "2", "-d", "0.5", "--warmup", "0", "--connect-rate", "10",
                         "--json", timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        # 20 connections at 10 a second take two seconds: half a second opens
        # about five of them.
        self.assertGreaterEqual(report["connect"]["count"], 1)
        self.assertLessEqual(report["connect"]["count"], 7)
        self.assertGreater(report["operations"], 0)

    def test_tcp_info_of_each_connection_is_summarised(self):
        server = tcpecho_server("127.0.0.1", "--mode", "echo", "--quiet")
        self.addCleanup(server.kill)
        for mode in ("rr", "stream"):
            with self.subTest(mode=mode):
                result = tcpecho("bench", "--port", str(server.port), "--mode", mode, "-c", "3",
                                 "-d", "0.3", "--warmup", "0", "--json", timeout=60)
                self.assertEqual(result.returncode, 0, result.stderr)
                report = json.loads(result.stdout)
                tcp = report["tcp"]
                self.assertEqual(tcp["connections"], 3)
                self.assertGreaterEqual(tcp["retransmits"], 0)
                rtt = tcp["rtt_us"]
                self.assertGreater(rtt["p50"], 0)
                self.assertLess(rtt["max"], 1e6)  # loopback: well under a second
                self.assertLessEqual(tcp["min_rtt_us"], rtt["max"])
                self.assertGreaterEqual(tcp["rtt_var_us_mean"], 0)
                self.assertGreaterEqual(tcp["cwnd"]["min"], 1)
                self.assertLessEqual(tcp["cwnd"]["min"], tcp["cwnd"]["mean"])
                self.assertLessEqual(tcp["cwnd"]["mean"], tcp["cwnd"]["max"])
                [decoded] = hdr_read_encoded(rtt["histogram"]["hdr"])
                self.assertEqual(decoded["count"], 3)
                text = tcpecho("bench", "--port", str(server.port), "--mode", mode, "-c", "3",
                               "-d", "0.2", "--warmup", "0", timeout=60).stdout
                self.assertIn("  tcp         3 connections, ", text)

    def test_each_connection_comes_from_the_next_source_address(self):
        server = tcpecho_server("127.0.0.1")
        self.addCleanup(server.kill)
        result = tcpecho("bench", "--port", str(server.port), "--mode", "exchange", "-c", "3",
                         "-d", "0.5", "--warmup", "0", "--connect-rate", "20",
                         "--source", "127.0.0.2-127.0.0.4", "--json", timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        connects = json.loads(result.stdout)["connect"]["count"]
        self.assertGreaterEqual(connects, 3)
        peers = [ast.literal_eval(server.read_until_prefix("Connection from ")
                                  [len("Connection from "):])[0] for _ in range(connects)]
        # In turn: .2, .3, .4, .2, ...
        self.assertEqual(peers, [f"127.0.0.{2 + i % 3}" for i in range(connects)])

    def test_a_source_that_is_not_an_address_or_a_range_is_refused(self):
        for source in ("localhost", "127.0.0.5-127.0.0.2", "127.0.0.1-::1", "::1-2001:db8::1"):
            with self.subTest(source=source):
                result = tcpecho("bench", "--source", source, "-d", "0.1")
                self.assertEqual(result.returncode, 2, result)
                self.assertIn(f"--source: '{source}': ", result.stderr)

    def test_a_unix_socket_has_no_tcp_info(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "echo.sock")
            server = Server([TCPECHO, "serve", "--unix", path, "--mode", "echo", "--quiet"])
            self.addCleanup(server.kill)
            report = json.loads(tcpecho("bench", "--unix", path, "-c", "2", "-d", "0.2",
                                        "--warmup", "0", "--json", timeout=60).stdout)
            self.assertGreater(report["operations"], 0)
            self.assertIsNone(report["tcp"])


class Targets(unittest.TestCase):
    def test_connections_spread_over_the_targets_in_turn_reported_apart_and_in_all(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "echo.sock")
            log = os.path.join(folder, "run.hlog")
            tcp = tcpecho_server("127.0.0.1", "--mode", "echo")
            self.addCleanup(tcp.kill)
            local = Server([TCPECHO, "serve", "--unix", path, "--mode", "echo"])
            self.addCleanup(local.kill)
            targets = [f"127.0.0.1:{tcp.port}", f"unix:{path}"]
            result = tcpecho("bench", "--target", targets[0], "--target", targets[1], "-c", "4",
                             "--threads", "2", "-d", "0.4", "--warmup", "0", "--interval", "0.2",
                             "--hdr-log", log, "--json", timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            report = json.loads(result.stdout)
            # Connections 0 and 2 go to the first target, 1 and 3 to the second.
            for server in (tcp, local):
                for _ in range(2):
                    server.read_until_prefix("Connection from ")
            shares = report["targets"]
            self.assertEqual([s["target"] for s in shares], targets)
            for share in shares:
                self.assertGreater(share["operations"], 0)
                self.assertEqual(share["errors"], 0)
            self.assertEqual(sum(s["operations"] for s in shares), report["operations"])
            self.assertEqual(sum(s["bytes"] for s in shares), report["bytes"])
            # The .hlog has a line per target per interval, tagged with it.
            _, entries = hdr_read_log(log)
            self.assertEqual(sorted({e["tag"] for e in entries}), sorted(targets))
            for target, share in zip(targets, shares):
                self.assertEqual(sum(e["count"] for e in entries if e["tag"] == target),
                                 share["operations"])
            text = tcpecho("bench", "--target", targets[0], "--target", targets[1], "-c", "2",
                           "-d", "0.2", "--warmup", "0", timeout=60).stdout
            self.assertIn(": 2 targets, ", text.splitlines()[0])
            for target in targets:
                self.assertIn(f"  target {target}: ", text)

    def test_target_replaces_host_port_and_unix(self):
        for other in (["--port", "5"], ["--host", "127.0.0.1"], ["--unix", "/tmp/x.sock"]):
            with self.subTest(other=other):
                result = tcpecho("bench", "--target", "127.0.0.1:5", *other, "-d", "0.1")
                self.assertEqual(result.returncode, 2, result)
                self.assertIn("does not apply with --target", result.stderr)
        for spec in ("127.0.0.1", "::1:5", "unix:", "host:port-name-that-is-not-a-service"):
            with self.subTest(spec=spec):
                result = tcpecho("bench", "--target", spec, "-d", "0.1")
                self.assertEqual(result.returncode, 2, result)
                self.assertIn("--target", result.stderr)


if __name__ == "__main__":
    unittest.main()
