"""Helpers for the end-to-end tests: run tcpecho and the seed scripts as real
processes, read their output line by line with bounded waits, never sleep."""
import ast
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

TCPECHO = os.environ.get("TCPECHO", "build/src/tcpecho")
HERE = os.path.dirname(os.path.abspath(__file__))
SEED_SERVER = [sys.executable, "-u", os.path.join(HERE, "seed_server.py")]
SEED_CLIENT = [sys.executable, "-u", os.path.join(HERE, "seed_client.py")]
WAIT = 10  # seconds: the bound on any single wait


def lines_of(stream):
    """The lines a process writes to `stream`, on a queue as they come, then
    None at its end: read them with bounded waits (queue.get(timeout=...))."""
    lines = queue.Queue()

    def pump():
        for raw in stream:
            lines.put(raw.decode("ascii").rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


class Server:
    """A server process whose stdout is read as it is written."""

    def __init__(self, args, preexec_fn=None, pass_fds=(), wait=WAIT):
        self._attach(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      preexec_fn=preexec_fn, pass_fds=pass_fds))
        first = self.next_line(wait)
        assert first.startswith("Listening at "), first
        self._listening(first)

    @classmethod
    def reading(cls, process, first):
        """Starts reading a server process whose first line was read already."""
        server = cls.__new__(cls)
        server._attach(process)
        server._listening(first.rstrip("\n"))
        return server

    def _attach(self, process):
        self.process = process
        self.lines = lines_of(process.stdout)
        self.errors = lines_of(process.stderr)

    def _listening(self, first):
        self.address, _ = listening_at(first)
        self.port = self.address[1] if isinstance(self.address, tuple) else None
        self.transcript = [first]

    def next_line(self, timeout=WAIT):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise EOFError("server exited: " + "\n".join(self.remaining(self.errors)))
        return line

    def next_error(self, timeout=WAIT):
        return self.errors.get(timeout=timeout)

    @staticmethod
    def remaining(lines, timeout=WAIT):
        rest = []
        while (line := lines.get(timeout=timeout)) is not None:
            rest.append(line)
        return rest

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise RuntimeError("no " + field)

    def peak_rss_kib(self):
        return self.rss_kib("VmHWM")

    def cpu_seconds(self):
        """User plus system CPU time the server has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def read_until(self, wanted, timeout=WAIT):
        """Lines up to and including `wanted`."""
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            line = self.next_line(max(0.0, deadline - time.monotonic()))
            lines.append(line)
            self.transcript.append(line)
            if line == wanted:
                return lines

    def read_until_prefix(self, prefix, timeout=WAIT):
        """Lines up to and including the first that starts with `prefix`."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.0, deadline - time.monotonic()))
            if line.startswith(prefix):
                return line

    def stop(self, signum=signal.SIGINT, timeout=WAIT):
        """Signals the server; returns (exit status, remaining stdout lines, stderr)."""
        self.process.send_signal(signum)
        status = self.process.wait(timeout=timeout)
        rest = self.remaining(self.lines, timeout)
        return status, rest, "".join(line + "\n" for line in self.remaining(self.errors, timeout))

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)
        self.process.stdout.close()
        self.process.stderr.close()


def listening_at(line):
    """The address a "Listening at" line names, and what a listener --listen
    gave says it does there ("echo, TLS"; None for the seed's line)."""
    match = re.fullmatch(r"Listening at (.*?)(?: \(((?:reply|echo)[^()]*)\))?", line)
    assert match, line
    shown, does = match.groups()
    # A Unix domain socket's path prints as it is; other addresses as
    # Python literals (a tuple; bytes for an abstract name).
    return (shown if shown.startswith("/") else ast.literal_eval(shown)), does


def tcpecho_server(host="127.0.0.1", *args, preexec_fn=None):
    return Server([TCPECHO, "serve", "--host", host, "--port", "0", *args], preexec_fn)


def seed_server(host="127.0.0.1"):
    return Server([*SEED_SERVER, host, "0"])


def run(args, timeout=WAIT):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def tcpecho(*args, timeout=WAIT):
    return run([TCPECHO, *args], timeout=timeout)


def tcpecho_send(port, host="127.0.0.1", *extra, timeout=WAIT):
    return tcpecho("send", "--host", host, "--port", str(port), *extra, timeout=timeout)


def seed_send(port, host="127.0.0.1"):
    return run([*SEED_CLIENT, host, str(port)])


def assigned_socket(client_stdout):
    """The tuple a client printed on its first line."""
    first = client_stdout.splitlines()[0]
    prefix = "Client has been assigned the socket:  "
    assert first.startswith(prefix), first
    return ast.literal_eval(first[len(prefix):])


def seed_block(server_address, client_address, message=b"Greetings, server"):
    """The seed server's transcript for one client."""
    return [
        f"Connection from {client_address}",
        f"  Socket name: {server_address}",
        f"  Socket peer: {client_address}",
        f"  message from client: {message!r}",
        "  Closing socket",
        "Waiting for a new connection",
    ]


def mute_listener():
    """A socket listening on a loopback port that never accepts: the kernel
    completes a client's handshake, and nothing ever comes back."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


def refusing_port():
    """A socket bound to a port but not listening: connections to it are
    refused for as long as the returned socket stays open."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    return probe


class ServerTest(unittest.TestCase):
    """A test that starts tcpecho servers with start(), each killed after it."""

    def start(self, *args, host="127.0.0.1", preexec_fn=None):
        server = tcpecho_server(host, *args, preexec_fn=preexec_fn)
        self.addCleanup(server.kill)
        if "--quiet" not in args:  # --quiet prints no "Waiting" line
            server.read_until("Waiting for a new connection")
        return server


class EchoServerTest(unittest.TestCase):
    """A test with a quiet echo server on 127.0.0.1 (self.server) and a
    temporary folder (self.folder), both gone after it."""

    def setUp(self):
        self.server = tcpecho_server("127.0.0.1", "--mode", "echo", "--quiet")
        self.addCleanup(self.server.kill)
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = folder.name


HDR_READ = os.environ.get("TCPECHO_HDR_READ", "build/test/hdr_read")


def hdr_read_encoded(*encoded):
    """Each compressed histogram as HdrHistogram_c's own decoder reads it:
    a dict of count, min, max, p50, p90, p99, p999 (nanoseconds)."""
    result = subprocess.run([HDR_READ, "encoded"], input="".join(e + "\n" for e in encoded),
                            capture_output=True, text=True, timeout=WAIT, check=True)
    return [ast.literal_eval(line) for line in result.stdout.splitlines()]


def hdr_read_sum(*encoded):
    """The compressed histograms added up by HdrHistogram_c's hdr_add."""
    result = subprocess.run([HDR_READ, "sum"], input="".join(e + "\n" for e in encoded),
                            capture_output=True, text=True, timeout=WAIT, check=True)
    return ast.literal_eval(result.stdout)


def hdr_read_log(path):
    """An .hlog as HdrHistogram_c's log reader reads it: the header's start
    time, then one dict per entry (tag, start, interval and the histogram)."""
    result = subprocess.run([HDR_READ, "log", path], capture_output=True, text=True,
                            timeout=WAIT, check=True)
    lines = [ast.literal_eval(line) for line in result.stdout.splitlines()]
    return lines[0]["start_time"], lines[1:]
