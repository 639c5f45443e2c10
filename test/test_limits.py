"""The server's limits as a real process: --max-connections is one limit for
every listening socket and thread, --length caps memory without allocating
it, --threads shares its port with nobody else, and the shutdown line counts
what every thread has in flight."""
import os
import signal
import socket
import sys
import unittest

from processes import TCPECHO, WAIT, Server, tcpecho, tcpecho_send, tcpecho_server

GREETING = b"Greetings, server"
REPLY = b"Goodbye, client!"


def connect(test, port, sending=b""):
    """A client connection to `port` that has sent `sending`, closed when
    `test` ends."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    test.addCleanup(s.close)
    s.sendall(sending)
    return s


def read_to_eof(sock):
    sock.settimeout(WAIT)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


class ConnectionLimit(unittest.TestCase):
    def test_a_listener_with_nobody_to_accept_does_not_hold_the_only_slot(self):
        # Two listening sockets, as systemd would pass them, and one slot.
        passed = []
        for _ in range(2):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen()
            self.addCleanup(s.close)
            passed.append(s)
        fds = [s.fileno() for s in passed]
        script = (f'exec 3<&{fds[0]} 4<&{fds[1]}; LISTEN_PID=$$ LISTEN_FDS=2 '
                  'exec "$0" serve --max-connections 1')
        server = Server(["sh", "-c", script, TCPECHO], pass_fds=fds)
        self.addCleanup(server.kill)
        # The second socket's clients are served as well as the first's.
        for s in [passed[1], passed[0], passed[1]]:
            client = tcpecho_send(s.getsockname()[1], "127.0.0.1", "--timeout", "5")
            self.assertEqual(client.returncode, 0, client.stderr)

    def test_the_limit_is_the_total_across_threads(self):
        server = tcpecho_server("127.0.0.1", "--threads", "4", "--max-connections", "1")
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        held = connect(self, server.port)
        server.read_until_prefix("  Socket peer: ")
        # These wait in the kernel's backlog while the one slot is taken, on
        # whichever thread's socket the kernel put them.
        waiting = []
        for _ in range(6):
            waiting.append(connect(self, server.port, GREETING))
            waiting[-1].shutdown(socket.SHUT_WR)
        held.close()
        for s in waiting:
            self.assertEqual(read_to_eof(s), REPLY)
        # One connection at a time: each is closed before the next is accepted.
        lines, closed = [], 0
        while closed < 7:
            line = server.next_line()
            lines.append(line)
            closed += line.startswith("  Closing socket")
        open_now = 0
        for line in lines:
            open_now += line.startswith("Connection from ") - line.startswith("  Closing socket")
            self.assertLessEqual(open_now, 1, "\n".join(lines))
        self.assertEqual(sum(line.startswith("Connection from ") for line in lines), 6)


class Memory(unittest.TestCase):
    def test_length_caps_memory_without_allocating_it(self):
        server = tcpecho_server("127.0.0.1", "--length", str(16 * 1024 * 1024), "--quiet")
        self.addCleanup(server.kill)
        before = server.peak_rss_kib()
        for _ in range(4):
            client = tcpecho_send(server.port, "127.0.0.1", "--message", "x", "--timeout", "5")
            self.assertEqual(client.returncode, 0, client.stderr)
        grown = server.peak_rss_kib() - before
        print(f"\n--length 16 MiB, 4 one-byte messages: peak RSS grew {grown} KiB",
              file=sys.stderr)
        self.assertLess(grown, 4 * 1024)


    @unittest.skipIf(os.environ.get("TCPECHO_SANITIZERS", "none") != "none",
                     "a sanitizer's runtime adds memory of its own to every allocation")
    def test_quiet_connections_hold_no_buffer(self):
        # Each echoes 16 bytes once, then stays quiet: what it holds then is
        # its socket's bookkeeping, its coroutine and the read it waits in,
        # whose inbox is a few hundred bytes: no read buffer of its own (that
        # would be 4 KiB or more). The target itself, and the figures, are
        # compare.py's idle rows (doc/performance.md).
        server = tcpecho_server("127.0.0.1", "--mode", "echo", "--quiet", "--timeout", "0")
        self.addCleanup(server.kill)
        count = 1000
        before = server.rss_kib()
        clients = []
        for i in range(count):
            clients.append(connect(self, server.port, b"%016d" % i))
        for i, s in enumerate(clients):
            got = b""
            while len(got) < 16:
                got += s.recv(16 - len(got))
            self.assertEqual(got, b"%016d" % i)
        per_connection = (server.rss_kib() - before) * 1024 / count
        print(f"\n{count} quiet echo connections: {per_connection:.0f} bytes each",
              file=sys.stderr)
        self.assertLess(per_connection, 4096)


class Threads(unittest.TestCase):
    def test_another_process_on_the_port_is_address_in_use(self):
        with socket.socket() as other:
            # Even one that would share the port.
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            other.bind(("127.0.0.1", 0))
            other.listen()
            port = other.getsockname()[1]
            result = tcpecho("serve", "--threads", "2", "--port", str(port))
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stderr, f"tcpecho: cannot listen on 127.0.0.1 port {port}: "
                                        "Address already in use\n")

    def test_a_second_multi_threaded_server_on_the_port_is_refused(self):
        first = tcpecho_server("127.0.0.1", "--threads", "2")
        self.addCleanup(first.kill)
        second = tcpecho("serve", "--threads", "2", "--port", str(first.port))
        self.assertEqual(second.returncode, 6)
        self.assertEqual(second.stderr, f"tcpecho: cannot listen on 127.0.0.1 port "
                                        f"{first.port}: Address already in use\n")
        # The first still answers, on both its threads' sockets.
        for _ in range(4):
            self.assertEqual(tcpecho_send(first.port, "127.0.0.1").returncode, 0)

    def test_the_shutdown_line_counts_every_threads_exchanges(self):
        server = tcpecho_server("127.0.0.1", "--threads", "4", "--grace", "0.5")
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        clients = []
        for _ in range(8):
            clients.append(connect(self, server.port, GREETING[:5]))  # begun, not finished
        for _ in clients:
            server.read_until_prefix("  Socket peer: ")
        server.process.send_signal(signal.SIGINT)
        self.assertEqual(server.read_until_prefix("Shutting down"),
                         "Shutting down (SIGINT): 8 exchanges in progress, up to 0.5s to finish")
        # The grace period cuts the unfinished exchanges; the server exits.
        self.assertEqual(server.process.wait(timeout=WAIT), 0)


if __name__ == "__main__":
    unittest.main()
