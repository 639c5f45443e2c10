"""TLS trust and choice: the server's certificate refused by kind (unknown
issuer, self-signed, expired, another host's), SNI, pinning, --tls-insecure;
client certificates required and refused; the profile negotiated by default
and as the options change it."""
import hashlib
import socket
import ssl
import threading
import unittest

from processes import TCPECHO, WAIT, Server, tcpecho
from tls_peers import REPLY_LINE, TlsTestCase, python_client_context, send_tls
from tls_peers import setUpModule, tearDownModule  # noqa: F401 (unittest runs them)


class Verification(TlsTestCase):
    def test_an_unknown_issuer_is_refused(self):
        server = self.serve()
        self.assert_one_line_failure(send_tls(server.port), 4, "TLS handshake failed with",
                                     "unable to get local issuer certificate")

    def test_a_self_signed_certificate_is_refused_without_a_pin(self):
        server = Server([TCPECHO, "serve", "--port", "0", "--tls"])
        self.addCleanup(server.kill)
        self.assert_one_line_failure(send_tls(server.port), 4, "self-signed certificate")

    def test_an_expired_certificate_is_refused(self):
        server = self.serve(credentials=self.certificates.expired)
        self.assert_one_line_failure(send_tls(server.port, "--tls-ca", self.certificates.ca[0]), 4,
                                     "certificate has expired")

    def test_a_certificate_for_another_host_is_refused(self):
        server = self.serve(credentials=self.certificates.other_host)
        self.assert_one_line_failure(send_tls(server.port, "--tls-ca", self.certificates.ca[0]), 4,
                                     "IP address mismatch")
        self.assert_one_line_failure(
            send_tls(server.port, "--tls-ca", self.certificates.ca[0], host="localhost"), 4,
            "hostname mismatch")

    def test_send_names_the_host_in_sni_and_not_an_address(self):
        names = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self.certificates.server)
        context.sni_callback = lambda connection, name, _: names.append(name)
        with socket.create_server(("127.0.0.1", 0)) as listener:
            def serve(count):
                for _ in range(count):
                    connection, _ = listener.accept()
                    with context.wrap_socket(connection, server_side=True) as tls:
                        while tls.recv(1024):
                            pass
                        tls.sendall(b"Goodbye, client!")
                        tls.unwrap()

            thread = threading.Thread(target=serve, args=(2,))
            thread.start()
            port = listener.getsockname()[1]
            by_name = send_tls(port, "--tls-ca", self.certificates.ca[0], host="localhost")
            by_address = send_tls(port, "--tls-ca", self.certificates.ca[0])
            thread.join(WAIT)
        self.assertEqual((by_name.returncode, by_address.returncode), (0, 0),
                         by_name.stderr + by_address.stderr)
        self.assertEqual(names, ["localhost", None])  # RFC 6066: no addresses in SNI

    def test_a_pin_accepts_its_certificate_whoever_signed_it_and_refuses_any_other(self):
        server = self.serve()
        with open(self.certificates.server[0]) as pem:
            der = ssl.PEM_cert_to_DER_cert(pem.read())
        good = hashlib.sha256(der).hexdigest()
        pinned = send_tls(server.port, "--tls-fingerprint", good)
        self.assertEqual((pinned.returncode, pinned.stderr), (0, ""))
        wrong = ("0" if good[0] != "0" else "1") + good[1:]
        self.assert_one_line_failure(send_tls(server.port, "--tls-fingerprint", wrong), 4,
                                     "certificate does not match --tls-fingerprint")

    def test_insecure_checks_nothing_and_says_so(self):
        server = self.serve(credentials=self.certificates.expired)
        result = send_tls(server.port, "--tls-insecure")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.endswith(REPLY_LINE))
        self.assertIn("--tls-insecure: the server's certificate is not checked", result.stderr)


class ClientCertificates(TlsTestCase):
    def serve_requiring(self):
        return self.serve("--tls-client-ca", self.certificates.ca[0], "--verbose")

    def test_a_certificate_the_ca_signed_is_accepted_and_named(self):
        server = self.serve_requiring()
        cert, key = self.certificates.client
        result = send_tls(server.port, "--tls-ca", self.certificates.ca[0], "--tls-cert", cert,
                          "--tls-key", key)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = server.read_until("Waiting for a new connection")
        self.assertIn("peer certificate CN=tcpecho test client", lines[3])

    def test_no_certificate_is_reported_as_a_certificate_required_every_time(self):
        # TLS 1.3: the refusal comes after the client's handshake has ended,
        # as an alert or as a reset that overtook it; both are exit 4.
        server = self.serve_requiring()
        for _ in range(10):
            result = send_tls(server.port, "--tls-ca", self.certificates.ca[0])
            self.assert_one_line_failure(result, 4, "certificate required")
            server.read_until_prefix("  Closing socket")

    def test_no_certificate_or_one_another_ca_signed_is_refused(self):
        server = self.serve_requiring()
        cert, key = self.certificates.stranger
        for extra in ([], ["--tls-cert", cert, "--tls-key", key]):
            result = send_tls(server.port, "--tls-ca", self.certificates.ca[0], *extra)
            self.assertIn(result.returncode, (4, 5), result.stderr)
            self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
            refused = server.read_until_prefix("  Closing socket")
            self.assertIn("TLS handshake failed", refused)
        self.assertIn("certificate", refused)


def negotiated(port, maximum=None):
    """The version and cipher a Python client with its defaults gets."""
    context = python_client_context()
    if maximum:
        context.maximum_version = maximum
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"Greetings, server")
            while tls.recv(1024):
                pass
            return tls.version(), tls.cipher()[0]


class Profile(TlsTestCase):
    def test_defaults_are_mozilla_intermediate_with_aes_128_first_by_the_servers_choice(self):
        server = self.serve("--quiet")
        # Python's client, like OpenSSL's, lists AES-256 first: the server's
        # order decides.
        self.assertEqual(negotiated(server.port), ("TLSv1.3", "TLS_AES_128_GCM_SHA256"))
        self.assertEqual(negotiated(server.port, ssl.TLSVersion.TLSv1_2),
                         ("TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256"))

    def test_min_version_and_cipher_lists_change_what_is_negotiated(self):
        only13 = self.serve("--quiet", "--tls-min-version", "1.3")
        with self.assertRaises(ssl.SSLError):
            negotiated(only13.port, ssl.TLSVersion.TLSv1_2)
        self.assertEqual(negotiated(only13.port)[0], "TLSv1.3")
        chosen = self.serve("--quiet", "--tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256",
                            "--tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384")
        self.assertEqual(negotiated(chosen.port), ("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"))
        self.assertEqual(negotiated(chosen.port, ssl.TLSVersion.TLSv1_2),
                         ("TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384"))

    def test_a_list_openssl_cannot_use_is_refused_at_start(self):
        cert, key = self.certificates.server
        for option in ("--tls-ciphers", "--tls-ciphersuites"):
            result = tcpecho("serve", "--port", "0", "--tls", "--tls-cert", cert, "--tls-key", key,
                             option, "NO-SUCH-CIPHER")
            self.assert_one_line_failure(result, 2, option, "NO-SUCH-CIPHER")
        result = tcpecho("serve", "--port", "0", "--tls", "--tls-min-version", "1.1")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--tls-min-version", result.stderr)


if __name__ == "__main__":
    unittest.main()
