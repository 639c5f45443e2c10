"""serve's --reply and --length, --quiet; send's --count, --expect,
--message-file, its environment, and send against an RFC 862 echo server."""
import os
import subprocess
import tempfile
import unittest

from processes import TCPECHO, WAIT, ServerTest, tcpecho_send


class ReplyOptions(ServerTest):
    def test_custom_reply_and_length(self):
        server = self.start("--reply", "OK\\r\\n\\xff", "--length", "4")
        client = tcpecho_send(server.port, "127.0.0.1", "--message", "PING",
                              "--expect", "OK\\r\\n\\xff")
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertEqual(client.stdout.splitlines()[1], "Server:  b'OK\\r\\n\\xff'")
        server.read_until("  message from client: b'PING'")

    def test_quiet_prints_only_start_and_shutdown(self):
        server = self.start("--quiet")
        for _ in range(3):
            self.assertEqual(tcpecho_send(server.port).returncode, 0)
        status, rest, errors = server.stop()
        self.assertEqual(status, 0)
        self.assertEqual(server.transcript + rest, [
            f"Listening at {server.address}",
            "Shutting down (SIGINT): 0 exchanges in progress, up to 3s to finish"])


class SendOptions(ServerTest):
    def test_count_runs_exchanges_one_after_another(self):
        server = self.start()
        client = tcpecho_send(server.port, "127.0.0.1", "--count", "3")
        self.assertEqual(client.returncode, 0, client.stderr)
        lines = client.stdout.splitlines()
        self.assertEqual(len(lines), 6)
        self.assertEqual(lines[1::2], ["Server:  b'Goodbye, client!'"] * 3)

    def test_expect_mismatch_exits_7(self):
        server = self.start()
        client = tcpecho_send(server.port, "127.0.0.1", "--expect", "Hello")
        self.assertEqual(client.returncode, 7)
        self.assertEqual(client.stderr, f"tcpecho: 127.0.0.1 port {server.port} replied "
                                        "b'Goodbye, client!', expected b'Hello'\n")

    def test_message_from_a_file_and_from_stdin_is_binary_safe(self):
        server = self.start("--mode", "echo", "--quiet")
        payload = bytes(range(256)) * 4
        path = os.path.join(self.tmpdir(), "message.bin")
        with open(path, "wb") as f:
            f.write(payload)
        for args, stdin in [(["--message-file", path], None), (["--message-file", "-"], payload)]:
            result = subprocess.run(
                [TCPECHO, "send", "--port", str(server.port), *args, "--expect",
                 "".join(f"\\x{b:02x}" for b in payload)],
                input=stdin, capture_output=True, timeout=WAIT)
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_environment_supplies_host_and_port(self):
        server = self.start()
        result = subprocess.run([TCPECHO, "send"], capture_output=True, text=True, timeout=WAIT,
                                env={**os.environ, "TCPECHO_HOST": "127.0.0.1",
                                     "TCPECHO_PORT": str(server.port)})
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_against_an_rfc_862_server(self):
        server = self.start("--mode", "echo")
        client = tcpecho_send(server.port)
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertEqual(client.stdout.splitlines()[1], "Server:  b'Greetings, server'")

    def tmpdir(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name


if __name__ == "__main__":
    unittest.main()
