"""serve --metrics: /metrics counted from real traffic (two listeners, two
threads, refusals, TLS handshakes, a failed one), checked by promtool and
scraped by a real Prometheus server, whose query API then reports up == 1
and the exchanges made; the option's mistakes refused."""
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from processes import TCPECHO, WAIT, Server, listening_at, mute_listener, seed_send, tcpecho

TLS = os.environ.get("TCPECHO_TLS", "1") == "1"
BUILT_WITH_METRICS = os.environ.get("TCPECHO_METRICS", "1") == "1"
SAMPLE = re.compile(r"([a-z_]+)(\{.*\})? (\S+)")


def scrape(url):
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        return response.read().decode()


def samples(text):
    """{(name, frozenset of labels): value} from the text format."""
    found = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        name, labels, value = SAMPLE.fullmatch(line).groups()
        pairs = re.findall(r'(\w+)="([^"]*)"', labels or "")
        found[(name, frozenset(pairs))] = float(value)
    return found


def value(found, name, **labels):
    return found[(name, frozenset(labels.items()))]


def exchange(port, data, source="127.0.0.1"):
    with socket.socket() as client:
        client.settimeout(WAIT)
        client.bind((source, 0))
        client.connect(("127.0.0.1", port))
        received = b""
        try:
            client.sendall(data)
            client.shutdown(socket.SHUT_WR)
            while chunk := client.recv(65536):
                received += chunk
        except OSError:
            pass  # a refused client may find the connection gone mid-write
        return received


@unittest.skipUnless(BUILT_WITH_METRICS, "built without prometheus-cpp")
class Metrics(unittest.TestCase):
    def serve(self, *args):
        server = Server([TCPECHO, "serve", "--metrics", "127.0.0.1:0", *args])
        self.addCleanup(server.kill)
        lines = [server.transcript[0]] + server.read_until("Waiting for a new connection")[:-1]
        metrics = [line for line in lines if line.startswith("Metrics at ")]
        self.assertEqual(len(metrics), 1, lines)
        url = metrics[0][len("Metrics at "):]
        listeners = [listening_at(line)[0] for line in lines if line.startswith("Listening")]
        return server, url, listeners

    def settled(self, url, connections):
        """The samples once `connections` have closed and none is open: a
        connection's close follows its client's last byte."""
        deadline = time.monotonic() + WAIT
        while True:
            found = samples(scrape(url))
            closed = value(found, "tcpecho_connection_duration_seconds_count")
            if closed >= connections and value(found, "tcpecho_connections_open") == 0:
                return found
            self.assertLess(time.monotonic(), deadline, f"{closed} of {connections} closed")

    def test_traffic_on_two_listeners_and_two_threads_is_counted(self):
        server, url, listeners = self.serve(
            "--threads", "2", "--deny", "127.0.0.2", "--listen", "127.0.0.1:0",
            "--listen", "127.0.0.1:0,mode=echo", "--listen", "127.0.0.1:0,proxy-protocol")
        reply_port, echo_port, proxy_port = (address[1] for address in listeners)
        for _ in range(5):
            self.assertIn("b'Goodbye, client!'", seed_send(reply_port).stdout)
        data = os.urandom(200_000)
        self.assertEqual(exchange(echo_port, data), data)
        self.assertEqual(exchange(reply_port, b"denied", source="127.0.0.2"), b"")
        self.assertEqual(exchange(proxy_port, b"no header here\r\n"), b"")

        found = self.settled(url, 7)
        labels = [f"127.0.0.1:{port}" for port in (reply_port, echo_port, proxy_port)]
        self.assertEqual([value(found, "tcpecho_connections_accepted_total", listener=label)
                          for label in labels], [5, 1, 1])
        self.assertEqual(value(found, "tcpecho_exchanges_total", mode="reply", outcome="ok"), 5)
        self.assertEqual(value(found, "tcpecho_exchanges_total", mode="echo", outcome="ok"), 1)
        self.assertEqual(value(found, "tcpecho_bytes_received_total"), 5 * 17 + len(data))
        self.assertEqual(value(found, "tcpecho_bytes_sent_total"), 5 * 16 + len(data))
        self.assertEqual(value(found, "tcpecho_connections_refused_total", reason="deny"), 1)
        self.assertEqual(value(found, "tcpecho_connections_refused_total", reason="proxy"), 1)
        self.assertEqual(value(found, "tcpecho_connection_duration_seconds_count"), 7)
        self.assertEqual(value(found, "tcpecho_accept_errors_total"), 0)
        info = [labels for (name, labels) in found if name == "tcpecho_build_info"]
        self.assertEqual(dict(info[0])["version"], os.environ.get("TCPECHO_VERSION", "0.1.0"))

    @unittest.skipUnless(TLS, "built without TLS")
    def test_tls_handshakes_full_resumed_and_failed_are_counted(self):
        server, url, [address] = self.serve("--port", "0", "--tls")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.maximum_version = ssl.TLSVersion.TLSv1_2  # a session at once, to resume
        session = None
        for _ in range(2):
            with socket.create_connection(address, timeout=WAIT) as raw:
                with context.wrap_socket(raw, session=session) as tls:
                    tls.sendall(b"Greetings, server")
                    while tls.recv(1024):
                        pass
                    session = tls.session
        self.assertEqual(exchange(address[1], b"not a client hello" * 10), b"")
        found = self.settled(url, 3)
        self.assertEqual(value(found, "tcpecho_tls_handshakes_total", resumed="false"), 1)
        self.assertEqual(value(found, "tcpecho_tls_handshakes_total", resumed="true"), 1)
        self.assertEqual(value(found, "tcpecho_tls_handshake_failures_total"), 1)

    @unittest.skipUnless(shutil.which("promtool"), "needs promtool (Debian prometheus)")
    def test_promtool_finds_the_exposition_valid(self):
        server, url, [address] = self.serve("--port", "0")
        seed_send(address[1])
        self.settled(url, 1)
        check = subprocess.run(["promtool", "check", "metrics"], input=scrape(url),
                               capture_output=True, text=True, timeout=WAIT)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    @unittest.skipUnless(shutil.which("prometheus"), "needs prometheus (Debian prometheus)")
    def test_a_prometheus_server_scrapes_it_and_reports_the_exchanges(self):
        server, url, [address] = self.serve("--port", "0")
        for _ in range(3):
            seed_send(address[1])
        self.settled(url, 3)
        query = self.prometheus(urllib.parse.urlsplit(url).netloc)
        deadline = time.monotonic() + 60
        while True:
            up = query('up{job="tcpecho"}')
            done = query('tcpecho_exchanges_total{mode="reply",outcome="ok"}')
            if up == ["1"] and done == ["3"]:
                break
            self.assertLess(time.monotonic(), deadline, f"up {up}, exchanges {done}")

    def prometheus(self, target):
        """A Prometheus server scraping `target` every second; returns a
        function that asks its query API for an expression's values."""
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        config = os.path.join(folder.name, "prometheus.yml")
        with open(config, "w") as out:
            out.write("global:\n  scrape_interval: 1s\n"
                      f"scrape_configs:\n  - job_name: tcpecho\n"
                      f"    static_configs:\n      - targets: ['{target}']\n")
        with socket.socket() as probe:  # a free port for its web listener
            probe.bind(("127.0.0.1", 0))
            web = f"127.0.0.1:{probe.getsockname()[1]}"
        process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--web.listen-address={web}",
             f"--storage.tsdb.path={folder.name}/data"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop, process)
        for line in process.stderr:  # bounded: it logs readiness, or exits
            if "Server is ready to receive web requests" in line:
                break
        else:
            self.fail("prometheus exited before it was ready")

        def query(expression):
            answer = json.loads(scrape(f"http://{web}/api/v1/query?query=" +
                                       urllib.parse.quote(expression)))
            return [sample["value"][1] for sample in answer["data"]["result"]]
        return query

    @staticmethod
    def stop(process):
        process.kill()
        process.wait(timeout=WAIT)
        process.stderr.close()

    def test_the_json_log_says_where_metrics_are(self):
        process = subprocess.Popen([TCPECHO, "serve", "--port", "0", "--log-format", "json",
                                    "--metrics", "127.0.0.1:0"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(process.wait, WAIT)
        self.addCleanup(process.kill)
        self.addCleanup(process.stdout.close)
        lines = [json.loads(process.stdout.readline()) for _ in range(2)]
        self.assertEqual(lines[1]["event"], "metrics")
        self.assertRegex(lines[1]["url"], r"^http://127\.0\.0\.1:\d+/metrics$")
        self.assertIn("tcpecho_build_info", scrape(lines[1]["url"]))


class Mistakes(unittest.TestCase):
    @unittest.skipIf(BUILT_WITH_METRICS, "built with prometheus-cpp")
    def test_a_build_without_metrics_refuses_the_option(self):
        result = tcpecho("serve", "--port", "0", "--metrics", "127.0.0.1:0")
        self.assertEqual(result.returncode, 2)
        self.assertIn("built without metrics", result.stderr)

    def test_an_address_and_port_are_required(self):
        for where in ("localhost:9100", "127.0.0.1", "[::1]", "127.0.0.1:http-x"):
            with self.subTest(where=where):
                result = tcpecho("serve", "--metrics", where)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn("--metrics", result.stderr.splitlines()[0])

    @unittest.skipUnless(BUILT_WITH_METRICS, "built without prometheus-cpp")
    def test_a_port_in_use_is_exit_6_and_leaves_no_socket_file(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, "serve.sock")
        with mute_listener() as taken:  # the port is in use
            port = taken.getsockname()[1]
            result = tcpecho("serve", "--unix", path, "--metrics", f"127.0.0.1:{port}")
        self.assertEqual(result.returncode, 6, result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn(f"127.0.0.1:{port} (--metrics): Address already in use", result.stderr)
        self.assertFalse(os.path.exists(path))


if __name__ == "__main__":
    unittest.main()
