"""serve --proxy-protocol: PROXY protocol v1 and v2 headers made by hand
(every valid kind, every bad one, split across writes, over IPv4 and IPv6),
--proxy-from, and HAProxy itself in front with send-proxy and
send-proxy-v2, plain and TLS, for the seed's client, tcpecho send and bench."""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import unittest

from processes import SEED_CLIENT, WAIT, Server, assigned_socket, run, tcpecho, tcpecho_server

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
GREETING = b"Greetings, server"


def v2_header(command=1, family=1, transport=1, block=b"", tlvs=b"", version=2):
    body = block + tlvs
    return (V2_SIGNATURE + bytes([version << 4 | command, family << 4 | transport]) +
            struct.pack("!H", len(body)) + body)


def v2_inet(source, port, tlvs=b""):
    block = socket.inet_pton(socket.AF_INET, source) + socket.inet_pton(
        socket.AF_INET, "10.0.0.1") + struct.pack("!HH", port, 443)
    return v2_header(block=block, tlvs=tlvs)


def v2_inet6(source, port):
    block = socket.inet_pton(socket.AF_INET6, source) + socket.inet_pton(
        socket.AF_INET6, "2001:db8::1") + struct.pack("!HH", port, 443)
    return v2_header(family=2, block=block)


def tlv(kind, value):
    return bytes([kind]) + struct.pack("!H", len(value)) + value


def exchange(server, data, pieces=1, host="127.0.0.1"):
    """Sends `data` (in `pieces` writes), half-closes, returns what came
    back before the server's end, and the client's own address."""
    with socket.create_connection((host, server.port), timeout=WAIT) as client:
        own = client.getsockname()
        received = b""
        try:
            size = -(-len(data) // pieces)
            for start in range(0, len(data), size):
                client.sendall(data[start:start + size])
            client.shutdown(socket.SHUT_WR)
            while chunk := client.recv(4096):
                received += chunk
        except OSError:
            pass  # a refused client may find the connection gone mid-write
        return received, own


class ProxyTestCase(unittest.TestCase):
    def serve(self, *args, host="127.0.0.1"):
        server = tcpecho_server(host, "--proxy-protocol", *args)
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        return server

    def assert_proxied(self, server, header, client, pieces=1, host="127.0.0.1"):
        received, own = exchange(server, header + GREETING, pieces, host)
        self.assertEqual(received, b"Goodbye, client!")
        block = server.read_until("Waiting for a new connection")
        self.assertEqual(block[0], f"Connection from {client}")
        self.assertEqual(block[1], f"  Socket name: {server.address}")
        self.assertEqual(block[2], f"  Socket peer: {own}")
        self.assertEqual(block[3], f"  message from client: {GREETING!r}")

    def assert_refused(self, server, data, reason, pieces=1):
        received, own = exchange(server, data, pieces)
        self.assertEqual(received, b"")
        self.assertEqual(server.read_until("Waiting for a new connection"),
                         [f"Closing connection from {own}: {reason}",
                          "Waiting for a new connection"])


class Headers(ProxyTestCase):
    def test_version_1_names_the_client_and_the_socket_peer_stays_the_proxy(self):
        server = self.serve()
        self.assert_proxied(server, b"PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n",
                            ("192.0.2.7", 56324))
        self.assert_proxied(server, b"PROXY TCP6 2001:db8::5 2001:db8::1 40000 443\r\n",
                            ("2001:db8::5", 40000, 0, 0))

    def test_a_header_in_pieces_and_one_with_the_message_behind_it_both_count(self):
        server = self.serve()
        self.assert_proxied(server, b"PROXY TCP4 192.0.2.8 10.0.0.1 1 443\r\n",
                            ("192.0.2.8", 1), pieces=40)
        self.assert_proxied(server, v2_inet("192.0.2.9", 2), ("192.0.2.9", 2), pieces=30)

    def test_unknown_and_local_mean_the_connections_own_peer(self):
        server = self.serve()
        for header in (b"PROXY UNKNOWN\r\n", b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
                       v2_header(command=0, family=1, block=bytes(12)),
                       v2_header(command=1, family=0)):
            received, own = exchange(server, header + GREETING)
            self.assertEqual(received, b"Goodbye, client!")
            block = server.read_until("Waiting for a new connection")
            self.assertEqual(block[0], f"Connection from {own}")
            self.assertEqual(block[3], f"  message from client: {GREETING!r}")

    def test_version_2_over_ipv6_with_tlvs_skipped_by_their_lengths(self):
        server = self.serve(host="::1")
        self.assert_proxied(server, v2_inet6("2001:db8::7", 4000), ("2001:db8::7", 4000, 0, 0),
                            host="::1")
        tlvs = tlv(0x01, b"h2") + tlv(0x02, b"example.com") + tlv(0x04, b"")
        self.assert_proxied(server, v2_inet("198.51.100.3", 5000, tlvs), ("198.51.100.3", 5000),
                            host="::1")

    def test_every_bad_header_closes_its_connection_with_one_line_and_nothing_else(self):
        server = self.serve()
        v1_too_long = b"PROXY TCP4 " + b"1" * 120 + b"\r\n"
        cases = [
            (b"GET / HTTP/1.0\r\n\r\n", "no PROXY protocol header"),
            (GREETING, "no PROXY protocol header"),
            (b"PROXY TCP4 192.0.2.7\r\n", "malformed PROXY header"),
            (b"PROXY TCP4 192.0.2.7 10.0.0.1 056324 443\r\n", "malformed PROXY header"),
            (b"PROXY TCP4 2001:db8::1 10.0.0.1 1 443\r\n", "malformed PROXY header"),
            (b"PROXY UDP4 192.0.2.7 10.0.0.1 1 443\r\n", "unknown address family in PROXY header"),
            (v1_too_long, "PROXY header too long"),
            (b"PROXY TCP4 192.0.2.7 10.0.0.1", "connection ended inside its PROXY header"),
            (v2_header(version=3), "unknown PROXY protocol version"),
            (v2_header(command=2), "unknown PROXY protocol command"),
            (v2_header(family=4, block=bytes(12)), "unknown address family in PROXY header"),
            (v2_header(transport=2, block=bytes(12)), "unknown address family in PROXY header"),
            (v2_header(block=bytes(11)), "malformed PROXY header"),
            (v2_header(block=bytes(12), tlvs=b"\x01\x00\x05ab"), "malformed PROXY header"),
            (v2_header(block=bytes(600)), "PROXY header too long"),
            (V2_SIGNATURE + b"\x21\x11\x00\x0c" + bytes(5), "connection ended inside its PROXY header"),
        ]
        for data, reason in cases:
            with self.subTest(data=data):
                self.assert_refused(server, data, reason)
        # And the next client is served as ever.
        self.assert_proxied(server, v2_inet("192.0.2.10", 10), ("192.0.2.10", 10))

    def test_a_client_that_sends_no_header_is_closed_at_the_timeout(self):
        server = self.serve("--timeout", "1")
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as client:
            client.sendall(b"PROXY ")
            self.assertEqual(client.recv(100), b"")
            own = client.getsockname()
        self.assertEqual(server.read_until("Waiting for a new connection")[0],
                         f"Closing connection from {own}: timed out after 1s")

    def test_proxy_from_refuses_every_other_address_before_reading(self):
        server = self.serve("--proxy-from", "10.0.0.0/8", "--proxy-from", "2001:db8::/32")
        received, own = exchange(server, v2_inet("192.0.2.7", 1) + GREETING)
        self.assertEqual(received, b"")
        self.assertEqual(server.read_until("Waiting for a new connection")[0],
                         f"Refused connection from {own}: not a --proxy-from address")
        allowed = self.serve("--proxy-from", "10.0.0.0/8", "--proxy-from", "127.0.0.0/8")
        self.assert_proxied(allowed, v2_inet("192.0.2.7", 1), ("192.0.2.7", 1))

    def test_options_are_checked_where_they_are_written(self):
        bad = tcpecho("serve", "--proxy-protocol", "--proxy-from", "10.0.0.0/33")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--proxy-from", bad.stderr)
        self.assertIn("0 to 32", bad.stderr)
        alone = tcpecho("serve", "--proxy-from", "10.0.0.0/8")
        self.assertEqual(alone.returncode, 2)
        self.assertIn("--proxy-protocol", alone.stderr)


def listening_socket():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


@unittest.skipUnless(shutil.which("haproxy"), "needs haproxy")
class BehindHaproxy(ProxyTestCase):
    """HAProxy listens on sockets this test made (fd@), so that it is ready
    the moment it starts: clients wait in their backlog until it accepts."""

    def haproxy(self, server, *, tls=False):
        fronts = {"v1": listening_socket(), "v2": listening_socket()}
        for front in fronts.values():
            self.addCleanup(front.close)
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        config = os.path.join(folder.name, "haproxy.cfg")
        with open(config, "w") as out:
            out.write("global\n  maxconn 64\n"
                      "defaults\n  mode tcp\n  timeout connect 5s\n"
                      "  timeout client 10s\n  timeout server 10s\n")
            for name, send in (("v1", "send-proxy"), ("v2", "send-proxy-v2")):
                out.write(f"frontend {name}\n  bind fd@{fronts[name].fileno()}\n"
                          f"  default_backend to_{name}\n"
                          f"backend to_{name}\n"
                          f"  server tcpecho 127.0.0.1:{server.port} {send}\n")
        proxy = subprocess.Popen(["haproxy", "-db", "-f", config],
                                 pass_fds=[front.fileno() for front in fronts.values()],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self.stop, proxy)
        return {name: front.getsockname()[1] for name, front in fronts.items()}

    @staticmethod
    def stop(proxy):
        proxy.kill()
        proxy.wait(timeout=WAIT)
        proxy.stderr.close()

    def test_the_seed_client_through_send_proxy_and_send_proxy_v2(self):
        server = self.serve()
        for name, port in self.haproxy(server).items():
            with self.subTest(name):
                client = run([*SEED_CLIENT, "127.0.0.1", str(port)])
                self.assertEqual(client.returncode, 0, client.stderr)
                self.assertTrue(client.stdout.endswith("Server:  b'Goodbye, client!'\n"))
                block = server.read_until("Waiting for a new connection")
                self.assertEqual(block[0], f"Connection from {assigned_socket(client.stdout)}")
                self.assertNotEqual(block[2], f"  Socket peer: {assigned_socket(client.stdout)}")
                self.assertEqual(block[3], f"  message from client: {GREETING!r}")

    def test_tls_behind_the_header_and_bench_through_it(self):
        server = tcpecho_server("127.0.0.1", "--proxy-protocol", "--tls", "--mode", "echo")
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        for name, port in self.haproxy(server).items():
            with self.subTest(name):
                sent = tcpecho("send", "--port", str(port), "--tls", "--tls-insecure",
                               "--message", "hello through haproxy",
                               "--expect", "hello through haproxy")
                self.assertEqual(sent.returncode, 0, sent.stderr)
                # Its line, after those of the connections before it.
                server.read_until(f"Connection from {assigned_socket(sent.stdout)}")
                bench = tcpecho("bench", "--port", str(port), "--tls", "--tls-insecure",
                                "-c", "4", "-d", "1", "--warmup", "0", timeout=WAIT + 5)
                self.assertEqual(bench.returncode, 0, bench.stderr)
                self.assertRegex(bench.stdout, r"errors\s+none")


if __name__ == "__main__":
    unittest.main()
