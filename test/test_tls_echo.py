"""Echo over TLS, record by record: records sent in one segment are each
echoed, a record longer than the server's first read of it is echoed whole,
a client's end with close_notify and one without are told apart, also when
the end comes in the same segment as the last records, and a record that
fails is told after those before it are echoed. The client is Python's ssl
module over memory BIOs, so that the test decides which records go out in
one send()."""
import re
import socket
import ssl
import unittest

from processes import TCPECHO, WAIT, Server


class MemoryClient:
    """A TLS client whose records go out only at flush(), all in one send()."""

    def __init__(self, port):
        self.raw = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the server's temporary certificate
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname="127.0.0.1")
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.flush()
                self.receive()
        self.flush()

    def close(self):
        self.raw.close()

    def flush(self):
        self.raw.sendall(self.outgoing.read())

    def receive(self):
        data = self.raw.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.incoming.write(data)

    def read(self, size):
        got = b""
        while len(got) < size:
            try:
                got += self.tls.read(size - len(got))
            except ssl.SSLWantReadError:
                self.receive()
        return got

    def close_notify(self):
        try:
            self.tls.unwrap()
        except ssl.SSLWantReadError:
            pass  # the server's close_notify is not awaited
        self.flush()
        self.raw.shutdown(socket.SHUT_WR)


class EchoRecords(unittest.TestCase):
    def setUp(self):
        self.server = Server([TCPECHO, "serve", "--port", "0", "--tls", "--mode", "echo"])
        self.addCleanup(self.server.kill)
        self.server.read_until("Waiting for a new connection")
        self.client = MemoryClient(self.server.port)
        self.addCleanup(self.client.close)

    def closing_line(self):
        return self.server.read_until_prefix("  Closing socket")

    def assert_closed_for(self, reason):
        """The closing line of a connection that ended for `reason`."""
        self.assertRegex(self.closing_line(),
                         r"^  Closing socket \('127\.0\.0\.1', \d+\): " + re.escape(reason) + "$")

    def write_records(self, *words):
        """A record for each word, held until the next send()."""
        for word in words:
            self.client.tls.write(word)

    def records(self, *words):
        """A record for each word, as they would go out in one send()."""
        self.write_records(*words)
        return self.client.outgoing.read()

    def test_records_sent_in_one_segment_are_each_echoed(self):
        self.write_records(b"first", b"second", b"third")
        self.client.flush()  # 81 bytes in one send()
        self.assertEqual(self.client.read(16), b"firstsecondthird")
        self.client.close_notify()
        self.assertEqual(self.closing_line(), "  Closing socket after echoing 16 bytes")

    def test_a_long_record_then_a_short_one_are_echoed_whole(self):
        long_record = bytes(range(256)) * 16
        self.client.tls.write(long_record)
        self.client.tls.write(b"after")
        self.client.flush()
        self.assertEqual(self.client.read(len(long_record) + 5), long_record + b"after")
        self.client.close_notify()
        self.assertEqual(self.closing_line(), "  Closing socket after echoing 4101 bytes")

    def test_records_and_the_end_sent_together_are_each_echoed_then_the_end_told(self):
        self.write_records(b"first", b"second", b"third")
        self.client.close_notify()  # the records and close_notify in one send(), then FIN
        self.assertEqual(self.client.read(16), b"firstsecondthird")
        self.assertEqual(self.closing_line(), "  Closing socket after echoing 16 bytes")

    def test_records_then_an_end_without_close_notify_are_echoed_then_told(self):
        self.client.raw.sendall(self.records(b"first", b"second"))
        self.client.raw.shutdown(socket.SHUT_WR)  # straight after them, without close_notify
        self.assertEqual(self.client.read(11), b"firstsecond")
        self.assert_closed_for("closed without TLS close_notify; echoed 11 bytes")

    def test_a_record_cut_short_by_the_end_is_told_after_the_whole_ones_are_echoed(self):
        records = self.records(b"whole", b"cut short")
        self.client.raw.sendall(records[:-4])  # the second record without its last bytes
        self.client.raw.shutdown(socket.SHUT_WR)
        self.assertEqual(self.client.read(5), b"whole")
        self.assert_closed_for("closed without TLS close_notify; echoed 5 bytes")

    def test_a_corrupt_record_is_told_after_the_whole_ones_before_it_are_echoed(self):
        records = bytearray(self.records(b"whole", b"corrupt"))
        records[-1] ^= 1  # the second record's tag no longer matches
        self.client.raw.sendall(records)  # both in one segment
        self.assertEqual(self.client.read(5), b"whole")
        self.assert_closed_for("decryption failed or bad record mac (SSL routines); echoed 5 bytes")

    def test_an_end_without_close_notify_is_reported_as_such(self):
        self.client.tls.write(b"hello")
        self.client.flush()
        self.assertEqual(self.client.read(5), b"hello")
        self.client.raw.shutdown(socket.SHUT_WR)  # the end, without close_notify
        self.assert_closed_for("closed without TLS close_notify; echoed 5 bytes")


if __name__ == "__main__":
    unittest.main()
