"""Unix domain sockets: serve, send and bench over a path in a temporary
folder and over Linux's abstract namespace, against the seed's scripts
adapted to AF_UNIX; stale socket files, live ones, permissions, removal at
exit, socket activation and threads."""
import os
import signal
import socket
import stat
import subprocess
import tempfile
import unittest

from processes import (SEED_CLIENT, SEED_SERVER, TCPECHO, WAIT, Server, run, seed_block,
                       tcpecho)


def unix_server(path, *args):
    return Server([TCPECHO, "serve", "--unix", path, *args])


def seed_unix_server(path):
    return Server([*SEED_SERVER, path])


def seed_unix_send(path):
    return run([*SEED_CLIENT, path])


def abstract_name(test):
    """A name in the abstract namespace no other test run uses."""
    return f"@tcpecho-test-{os.getpid()}-{test.id().rsplit('.', 1)[-1]}"


class UnixTestCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "echo.sock")

    def tearDown(self):
        self.folder.cleanup()

    def serve(self, *args, path=None):
        server = unix_server(path or self.path, *args)
        self.addCleanup(server.kill)
        return server


class Transcripts(UnixTestCase):
    def test_serve_prints_what_the_seed_server_prints_for_the_seed_client(self):
        transcripts = []
        # The seed's server leaves its socket file behind: tcpecho, next,
        # replaces it.
        for make in (seed_unix_server, unix_server):
            server = make(self.path)
            server.read_until("Waiting for a new connection")
            client = seed_unix_send(self.path)
            self.assertEqual(client.returncode, 0, client.stderr)
            self.assertEqual(client.stdout, "Client has been assigned the socket:  \n"
                                            "Server:  b'Goodbye, client!'\n")
            server.read_until("Waiting for a new connection")
            transcripts.append(server.transcript)
            server.kill()
        self.assertEqual(transcripts[0], transcripts[1])
        self.assertEqual(transcripts[1][0], f"Listening at {self.path}")
        self.assertEqual(transcripts[1][2:], seed_block(self.path, ""))

    def test_send_prints_what_the_seed_client_prints_against_the_seed_server(self):
        server = seed_unix_server(self.path)
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        ours = tcpecho("send", "--unix", self.path)
        theirs = seed_unix_send(self.path)
        self.assertEqual((ours.returncode, ours.stdout, ours.stderr),
                         (0, theirs.stdout, ""))

    def test_abstract_names_print_as_python_prints_them(self):
        name = abstract_name(self)
        address = b"\0" + name[1:].encode()
        server = self.serve(path=name)
        self.assertEqual(server.transcript[0], f"Listening at {address!r}")
        server.read_until("Waiting for a new connection")
        client = socket.socket(socket.AF_UNIX)
        client.settimeout(WAIT)
        client.bind(address + b"-client")
        client.connect(address)
        client.sendall(b"Greetings, server")
        self.assertEqual(client.recv(64), b"Goodbye, client!")
        client.close()
        block = server.read_until("Waiting for a new connection")
        self.assertEqual(block, seed_block(repr(address), repr(address + b"-client")))


class SocketFiles(UnixTestCase):
    def test_a_stale_socket_file_is_replaced(self):
        dead = socket.socket(socket.AF_UNIX)
        dead.bind(self.path)  # bound, never listening, closed: what a crash leaves
        dead.close()
        self.assertTrue(stat.S_ISSOCK(os.lstat(self.path).st_mode))
        server = self.serve()
        server.read_until("Waiting for a new connection")
        self.assertEqual(tcpecho("send", "--unix", self.path).returncode, 0)

    def test_a_path_where_a_server_listens_is_refused_and_that_server_keeps_serving(self):
        live = socket.socket(socket.AF_UNIX)
        live.bind(self.path)
        live.listen(8)
        self.addCleanup(live.close)
        result = tcpecho("serve", "--unix", self.path)
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stderr,
                         f"tcpecho: cannot listen on {self.path}: Address already in use\n")
        # The check asked the kernel: nobody connected to the live server.
        live.setblocking(False)
        with self.assertRaises(BlockingIOError):
            live.accept()
        self.assertTrue(stat.S_ISSOCK(os.lstat(self.path).st_mode))

    def test_checking_a_live_path_is_invisible_to_the_server_there(self):
        server = self.serve()
        server.read_until("Waiting for a new connection")
        self.assertEqual(tcpecho("serve", "--unix", self.path).returncode, 6)
        client = tcpecho("send", "--unix", self.path)
        self.assertEqual(client.returncode, 0, client.stderr)
        # The next connection the server saw is the client's, not a check's.
        self.assertEqual(server.read_until("Waiting for a new connection"),
                         seed_block(self.path, ""))

    def test_a_client_gone_before_the_reply_is_named_in_the_closing_line(self):
        server = self.serve()
        server.read_until("Waiting for a new connection")
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(self.path)
            client.sendall(b"Hi")
        # The client is gone before the server sees its end: the reply fails.
        lines = server.read_until("Waiting for a new connection")
        self.assertEqual(lines[-2], "  Closing socket (unnamed): could not send the reply: "
                                    "Broken pipe")

    def test_a_file_that_is_not_a_socket_is_left_alone(self):
        with open(self.path, "w") as file:
            file.write("keep me")
        result = tcpecho("serve", "--unix", self.path)
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stderr, f"tcpecho: cannot listen on {self.path}: a file that is "
                                        "not a socket is there\n")
        with open(self.path) as file:
            self.assertEqual(file.read(), "keep me")

    def test_the_socket_file_is_removed_at_exit(self):
        # SIGHUP: the terminal the server ran in was closed.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            server = self.serve()
            server.read_until("Waiting for a new connection")
            self.assertTrue(os.path.exists(self.path))
            status, _, errors = server.stop(signum)
            self.assertEqual((status, errors), (0, ""))
            self.assertFalse(os.path.exists(self.path))

    def test_unix_mode_sets_the_permissions(self):
        for mode in (0o600, 0o660):
            server = self.serve("--unix-mode", f"{mode:o}")
            server.read_until("Waiting for a new connection")
            self.assertEqual(stat.S_IMODE(os.lstat(self.path).st_mode), mode)
            server.stop()

    def test_bad_unix_options_are_usage_errors(self):
        cases = [
            (["serve", "--unix-mode", "600"], "--unix-mode: applies to a Unix socket"),
            (["serve", "--unix", self.path, "--unix-mode", "999"], "'999' is not an octal mode"),
            (["send", "--unix", "/" + "x" * 107], "longer than 107 bytes"),
            (["bench", "--unix", ""], "must not be empty"),
        ]
        for args, wanted in cases:
            with self.subTest(args=args):
                result = tcpecho(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(wanted, result.stderr)

    def test_send_to_a_path_nobody_listens_on_is_a_connect_failure(self):
        result = tcpecho("send", "--unix", self.path)
        self.assertEqual(result.returncode, 4)
        self.assertEqual(result.stderr,
                         f"tcpecho: cannot connect to {self.path}: No such file or directory\n")


class Modes(UnixTestCase):
    def bench(self, *args):
        result = tcpecho("bench", "--unix", self.path, "-d", "0.3", "--warmup", "0", "--json",
                         *args, timeout=WAIT + 5)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_bench_loads_an_echo_server_over_a_unix_socket(self):
        server = self.serve("--mode", "echo", "--quiet")
        for mode in ("rr", "stream"):
            with self.subTest(mode=mode):
                report = self.bench("--mode", mode, "-c", "4")
                self.assertIn('"unix": "%s"' % self.path, report)
                self.assertIn('"mismatch": 0', report)
        status, _, errors = server.stop()
        self.assertEqual((status, errors), (0, ""))

    def test_bench_exchanges_with_the_seed_server_over_a_unix_socket(self):
        server = seed_unix_server(self.path)
        self.addCleanup(server.kill)
        report = self.bench("--mode", "exchange", "-c", "1")
        self.assertIn('"short_reply": 0', report)

    def test_echo_with_threads_shares_one_socket(self):
        server = self.serve("--mode", "echo", "--threads", "2")
        server.read_until("Waiting for a new connection")
        for _ in range(4):
            result = tcpecho("send", "--unix", self.path, "--message", "ping")
            self.assertEqual(result.stdout.splitlines()[-1], "Server:  b'ping'")

    def test_socket_activation_with_a_unix_listening_socket(self):
        passed = socket.socket(socket.AF_UNIX)
        passed.bind(self.path)
        passed.listen(8)
        # --unix names the same path, as a unit file may: the socket is still
        # the service manager's, so it stays where it was.
        script = (f'exec 3<&{passed.fileno()}; LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" serve '
                  f'--unix "$1"')
        process = subprocess.Popen(["sh", "-c", script, TCPECHO, self.path], pass_fds=(passed.fileno(),),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        passed.close()
        server = Server.reading(process, process.stdout.readline().decode())
        self.addCleanup(server.kill)
        self.assertEqual(server.address, self.path)
        server.read_until("Waiting for a new connection")
        self.assertEqual(tcpecho("send", "--unix", self.path).returncode, 0)
        server.stop()
        self.assertTrue(os.path.exists(self.path))


if __name__ == "__main__":
    unittest.main(verbosity=2)
