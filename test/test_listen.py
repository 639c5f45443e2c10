"""serve --listen: several listeners in one process, each with its own mode,
TLS and PROXY protocol, the server-wide options as their defaults; exit 6
naming a listener that cannot listen; the SPECs refused, and why."""
import json
import os
import socket
import ssl
import subprocess
import tempfile
import unittest

from processes import (TCPECHO, WAIT, Server, assigned_socket, listening_at, mute_listener,
                       seed_block, seed_send, tcpecho)

TLS = os.environ.get("TCPECHO_TLS", "1") == "1"
GREETING = b"Greetings, server"


def insecure_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def echo(connection, data):
    """Sends `data`, half-closes, returns all that came back."""
    connection.sendall(data)
    connection.shutdown(socket.SHUT_WR)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def tls_echo(address, data):
    with socket.create_connection(address[:2], timeout=WAIT) as raw:
        with insecure_context().wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(data)
            received = b""
            while len(received) < len(data):
                received += tls.recv(65536)
            return received, tls.version()


class Listeners(unittest.TestCase):
    def serve(self, *args):
        """A server with several listeners: their addresses and what each
        says it does, in the order given."""
        server = Server([TCPECHO, "serve", *args])
        self.addCleanup(server.kill)
        lines = [server.transcript[0]] + server.read_until("Waiting for a new connection")[:-1]
        return server, [listening_at(line) for line in lines]

    @unittest.skipUnless(TLS, "built without TLS")
    def test_one_process_serves_reply_echo_over_tls_and_a_unix_socket_on_two_threads(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, "echo.sock")
        server, listeners = self.serve("--threads", "2", "--listen", "127.0.0.1:0",
                                       "--listen", "[::1]:0,mode=echo,tls",
                                       "--listen", f"unix:{path},mode=echo")
        (reply_at, reply_does), (tls_at, tls_does), (unix_at, unix_does) = listeners
        self.assertEqual((reply_does, tls_does, unix_does), ("reply", "echo, TLS", "echo"))
        self.assertEqual((tls_at[0], unix_at), ("::1", path))

        # The seed's client on the reply listener: the seed's transcript.
        result = seed_send(reply_at[1])
        self.assertIn("b'Goodbye, client!'", result.stdout)
        block = server.read_until("Waiting for a new connection")
        self.assertEqual(block, seed_block(reply_at, assigned_socket(result.stdout)))

        data = os.urandom(100_000)
        received, version = tls_echo(tls_at, data)
        self.assertEqual(received, data)
        self.assertIn(version, ("TLSv1.2", "TLSv1.3"))

        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(WAIT)
            client.connect(path)
            self.assertEqual(echo(client, data), data)

        status, _, _ = server.stop()
        self.assertEqual(status, 0)
        self.assertFalse(os.path.exists(path))

    def test_server_wide_options_are_the_defaults_of_listeners_that_do_not_say(self):
        args = ["--mode", "echo", "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,mode=reply"]
        if TLS:
            args += ["--tls", "--listen", "127.0.0.1:0,tls=off"]
        server, listeners = self.serve(*args)
        expected = ["echo, TLS", "reply, TLS", "echo"] if TLS else ["echo", "reply"]
        self.assertEqual([does for _, does in listeners], expected)
        if TLS:
            self.assertEqual(tls_echo(listeners[0][0], b"x" * 1000)[0], b"x" * 1000)
            with socket.create_connection(listeners[2][0], timeout=WAIT) as plain:
                self.assertEqual(echo(plain, GREETING), GREETING)
        else:
            with socket.create_connection(listeners[0][0], timeout=WAIT) as plain:
                self.assertEqual(echo(plain, GREETING), GREETING)
            result = seed_send(listeners[1][0][1])
            self.assertIn("b'Goodbye, client!'", result.stdout)

    def test_only_the_listener_that_asks_for_it_reads_a_proxy_header(self):
        server, [(proxied, _), (direct, _)] = self.serve(
            "--listen", "127.0.0.1:0,proxy-protocol", "--listen", "127.0.0.1:0")
        header = b"PROXY TCP4 192.0.2.7 10.0.0.1 51000 443\r\n"
        with socket.create_connection(proxied, timeout=WAIT) as client:
            own = client.getsockname()
            self.assertEqual(echo(client, header + GREETING), b"Goodbye, client!")
        block = server.read_until("Waiting for a new connection")
        self.assertEqual(block[0], "Connection from ('192.0.2.7', 51000)")
        self.assertEqual(block[2], f"  Socket peer: {own}")
        # The other listener takes the same bytes as the message itself.
        with socket.create_connection(direct, timeout=WAIT) as client:
            own = client.getsockname()
            self.assertEqual(echo(client, header), b"Goodbye, client!")
        block = server.read_until("Waiting for a new connection")
        self.assertEqual(block[0], f"Connection from {own}")
        self.assertEqual(block[3], f"  message from client: {header[:17]!r}")

    def test_the_json_log_says_what_each_listener_does(self):
        process_args = [TCPECHO, "serve", "--log-format", "json", "--listen", "127.0.0.1:0",
                        "--listen", "127.0.0.1:0,mode=echo,proxy-protocol"]
        with tempfile.TemporaryFile() as out:
            process = subprocess.Popen(process_args, stdout=subprocess.PIPE, stderr=out)
            self.addCleanup(process.kill)
            lines = [json.loads(process.stdout.readline()) for _ in range(3)]
            process.kill()
            process.wait(timeout=WAIT)
            process.stdout.close()
        first, second, waiting = lines
        self.assertEqual((first["event"], first["listener"], first["mode"], first["tls"],
                          first["proxy_protocol"]),
                         ("listening", "127.0.0.1:0", "reply", False, False))
        self.assertEqual((second["listener"], second["mode"], second["proxy_protocol"]),
                         ("127.0.0.1:0,mode=echo,proxy-protocol", "echo", True))
        self.assertEqual(second["address"]["host"], "127.0.0.1")
        self.assertEqual(waiting["event"], "waiting")


class CannotListen(unittest.TestCase):
    def test_a_listener_that_cannot_listen_stops_the_start_with_exit_6_naming_it(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, "first.sock")
        with mute_listener() as taken:  # the port is in use
            spec = f"127.0.0.1:{taken.getsockname()[1]},mode=echo"
            result = tcpecho("serve", "--listen", f"unix:{path}", "--listen", spec)
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn(f"(--listen '{spec}')", result.stderr)
        self.assertIn("in use", result.stderr)
        # The listener before it, already listening, leaves no socket file.
        self.assertFalse(os.path.exists(path))


class Refused(unittest.TestCase):
    def assert_usage_error(self, *args, says):
        result = tcpecho("serve", *args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(says, result.stderr.splitlines()[0])

    def test_malformed_specs_are_refused_with_what_is_wrong(self):
        cases = {
            "127.0.0.1": "neither HOST:PORT",
            "::1:3000": "in brackets",
            "[::1:3000": "lacks ']'",
            "127.0.0.1:99999": "neither a port number",
            "unix:": "path is empty",
            "127.0.0.1:3000,mode=chat": "mode=chat is neither reply nor echo",
            "127.0.0.1:3000,tls=maybe": "tls=maybe is neither on nor off",
            "127.0.0.1:3000,compress": "'compress' is not one of",
            "127.0.0.1:3000,,tls": "empty option",
        }
        for spec, says in cases.items():
            with self.subTest(spec=spec):
                self.assert_usage_error("--listen", spec, says=says)

    def test_listen_replaces_the_one_listener_options(self):
        for option in (["--host", "127.0.0.1"], ["--port", "3000"], ["--unix", "/tmp/x"]):
            with self.subTest(option=option[0]):
                self.assert_usage_error("--listen", "127.0.0.1:0", *option,
                                        says="does not apply with --listen")

    def test_options_of_a_mode_or_tls_no_listener_has_are_refused(self):
        self.assert_usage_error("--listen", "127.0.0.1:0,mode=echo", "--length", "5",
                                says="--length: applies to --mode reply")
        self.assert_usage_error("--listen", "127.0.0.1:0", "--tls-min-version", "1.3",
                                says="--tls-min-version: applies with --tls")
        self.assert_usage_error("--listen", "127.0.0.1:0", "--proxy-from", "10.0.0.0/8",
                                says="--proxy-from: applies with --proxy-protocol")
        self.assert_usage_error("--listen", "127.0.0.1:0", "--unix-mode", "600",
                                says="--unix-mode: applies to a Unix socket")


if __name__ == "__main__":
    unittest.main()
