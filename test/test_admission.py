"""serve --deny, --allow and --max-per-client, with clients bound to other
loopback addresses (127.0.0.2, ...) and, behind --proxy-protocol, clients
named by a PROXY header (IPv6 ones counted by their /64); refused
connections hold no --max-connections slot, and a flood of them costs the
log one line."""
import signal
import socket
import struct
import unittest

from processes import WAIT, tcpecho, tcpecho_server

GREETING = b"Greetings, server"


def connect(server, source="127.0.0.1"):
    client = socket.socket()
    client.settimeout(WAIT)
    client.bind((source, 0))
    client.connect(("127.0.0.1", server.port))
    return client


def refused(client):
    """True if the server closed the connection without a byte."""
    try:
        with client:
            return client.recv(100) == b""
    except ConnectionResetError:
        return True


def answered(client, header=b""):
    with client:
        client.sendall(header + GREETING)
        client.shutdown(socket.SHUT_WR)
        return client.recv(100) == b"Goodbye, client!"


def v2_header(source, port=1):
    family, size = (socket.AF_INET6, 0x21) if ":" in source else (socket.AF_INET, 0x11)
    other = "::1" if ":" in source else "127.0.0.1"
    block = (socket.inet_pton(family, source) + socket.inet_pton(family, other) +
             struct.pack("!HH", port, 3000))
    return (b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, size]) + struct.pack("!H", len(block)) +
            block)


class Admission(unittest.TestCase):
    def serve(self, *args):
        server = tcpecho_server("127.0.0.1", "--quiet", *args)
        self.addCleanup(server.kill)
        return server

    def errors_at_exit(self, server):
        status, _, errors = server.stop(signal.SIGTERM)
        self.assertEqual(status, 0, errors)
        return [line for line in errors.splitlines() if "refused" in line]

    def test_deny_refuses_its_block_unread_and_tells_once_for_a_flood(self):
        server = self.serve("--deny", "127.0.0.2/32")
        clients = [connect(server, "127.0.0.2") for _ in range(30)]
        self.assertTrue(all(refused(client) for client in clients))
        self.assertTrue(answered(connect(server)))
        told = self.errors_at_exit(server)
        self.assertEqual(len(told), 1, told)
        self.assertRegex(told[0], r"^tcpecho: refused connection from \('127\.0\.0\.2', \d+\): "
                                  r"--deny names it$")

    def test_allow_refuses_every_block_it_does_not_name(self):
        server = self.serve("--allow", "127.0.0.3", "--allow", "10.0.0.0/8")
        self.assertTrue(refused(connect(server)))
        self.assertTrue(answered(connect(server, "127.0.0.3")))
        self.assertEqual(len(self.errors_at_exit(server)), 1)

    def test_deny_wins_over_allow(self):
        server = self.serve("--allow", "127.0.0.0/8", "--deny", "127.0.0.4")
        self.assertTrue(refused(connect(server, "127.0.0.4")))
        self.assertTrue(answered(connect(server, "127.0.0.5")))

    def test_max_per_client_counts_open_connections_and_frees_them_at_their_end(self):
        server = self.serve("--max-per-client", "2")
        held = [connect(server, "127.0.0.6") for _ in range(2)]
        # Both are accepted once a third from elsewhere has been served.
        self.assertTrue(answered(connect(server, "127.0.0.7")))
        self.assertTrue(refused(connect(server, "127.0.0.6")))
        self.assertTrue(answered(held.pop()))
        self.assertTrue(answered(connect(server, "127.0.0.6")))
        self.assertTrue(answered(held.pop()))
        told = self.errors_at_exit(server)
        self.assertEqual(len(told), 1, told)
        self.assertIn("already 2 connections open from it (--max-per-client)", told[0])

    def test_a_refused_connection_holds_no_slot(self):
        server = self.serve("--max-connections", "1", "--deny", "127.0.0.8")
        for _ in range(20):
            self.assertTrue(refused(connect(server, "127.0.0.8")))
        # Were a slot still held, this client would wait in the backlog.
        self.assertTrue(answered(connect(server)))

    def test_behind_a_proxy_the_client_the_header_names_is_judged(self):
        server = tcpecho_server("127.0.0.1", "--proxy-protocol", "--deny", "192.0.2.0/24",
                                "--max-per-client", "1")
        self.addCleanup(server.kill)
        self.assertTrue(refused_after(connect(server), v2_header("192.0.2.7")))
        self.assertTrue(answered(connect(server), v2_header("198.51.100.1")))
        # IPv6 clients count by their /64.
        first = connect(server)
        first.sendall(v2_header("2001:db8::1"))
        server.read_until("Connection from ('2001:db8::1', 1, 0, 0)")
        self.assertTrue(answered(connect(server), v2_header("2001:db8:0:1::1")))
        self.assertTrue(refused_after(connect(server), v2_header("2001:db8::2")))
        self.assertTrue(answered(first))

    def test_blocks_are_checked_where_they_are_written(self):
        for option in ("--deny", "--allow"):
            bad = tcpecho("serve", option, "127.0.0.1/40")
            self.assertEqual(bad.returncode, 2)
            self.assertIn(option, bad.stderr)


def refused_after(client, header):
    try:
        client.sendall(header)
    except OSError:
        pass
    return refused(client)


if __name__ == "__main__":
    unittest.main()
