"""TLS and bad input: plaintext on a TLS port, TLS on a plain port, a
handshake that stops halfway, a server that never answers the handshake, a
close without close_notify, and certificate files that cannot be used:
each one line, the right exit status, and the next client still served."""
import os
import socket
import ssl
import threading
import unittest

from processes import TCPECHO, WAIT, Server, tcpecho, tcpecho_send
from tls_peers import TlsTestCase, send_tls
from tls_peers import setUpModule, tearDownModule  # noqa: F401 (unittest runs them)


class BadInput(TlsTestCase):
    def test_a_plaintext_client_on_a_tls_port_gets_one_line_and_the_next_client_is_served(self):
        server = self.serve()
        plain = tcpecho_send(server.port)
        self.assertEqual(plain.returncode, 5, plain.stderr)
        self.assertIn("TLS handshake failed", server.read_until_prefix("  Closing socket"))
        good = send_tls(server.port, "--tls-ca", self.certificates.ca[0])
        self.assertEqual(good.returncode, 0, good.stderr)

    def test_a_tls_client_on_a_plain_port_fails_in_the_handshake(self):
        server = Server([TCPECHO, "serve", "--port", "0"])
        self.addCleanup(server.kill)
        self.assert_one_line_failure(send_tls(server.port, "--tls-fingerprint", "00" * 32), 4,
                                     "TLS handshake failed with 127.0.0.1 port")

    def test_a_handshake_that_stops_halfway_is_cut_at_the_timeout(self):
        server = self.serve("--timeout", "0.5")
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as raw:
            raw.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello's start
            self.assertEqual(raw.recv(1024), b"")
        self.assertIn("TLS handshake failed: timed out after 0.5s",
                      server.read_until_prefix("  Closing socket"))

    def test_send_gives_up_on_a_handshake_at_its_timeout(self):
        with socket.create_server(("127.0.0.1", 0)) as silent:
            port = silent.getsockname()[1]
            result = send_tls(port, "--tls-fingerprint", "00" * 32, "--timeout", "0.5")
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn(f"timed out after 0.5s in the TLS handshake with 127.0.0.1 port {port}",
                      result.stderr)

    def test_a_close_without_close_notify_after_the_reply_is_not_success(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self.certificates.server)
        with socket.create_server(("127.0.0.1", 0)) as listener:
            def serve_once():
                connection, _ = listener.accept()
                with context.wrap_socket(connection, server_side=True) as tls:
                    while tls.recv(1024):  # the message, then the client's close_notify
                        pass
                    tls.sendall(b"Goodbye, client!")
                # closed without unwrap(): no close_notify

            thread = threading.Thread(target=serve_once)
            thread.start()
            result = send_tls(listener.getsockname()[1], "--tls-ca", self.certificates.ca[0])
            thread.join(WAIT)
        self.assert_one_line_failure(result, 5, "without TLS close_notify after b'Goodbye, client!'")

    def test_unusable_certificate_files_are_one_line_and_exit_2(self):
        cert, _ = self.certificates.server
        _, other_key = self.certificates.client
        mismatched = tcpecho("serve", "--port", "0", "--tls", "--tls-cert", cert,
                             "--tls-key", other_key)
        self.assert_one_line_failure(mismatched, 2, "cannot use --tls-key", "mismatch")
        not_pem = tcpecho("serve", "--port", "0", "--tls", "--tls-cert", os.devnull,
                          "--tls-key", other_key)
        self.assert_one_line_failure(not_pem, 2, "cannot use --tls-cert")
        missing = tcpecho("send", "--tls", "--tls-ca", "/nonexistent/ca.pem")
        self.assertEqual(missing.returncode, 2, missing.stderr)
        not_a_ca = tcpecho("send", "--tls", "--tls-ca", "/etc/passwd")
        self.assert_one_line_failure(not_a_ca, 2, "tcpecho: cannot use --tls-ca /etc/passwd")
        client_cert, _ = self.certificates.client
        _, server_key = self.certificates.server
        mismatched = tcpecho("send", "--tls", "--tls-ca", self.certificates.ca[0],
                             "--tls-cert", client_cert, "--tls-key", server_key)
        self.assert_one_line_failure(mismatched, 2, "tcpecho: cannot use --tls-key", "mismatch")
        needs_tls = tcpecho("send", "--tls-insecure")
        self.assertEqual(needs_tls.returncode, 2, needs_tls.stderr)


if __name__ == "__main__":
    unittest.main()
