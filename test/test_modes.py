"""serve --mode echo and the reply options, send's options, IPv6 and dual
stack: the built binary over loopback."""
import os
import random
import signal
import socket
import subprocess
import threading
import time
import unittest

from processes import (TCPECHO, WAIT, Server, assigned_socket, seed_block, seed_server, tcpecho,
                       tcpecho_send, tcpecho_server)


class ServerTestCase(unittest.TestCase):
    def start(self, *args, host="127.0.0.1"):
        server = tcpecho_server(host, *args)
        self.addCleanup(server.kill)
        if "--quiet" not in args:
            server.read_until("Waiting for a new connection")
        return server


def receive_to_end(sock):
    """Everything the peer sends on sock until it closes its side."""
    received = bytearray()
    while data := sock.recv(1 << 20):
        received += data
    return bytes(received)


def pump_through(port, payload, chunk=256 * 1024):
    """Sends payload on one connection while reading the echo; returns it."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        def write():
            for at in range(0, len(payload), chunk):
                sock.sendall(payload[at:at + chunk])
            sock.shutdown(socket.SHUT_WR)
        writer = threading.Thread(target=write)
        writer.start()
        received = receive_to_end(sock)
        writer.join(WAIT)
        return received


class Echo(ServerTestCase):
    def test_100_mib_of_random_bytes_through_8_connections(self):
        server = self.start("--mode", "echo", "--quiet")
        rng = random.Random(862)
        payloads = [rng.randbytes(100 * 1024 * 1024 // 8) for _ in range(8)]
        results = [None] * 8

        def run(i):
            results[i] = pump_through(server.port, payloads[i])
        threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        elapsed = time.monotonic() - started
        for i in range(8):
            self.assertEqual(results[i], payloads[i], f"connection {i}")
        print(f"\necho: 100 MiB through 8 connections in {elapsed:.2f} s", file=os.sys.stderr)

    def test_a_client_that_does_not_read_is_not_read_either(self):
        server = self.start("--mode", "echo", "--quiet")
        before = server.rss_kib()
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
            sock.setblocking(False)
            payload = random.Random(1).randbytes(64 * 1024 * 1024)
            sent, peak = 0, before
            writing_until = time.monotonic() + 2.0
            while sent < len(payload) and time.monotonic() < writing_until:
                try:
                    sent += sock.send(payload[sent:sent + 65536])
                except BlockingIOError:
                    peak = max(peak, server.rss_kib())
                    socket_wait_writable(sock, 0.05)
            peak = max(peak, server.rss_kib())
            # Flow control held the writer back: far less than 64 MiB went out.
            self.assertLess(sent, 32 * 1024 * 1024)
            self.assertLess(peak - before, 2048, "server RSS grew by more than 2 MiB")
            print(f"\nnon-reading client: pushed {sent >> 10} KiB in 2 s, "
                  f"server RSS {before} -> {peak} KiB", file=os.sys.stderr)
            # And nothing was lost: what comes back is what went out.
            sock.setblocking(True)
            sock.shutdown(socket.SHUT_WR)
            received = receive_to_end(sock)
            self.assertEqual(bytes(received), payload[:sent])

    def test_short_writes_to_a_client_that_stops_reading_come_back_whole(self):
        # Short chunks are echoed from the wait's callback when the kernel
        # takes them whole; once the client's window is full, what is left
        # of one must wait for room, and nothing may be lost or reordered.
        server = self.start("--mode", "echo", "--quiet")
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            rng = random.Random(7)
            sent, held_back = bytearray(), False
            # Bounded by bytes, not seconds: far more than the two windows hold.
            while len(sent) < 64 * 1024 * 1024:
                chunk = rng.randbytes(rng.randrange(1, 200))
                try:
                    n = sock.send(chunk)
                except BlockingIOError:
                    held_back = True  # both windows are full: the server waits for room
                    break
                sent += chunk[:n]
            sock.setblocking(True)
            sock.shutdown(socket.SHUT_WR)
            received = receive_to_end(sock)
            self.assertTrue(held_back, "the client's window never filled")
            self.assertEqual(bytes(received), bytes(sent))

    def test_the_last_chunk_comes_back_when_it_arrives_with_the_end(self):
        # A quiet connection's wait reads into a small inbox; a chunk that
        # fills it is read on, and that read may find the client's end. The
        # chunk must still come back. MSG_MORE holds the chunk back until
        # shutdown(), so chunk and end arrive in one segment, read together.
        server = self.start("--mode", "echo", "--quiet")
        for size in range(200, 600):
            with self.subTest(size=size), \
                    socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
                sock.sendall(b"!")
                self.assertEqual(sock.recv(1), b"!")  # the server now waits
                chunk = random.Random(size).randbytes(size)
                self.assertEqual(sock.send(chunk, socket.MSG_MORE), size)
                sock.shutdown(socket.SHUT_WR)
                received = receive_to_end(sock)
                self.assertEqual(bytes(received), chunk)

    def test_transcript_and_verbose_chunks(self):
        server = self.start("--mode", "echo", "--verbose")
        client = tcpecho_send(server.port, "127.0.0.1", "--message", "ping\\x00")
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertEqual(client.stdout.splitlines()[1], "Server:  b'ping\\x00'")
        me = assigned_socket(client.stdout)
        self.assertEqual(server.read_until("Waiting for a new connection"), [
            f"Connection from {me}",
            f"  Socket name: {server.address}",
            f"  Socket peer: {me}",
            "  echoing b'ping\\x00'",
            "  Closing socket after echoing 5 bytes",
            "Waiting for a new connection",
        ])

    def test_idle_timeout_in_echo_mode(self):
        server = self.start("--mode", "echo", "--timeout", "0.3")
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
            sock.sendall(b"abc")
            self.assertEqual(sock.recv(3), b"abc")
            self.assertEqual(sock.recv(1), b"")  # closed after 0.3 s without progress
        line = server.read_until_prefix("  Closing socket (")
        self.assertTrue(line.endswith(": timed out after 0.3s; echoed 3 bytes"), line)


class Threads(ServerTestCase):
    def test_four_threads_serve_300_clients_at_once_and_drain(self):
        server = self.start("--threads", "4")
        # At least: ThreadSanitizer's runtime adds a thread of its own.
        self.assertGreaterEqual(len(os.listdir(f"/proc/{server.process.pid}/task")), 4)
        clients = [socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
                   for _ in range(300)]
        for client in clients:
            self.addCleanup(client.close)
            client.sendall(b"Greetings, server")
        for client in clients:
            reply = b""
            while data := client.recv(64):
                reply += data
            self.assertEqual(reply, b"Goodbye, client!")
        busy = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        self.addCleanup(busy.close)
        busy.sendall(b"Greet")
        server.read_until_prefix(f"  Socket peer: {busy.getsockname()}")
        server.process.send_signal(signal.SIGINT)
        busy.sendall(b"ings, server")
        reply = b""
        while data := busy.recv(64):
            reply += data
        self.assertEqual(reply, b"Goodbye, client!")
        self.assertEqual(server.process.wait(timeout=WAIT), 0)

    def test_echo_on_four_threads(self):
        server = self.start("--threads", "4", "--mode", "echo", "--quiet")
        payload = random.Random(4).randbytes(8 * 1024 * 1024)
        results = [None] * 8

        def run(i):
            results[i] = pump_through(server.port, payload)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(results, [payload] * 8)


class ReplyOptions(ServerTestCase):
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


class SendOptions(ServerTestCase):
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
        import tempfile
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name


class DualStack(ServerTestCase):
    def test_dual_stack_prints_what_python_prints(self):
        """`--host ::` takes IPv4 clients too; their addresses print as the
        seed's server (a Python IPv6 socket) prints them."""
        transcripts = []
        for start in [lambda: self.start(host="::"), lambda: seed_server("::")]:
            server = start()
            self.addCleanup(server.kill)
            if server.transcript[-1] != "Waiting for a new connection":
                server.read_until("Waiting for a new connection")
            blocks = []
            for host in ["127.0.0.1", "::1"]:
                client = tcpecho_send(server.port, host)
                self.assertEqual(client.returncode, 0, client.stderr)
                me = assigned_socket(client.stdout)
                block = server.read_until("Waiting for a new connection")
                peer = block[0][len("Connection from "):]
                expected_peer = (f"('::ffff:{me[0]}', {me[1]}, 0, 0)" if host == "127.0.0.1"
                                 else str(me))
                self.assertEqual(peer, expected_peer)
                blocks.append([line.replace(str(server.port), "PORT").replace(str(me[1]), "C")
                               for line in block])
            transcripts.append(blocks)
        self.assertEqual(transcripts[0], transcripts[1])

    def test_a_name_listens_on_every_address(self):
        addresses = sorted({info[4][0] for info in socket.getaddrinfo(
            "localhost", 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)})
        server = Server([TCPECHO, "serve", "--host", "localhost", "--port", "0"])
        self.addCleanup(server.kill)
        listening = server.transcript + [server.next_line() for _ in addresses[1:]]
        expected = [f"Listening at ('{a}', {server.port})" if ":" not in a
                    else f"Listening at ('{a}', {server.port}, 0, 0)" for a in addresses]
        self.assertEqual(sorted(listening), sorted(expected))
        self.assertEqual(server.next_line(), "Waiting for a new connection")
        for address in addresses:
            self.assertEqual(tcpecho_send(server.port, address).returncode, 0)


class SocketActivation(unittest.TestCase):
    def serve_with_passed_socket(self, passed):
        """Starts tcpecho as systemd would: the socket as descriptor 3,
        LISTEN_PID and LISTEN_FDS naming it."""
        script = f'exec 3<&{passed.fileno()}; LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" serve'
        return Server(["sh", "-c", script, TCPECHO], pass_fds=(passed.fileno(),))

    def test_serves_on_a_socket_handed_over_by_the_service_manager(self):
        with socket.socket() as passed:
            passed.bind(("127.0.0.1", 0))
            passed.listen()
            port = passed.getsockname()[1]
            server = self.serve_with_passed_socket(passed)
            self.addCleanup(server.kill)
        self.assertEqual(server.transcript[0], f"Listening at ('127.0.0.1', {port})")
        client = tcpecho_send(port)
        self.assertEqual(client.returncode, 0, client.stderr)
        server.read_until("  message from client: b'Greetings, server'")

    def test_a_passed_socket_that_is_not_listening_is_refused(self):
        with socket.socket() as passed:
            passed.bind(("127.0.0.1", 0))
            script = f'exec 3<&{passed.fileno()}; LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" serve'
            result = subprocess.run(["sh", "-c", script, TCPECHO], pass_fds=(passed.fileno(),),
                                    capture_output=True, text=True, timeout=WAIT)
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stderr, "tcpecho: descriptor 3 from the service manager is not "
                                        "a listening TCP or Unix stream socket\n")


def socket_wait_writable(sock, timeout):
    import select
    select.select([], [sock], [], timeout)


if __name__ == "__main__":
    unittest.main()
