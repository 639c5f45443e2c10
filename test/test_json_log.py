"""--log-format json: every line on stdout and stderr parsed as one JSON
object; serve's events of an exchange, an echo, a refusal, a proxied client
and a shutdown, with their fields; a binary message round-tripped through
message_base64; send's and bench's lines and errors, and an error at start."""
import base64
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import unittest

from processes import TCPECHO, WAIT, Server
from processes import tcpecho as tcpecho_run

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class JsonServer(Server):
    """A server whose first line is JSON rather than "Listening at"."""

    def __init__(self, args):
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._attach(process)
        self.first = json.loads(self.next_line())
        address = self.first["address"]
        self.port = address.get("port")
        self.path = address.get("path")

    def next_event(self, timeout=WAIT):
        event = json.loads(self.next_line(timeout))
        self.check(event)
        return event

    def until(self, name):
        while (event := self.next_event())["event"] != name:
            pass
        return event

    @staticmethod
    def check(event):
        assert TIME.match(event["time"]), event
        assert isinstance(event["event"], str), event


class JsonLog(unittest.TestCase):
    def serve(self, *args):
        server = JsonServer([TCPECHO, "serve", "--log-format", "json", *args])
        self.addCleanup(server.kill)
        self.assertEqual(server.first["event"], "listening")
        self.assertEqual(server.next_event()["event"], "waiting")
        return server

    def exchange(self, server, message):
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as client:
            client.sendall(message)
            client.shutdown(socket.SHUT_WR)
            reply = client.recv(100)
            return reply, client.getsockname()

    def test_an_exchange_is_its_events_and_a_binary_message_comes_back_whole(self):
        server = self.serve("--port", "0")
        message = bytes(range(256))[:17]
        reply, (host, port) = self.exchange(server, message)
        self.assertEqual(reply, b"Goodbye, client!")
        peer = {"host": host, "port": port}
        connection = server.next_event()
        self.assertEqual(connection["event"], "connection")
        self.assertEqual(connection["peer"], peer)
        self.assertEqual(connection["local"], {"host": "127.0.0.1", "port": server.port})
        self.assertNotIn("socket_peer", connection)
        received = server.next_event()
        self.assertEqual(received["event"], "message")
        self.assertEqual(base64.b64decode(received["message_base64"]), message)
        self.assertEqual(received["message_repr"], repr(message))
        self.assertEqual(received["bytes"], 17)
        self.assertEqual(server.next_event()["event"], "reply")
        events = [server.next_event() for _ in range(2)]
        closed = next(event for event in events if event["event"] == "closed")
        self.assertEqual(closed["peer"], peer)
        self.assertEqual(closed["reason"], "client ended")
        self.assertGreaterEqual(closed["duration_s"], 0)
        self.assertIn("waiting", [event["event"] for event in events])

    def test_echo_mode_counts_what_went_back_and_shutdown_says_why(self):
        server = self.serve("--port", "0", "--mode", "echo", "--verbose")
        reply, _ = self.exchange(server, b"ping\n")
        self.assertEqual(reply, b"ping\n")
        self.assertEqual(server.until("message")["message_repr"], "b'ping\\n'")
        self.assertEqual(server.until("closed")["echoed_bytes"], 5)
        server.process.send_signal(signal.SIGTERM)
        shutdown = server.until("shutdown")
        self.assertEqual(shutdown["reason"], "SIGTERM")
        self.assertEqual(shutdown["in_flight"], 0)
        self.assertEqual(server.process.wait(timeout=WAIT), 0)
        for line in server.remaining(server.errors):
            JsonServer.check(json.loads(line))

    def test_a_unix_socket_is_a_path_and_a_refusal_goes_to_stderr_as_json(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "s.sock")
            server = self.serve("--unix", path)
            self.assertEqual(server.path, path)
        server = self.serve("--port", "0", "--deny", "127.0.0.0/8")
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as client:
            self.assertEqual(client.recv(10), b"")
            host, port = client.getsockname()
        refused = json.loads(server.next_error())
        JsonServer.check(refused)
        self.assertEqual(refused["event"], "refused")
        self.assertEqual(refused["peer"], {"host": host, "port": port})
        self.assertEqual(refused["reason"], "deny")
        self.assertEqual(refused["untold"], 0)

    def test_behind_a_proxy_peer_is_the_client_and_socket_peer_the_proxy(self):
        server = self.serve("--port", "0", "--proxy-protocol")
        header = b"PROXY TCP6 2001:db8::5 ::1 40000 443\r\n"
        reply, (host, port) = self.exchange(server, header + b"Greetings, server")
        self.assertEqual(reply, b"Goodbye, client!")
        connection = server.until("connection")
        self.assertEqual(connection["peer"], {"host": "2001:db8::5", "port": 40000})
        self.assertEqual(connection["socket_peer"], {"host": host, "port": port})


if __name__ == "__main__":
    unittest.main()


def json_lines(text):
    """Every line of `text` as a JSON object, its time and event checked."""
    objects = [json.loads(line) for line in text.splitlines()]
    for line in objects:
        assert TIME.match(line["time"]), line
        assert isinstance(line["event"], str), line
    return objects


class ClientsAndErrors(unittest.TestCase):
    """send and bench take --log-format json too; so do errors at start."""

    def serve(self, *args):
        server = Server([TCPECHO, "serve", "--port", "0", "--quiet", *args])
        self.addCleanup(server.kill)
        return server

    def test_send_says_connected_and_the_reply_as_bytes(self):
        server = self.serve("--reply", r"\x00\xffbinary")
        result = tcpecho_run("send", "--port", str(server.port), "--log-format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        connected, reply = json_lines(result.stdout)
        self.assertEqual(connected["event"], "connected")
        self.assertEqual(connected["local"]["host"], "127.0.0.1")
        self.assertEqual(reply["event"], "reply")
        self.assertEqual(base64.b64decode(reply["reply_base64"]), b"\x00\xffbinary")
        self.assertEqual(reply["reply_repr"], repr(b"\x00\xffbinary"))
        self.assertEqual(reply["bytes"], 8)

    def test_send_failures_are_error_objects_on_stderr(self):
        server = self.serve()
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))  # bound, not listening: refused
            refused = tcpecho_run("send", "--port", str(closed.getsockname()[1]),
                                  "--log-format", "json")
        self.assertEqual(refused.returncode, 4)
        [error] = json_lines(refused.stderr)
        self.assertEqual((error["event"], error["stage"], error["reason"]),
                         ("error", "connecting", "Connection refused"))
        unexpected = tcpecho_run("send", "--port", str(server.port), "--log-format", "json",
                                 "--expect", "something else")
        self.assertEqual(unexpected.returncode, 7)
        [error] = json_lines(unexpected.stderr)
        self.assertEqual((error["stage"], error["reason"]), ("exchanging", "unexpected reply"))
        self.assertEqual(base64.b64decode(error["expected_base64"]), b"something else")
        self.assertEqual(error["reply_repr"], "b'Goodbye, client!'")

    def test_bench_reports_in_one_line_and_its_errors_are_objects(self):
        server = self.serve()
        result = tcpecho_run("bench", "--port", str(server.port), "--mode", "exchange", "-c", "2",
                             "-d", "0.3", "--warmup", "0", "--log-format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        [report] = json_lines(result.stdout)
        self.assertEqual((report["event"], report["mode"]), ("report", "exchange"))
        self.assertGreater(report["operations"], 0)
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            failed = tcpecho_run("bench", "--port", str(closed.getsockname()[1]), "-d", "0.3",
                                 "--warmup", "0", "--log-format", "json")
        self.assertEqual(failed.returncode, 4)
        errors = json_lines(failed.stderr)
        self.assertTrue(errors and all(line["event"] == "error" for line in errors), errors)
        self.assertIn("cannot connect", errors[-1]["message"])

    def test_a_server_that_cannot_start_says_why_in_json(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            result = tcpecho_run("serve", "--port", str(taken.getsockname()[1]),
                                 "--log-format", "json")
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stdout, "")
        [error] = json_lines(result.stderr)
        self.assertEqual(error["event"], "error")
        self.assertTrue(error["message"].startswith("cannot listen on 127.0.0.1 port"), error)
