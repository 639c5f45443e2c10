"""serve --log-format json: every line on stdout and stderr parsed as one JSON
object; the events of an exchange, an echo, a refusal, a proxied client and
a shutdown, with their fields; a binary message round-tripped through
message_base64."""
import base64
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import unittest

from processes import WAIT, Server, TCPECHO

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
