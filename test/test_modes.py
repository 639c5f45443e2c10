"""serve --mode echo over loopback: every byte back, through many
connections and threads; flow control against a client that stops reading;
the transcript and the timeout in echo mode; --threads serving and draining."""
import os
import random
import select
import signal
import socket
import threading
import time
import unittest

from processes import WAIT, ServerTest, assigned_socket, tcpecho_send


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


class Echo(ServerTest):
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
                    select.select([], [sock], [], 0.05)  # until there is room
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


class Threads(ServerTest):
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


if __name__ == "__main__":
    unittest.main()
