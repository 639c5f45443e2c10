"""End-to-end: the built binary as server and client, in separate processes,
over loopback."""
import os
import resource
import signal
import socket
import struct
import subprocess
import unittest

from processes import (TCPECHO, WAIT, assigned_socket, mute_listener, refusing_port,
                       seed_block, tcpecho, tcpecho_send, tcpecho_server)

GREETING = b"Greetings, server"
REPLY = b"Goodbye, client!"


class ServerTestCase(unittest.TestCase):
    def start(self, *args, host="127.0.0.1"):
        server = tcpecho_server(host, *args)
        self.addCleanup(server.kill)
        self.assertEqual(server.read_until("Waiting for a new connection"),
                         ["Waiting for a new connection"])
        return server


class SeedTranscript(ServerTestCase):
    def test_two_clients_one_after_another(self):
        server = self.start()
        self.assertEqual(server.transcript[0], f"Listening at ('127.0.0.1', {server.port})")
        for _ in range(2):
            client = tcpecho_send(server.port)
            self.assertEqual(client.returncode, 0, client.stderr)
            self.assertEqual(client.stderr, "")
            me = assigned_socket(client.stdout)
            self.assertEqual(me[0], "127.0.0.1")
            self.assertEqual(client.stdout,
                             f"Client has been assigned the socket:  {me}\n"
                             "Server:  b'Goodbye, client!'\n")
            self.assertEqual(server.read_until("Waiting for a new connection"),
                             seed_block(server.address, me))

    def test_addresses_as_nc_users_type_them(self):
        server = self.start(host="::1")
        for args in (["--host", f"[::1]:{server.port}"], ["-6", "--port", str(server.port)]):
            with self.subTest(args=args):
                client = tcpecho("send", *args)
                self.assertEqual(client.returncode, 0, client.stderr)
                self.assertEqual(assigned_socket(client.stdout)[0], "::1")
        refused = tcpecho("send", "-4", "--host", "::1", "--port", str(server.port))
        self.assertEqual(refused.returncode, 3)
        self.assertEqual(refused.stderr,
                         f"tcpecho: cannot resolve ::1 port {server.port}: no IPv4 address\n")

    def test_a_port_by_its_service_name(self):
        # /etc/services: echo is 7. Nothing need listen there to see it used.
        result = tcpecho("send", "--port", "echo", "--timeout", "2")
        self.assertIn("127.0.0.1 port 7", result.stderr)

    def test_ipv6(self):
        server = self.start(host="::1")
        self.assertEqual(server.address, ("::1", server.port, 0, 0))
        client = tcpecho_send(server.port, "::1")
        self.assertEqual(client.returncode, 0, client.stderr)
        me = assigned_socket(client.stdout)
        self.assertEqual((me[0], me[2], me[3]), ("::1", 0, 0))
        self.assertEqual(server.read_until("Waiting for a new connection"),
                         seed_block(server.address, me))


class Concurrency(ServerTestCase):
    def test_200_clients_at_once_while_one_stays_silent(self):
        server = self.start()
        silent = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        self.addCleanup(silent.close)
        clients = [socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
                   for _ in range(200)]
        for client in clients:
            self.addCleanup(client.close)
            client.sendall(GREETING)
        for client in clients:
            self.assertEqual(read_to_eof(client), REPLY)
        silent.sendall(GREETING)
        self.assertEqual(read_to_eof(silent), REPLY)
        status, rest, errors = server.stop()
        self.assertEqual(status, 0)
        self.assertEqual(errors, "")


class Signals(ServerTestCase):
    def check_clean_stop(self, signum):
        # A grace longer than stop()'s bounded wait: a server that waited for
        # it, though nothing is in flight, fails the test.
        server = self.start("--grace", "60")
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        self.addCleanup(idle.close)
        client = tcpecho_send(server.port)
        self.assertEqual(client.returncode, 0)
        server.read_until("  Closing socket")
        status, rest, errors = server.stop(signum)
        self.assertEqual(status, 0)
        self.assertEqual(errors, "")
        name = signal.Signals(signum).name
        self.assertIn(f"Shutting down ({name}): 0 exchanges in progress, up to 60s to finish",
                      rest)
        self.assertEqual(idle.recv(1), b"")  # the idle client was closed, not left hanging

    def test_sigint(self):
        self.check_clean_stop(signal.SIGINT)

    def test_sigterm(self):
        self.check_clean_stop(signal.SIGTERM)

    def test_sighup_of_a_closed_terminal(self):
        self.check_clean_stop(signal.SIGHUP)

    def test_drain_then_second_signal_cuts_short(self):
        server = self.start("--grace", "60")
        busy = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        self.addCleanup(busy.close)
        busy.sendall(GREETING[:5])
        server.read_until(f"  Socket peer: {busy.getsockname()}")
        server.process.send_signal(signal.SIGTERM)
        server.read_until("Shutting down (SIGTERM): 1 exchange in progress, up to 60s to finish")
        # Within stop()'s bound, far less than the 60 s grace.
        status, rest, errors = server.stop(signal.SIGINT)
        self.assertEqual(status, 128 + signal.SIGINT)
        self.assertEqual(read_to_eof(busy), b"")


class ErrorExits(unittest.TestCase):
    def test_port_in_use(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = tcpecho("serve", "--port", str(port))
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr,
                         f"tcpecho: cannot listen on 127.0.0.1 port {port}: "
                         "Address already in use\n")

    def test_connection_refused(self):
        with refusing_port() as closed:
            port = closed.getsockname()[1]
            result = tcpecho_send(port)
        self.assertEqual(result.returncode, 4)
        self.assertEqual(result.stderr,
                         f"tcpecho: cannot connect to 127.0.0.1 port {port}: "
                         "Connection refused\n")

    def test_a_transcript_that_cannot_be_written_fails_the_exchange(self):
        server = tcpecho_server()
        self.addCleanup(server.kill)
        with open("/dev/full", "w") as full:
            result = subprocess.run([TCPECHO, "send", "--port", str(server.port)], stdout=full,
                                    stderr=subprocess.PIPE, text=True, timeout=WAIT)
        self.assertEqual(result.returncode, 8)
        self.assertEqual(result.stderr, "tcpecho: cannot write to standard output: No space "
                                        "left on device (2 lines not written)\n")

    @unittest.skipIf(os.environ.get("TCPECHO_SANITIZERS", "none") != "none",
                     "a sanitizer's runtime needs descriptors of its own: out of them, UBSan "
                     "reports a false error")
    def test_out_of_file_descriptors_says_so(self):
        # Six descriptors: the three standard ones and the event loop's three
        # leave none for the socket.
        with mute_listener() as listener:
            port = listener.getsockname()[1]
            result = subprocess.run(
                [TCPECHO, "send", "--port", str(port)], capture_output=True, text=True,
                timeout=WAIT,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (6, 6)))
        self.assertEqual(result.returncode, 4)
        self.assertEqual(result.stderr, f"tcpecho: cannot connect to 127.0.0.1 port {port}: "
                                        "Too many open files\n")

    def test_unknown_host(self):
        result = tcpecho_send(3000, "no-such-host.invalid")
        self.assertEqual(result.returncode, 3)
        self.assertEqual(len(result.stderr.splitlines()), 1)
        self.assertTrue(result.stderr.startswith(
            "tcpecho: cannot resolve no-such-host.invalid port 3000: "), result.stderr)

    def test_reset_by_server(self):
        with socket.socket() as rude:
            rude.bind(("127.0.0.1", 0))
            rude.listen()
            port = rude.getsockname()[1]
            with subprocess_send(port) as client:
                connection, _ = rude.accept()
                connection.recv(17)
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
                connection.close()
                client.wait(timeout=WAIT)
                self.assertEqual(client.returncode, 5)
                self.assertEqual(client.stderr.read(),
                                 f"tcpecho: exchange failed with 127.0.0.1 port {port}: "
                                 "Connection reset by peer\n")

    def test_timeout_waiting_for_reply(self):
        with mute_listener() as mute:
            port = mute.getsockname()[1]
            result = tcpecho_send(port, "127.0.0.1", "--timeout", "0.3")
        self.assertEqual(result.returncode, 5)
        self.assertEqual(result.stderr, "tcpecho: timed out after 0.3s waiting for the reply "
                                        f"from 127.0.0.1 port {port}\n")


def subprocess_send(port):
    return subprocess.Popen([TCPECHO, "send", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_to_eof(sock):
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


if __name__ == "__main__":
    unittest.main()
