"""TLS: serve, send over TLS against independent implementations (Python's
ssl module, the openssl command) both ways, with certificates made at test
time; verification failures by kind, pinning, client certificates,
resumption, and every bad input: plaintext on a TLS port, TLS on a plain
port, a handshake that stops halfway, a close without close_notify."""
import hashlib
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import unittest

from certificates import Certificates
from processes import (SEED_CLIENT, SEED_SERVER, TCPECHO, WAIT, Server, assigned_socket, run,
                       seed_block, tcpecho, tcpecho_send)

REPLY_LINE = "Server:  b'Goodbye, client!'\n"
certificates = None


def setUpModule():
    global certificates
    certificates = Certificates()


def tearDownModule():
    certificates.cleanup()


def tls_server(*args, credentials=None):
    cert, key = credentials or certificates.server
    return Server([TCPECHO, "serve", "--port", "0", "--tls", "--tls-cert", cert, "--tls-key", key,
                   *args])


def send_tls(port, *args, host="127.0.0.1"):
    return tcpecho_send(port, host, "--tls", *args)


def python_client_context(cafile=None):
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def python_exchange(port, context, session=None, message=b"Greetings, server"):
    """One exchange as the seed's client makes it, over Python's TLS;
    returns the reply and the TLS socket's session facts."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as tls:
            tls.sendall(message)
            reply = b""
            while more := tls.recv(1024):
                reply += more
            return reply, tls.session, tls.session_reused, tls.getpeercert(binary_form=True)


class TlsTestCase(unittest.TestCase):
    def serve(self, *args, **kwargs):
        server = tls_server(*args, **kwargs)
        self.addCleanup(server.kill)
        if "--quiet" not in args:  # --quiet prints no "Waiting" line
            server.read_until("Waiting for a new connection")
        return server

    def assert_one_line_failure(self, result, status, *fragments):
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)


class Transcripts(TlsTestCase):
    def test_serve_prints_the_seed_servers_transcript_for_the_seed_client_over_tls(self):
        cert, key = certificates.server
        transcripts = []
        for command in ([*SEED_SERVER, "--tls", cert, key, "127.0.0.1", "0"],
                        [TCPECHO, "serve", "--port", "0", "--tls", "--tls-cert", cert,
                         "--tls-key", key]):
            server = Server(command)
            self.addCleanup(server.kill)
            server.read_until("Waiting for a new connection")
            client = run([*SEED_CLIENT, "--tls", certificates.ca[0], "127.0.0.1",
                          str(server.port)])
            self.assertEqual(client.returncode, 0, client.stderr)
            address = assigned_socket(client.stdout)
            self.assertEqual(client.stdout,
                             f"Client has been assigned the socket:  {address}\n" + REPLY_LINE)
            server.read_until("Waiting for a new connection")
            self.assertEqual(server.transcript[2:], seed_block(server.address, address))
            transcripts.append(server.transcript[0])
        self.assertEqual(transcripts[0].split(",")[0], transcripts[1].split(",")[0])

    def test_send_against_the_seed_server_over_tls_prints_what_the_seed_client_prints(self):
        cert, key = certificates.server
        server = Server([*SEED_SERVER, "--tls", cert, key, "127.0.0.1", "0"])
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        ours = send_tls(server.port, "--tls-ca", certificates.ca[0])
        self.assertEqual(ours.returncode, 0, ours.stderr)
        self.assertEqual(ours.stderr, "")
        address = assigned_socket(ours.stdout)
        self.assertEqual(ours.stdout,
                         f"Client has been assigned the socket:  {address}\n" + REPLY_LINE)
        server.read_until("Waiting for a new connection")
        self.assertEqual(server.transcript[2:], seed_block(server.address, address))

    def test_openssl_s_client_gets_the_reply(self):
        server = self.serve()
        client = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-CAfile",
             certificates.ca[0], "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet"],
            input=b"Greetings, server", capture_output=True, timeout=WAIT)
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertEqual(client.stdout, b"Goodbye, client!")
        lines = server.read_until("Waiting for a new connection")
        self.assertIn("  message from client: b'Greetings, server'", lines)

    def test_send_against_openssl_s_server(self):
        with socket.socket() as probe:  # a free port, for s_server, which cannot say its own
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cert, key = certificates.server
        # -rev: each line comes back reversed, then the end of the stream.
        server = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key", key,
             "-naccept", "1", "-rev"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self.addCleanup(server.stdout.close)
        self.addCleanup(server.kill)
        while (line := server.stdout.readline()) and line.strip() != "ACCEPT":
            pass
        result = send_tls(port, "--tls-ca", certificates.ca[0], "--message", "revres ,sgniteerG\\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.endswith("Server:  b'Greetings, server\\n'\n"), result.stdout)
        server.wait(timeout=WAIT)

    def test_tls_1_2_clients_are_served(self):
        server = self.serve("--verbose")
        context = python_client_context(certificates.ca[0])
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        self.assertEqual(python_exchange(server.port, context)[0], b"Goodbye, client!")
        self.assertTrue(server.read_until_prefix("  TLS: ").startswith("  TLS: TLSv1.2, ECDHE-"))

    def test_threads_share_one_certificate(self):
        server = self.serve("--threads", "3", "--quiet")
        for _ in range(6):
            result = send_tls(server.port, "--tls-ca", certificates.ca[0])
            self.assertEqual((result.returncode, result.stderr), (0, ""))

    def test_tls_over_a_unix_socket(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "tls.sock")
            server = Server([TCPECHO, "serve", "--unix", path, "--tls"])
            self.addCleanup(server.kill)
            fingerprint = server.next_error().rsplit(" ", 1)[1]
            result = tcpecho("send", "--unix", path, "--tls", "--tls-fingerprint", fingerprint)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, "Client has been assigned the socket:  \n" + REPLY_LINE)

    def test_echo_mode_sends_back_a_megabyte_over_tls(self):
        server = self.serve("--mode", "echo")
        context = python_client_context(certificates.ca[0])
        chunk = 64 * 1024  # several records each way; fits the socket buffers
        payload = os.urandom(16 * chunk)
        echoed = b""
        # One thread: an SSL connection is not to be read and written at once.
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                for start in range(0, len(payload), chunk):
                    tls.sendall(payload[start:start + chunk])
                    while len(echoed) < start + chunk and (more := tls.recv(chunk)):
                        echoed += more
        self.assertEqual(echoed, payload)

    def test_verbose_names_protocol_cipher_and_group_on_both_sides(self):
        server = self.serve("--verbose")
        client = send_tls(server.port, "--tls-ca", certificates.ca[0], "--verbose")
        self.assertEqual(client.returncode, 0, client.stderr)
        lines = client.stdout.splitlines()
        self.assertRegex(lines[1], r"^TLS: TLSv1\.3, TLS_\w+, \w+, peer certificate CN=localhost$")
        self.assertEqual(lines[2], REPLY_LINE.rstrip("\n"))
        served = server.read_until("Waiting for a new connection")
        self.assertRegex(served[3], r"^  TLS: TLSv1\.3, TLS_\w+, \w+$")


class TemporaryCertificate(TlsTestCase):
    def test_serve_without_a_certificate_makes_one_and_prints_its_fingerprint(self):
        server = Server([TCPECHO, "serve", "--port", "0", "--tls"])
        self.addCleanup(server.kill)
        announced = server.next_error()
        self.assertIn("a temporary self-signed certificate for", announced)
        self.assertIn(" 127.0.0.1", announced)
        self.assertIn(" localhost", announced)
        fingerprint = announced.rsplit(" ", 1)[1]
        server.read_until("Waiting for a new connection")

        reply, _, _, der = python_exchange(server.port, python_client_context())
        self.assertEqual(reply, b"Goodbye, client!")
        self.assertEqual(fingerprint.replace(":", "").lower(), hashlib.sha256(der).hexdigest())
        # It is a certificate for the address listened on: trusted as itself,
        # it passes Python's checks, host name included.
        trusted = ssl.create_default_context(cadata=ssl.DER_cert_to_PEM_cert(der))
        self.assertEqual(python_exchange(server.port, trusted)[0], b"Goodbye, client!")

        pinned = send_tls(server.port, "--tls-fingerprint", fingerprint.replace(":", "").lower())
        self.assertEqual((pinned.returncode, pinned.stderr), (0, ""))
        self.assertTrue(pinned.stdout.endswith(REPLY_LINE))


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
        server = self.serve(credentials=certificates.expired)
        self.assert_one_line_failure(send_tls(server.port, "--tls-ca", certificates.ca[0]), 4,
                                     "certificate has expired")

    def test_a_certificate_for_another_host_is_refused(self):
        server = self.serve(credentials=certificates.other_host)
        self.assert_one_line_failure(send_tls(server.port, "--tls-ca", certificates.ca[0]), 4,
                                     "IP address mismatch")
        self.assert_one_line_failure(
            send_tls(server.port, "--tls-ca", certificates.ca[0], host="localhost"), 4,
            "hostname mismatch")

    def test_send_names_the_host_in_sni_and_not_an_address(self):
        names = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificates.server)
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
            by_name = send_tls(port, "--tls-ca", certificates.ca[0], host="localhost")
            by_address = send_tls(port, "--tls-ca", certificates.ca[0])
            thread.join(WAIT)
        self.assertEqual((by_name.returncode, by_address.returncode), (0, 0),
                         by_name.stderr + by_address.stderr)
        self.assertEqual(names, ["localhost", None])  # RFC 6066: no addresses in SNI

    def test_a_pin_accepts_its_certificate_whoever_signed_it_and_refuses_any_other(self):
        server = self.serve()
        with open(certificates.server[0]) as pem:
            der = ssl.PEM_cert_to_DER_cert(pem.read())
        good = hashlib.sha256(der).hexdigest()
        pinned = send_tls(server.port, "--tls-fingerprint", good)
        self.assertEqual((pinned.returncode, pinned.stderr), (0, ""))
        wrong = ("0" if good[0] != "0" else "1") + good[1:]
        self.assert_one_line_failure(send_tls(server.port, "--tls-fingerprint", wrong), 4,
                                     "certificate does not match --tls-fingerprint")

    def test_insecure_checks_nothing_and_says_so(self):
        server = self.serve(credentials=certificates.expired)
        result = send_tls(server.port, "--tls-insecure")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.endswith(REPLY_LINE))
        self.assertIn("--tls-insecure: the server's certificate is not checked", result.stderr)


class ClientCertificates(TlsTestCase):
    def serve_requiring(self):
        return self.serve("--tls-client-ca", certificates.ca[0], "--verbose")

    def test_a_certificate_the_ca_signed_is_accepted_and_named(self):
        server = self.serve_requiring()
        cert, key = certificates.client
        result = send_tls(server.port, "--tls-ca", certificates.ca[0], "--tls-cert", cert,
                          "--tls-key", key)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = server.read_until("Waiting for a new connection")
        self.assertIn("peer certificate CN=tcpecho test client", lines[3])

    def test_no_certificate_is_reported_as_a_certificate_required_every_time(self):
        # TLS 1.3: the refusal comes after the client's handshake has ended,
        # as an alert or as a reset that overtook it; both are exit 4.
        server = self.serve_requiring()
        for _ in range(10):
            result = send_tls(server.port, "--tls-ca", certificates.ca[0])
            self.assert_one_line_failure(result, 4, "certificate required")
            server.read_until_prefix("  Closing socket")

    def test_no_certificate_or_one_another_ca_signed_is_refused(self):
        server = self.serve_requiring()
        cert, key = certificates.stranger
        for extra in ([], ["--tls-cert", cert, "--tls-key", key]):
            result = send_tls(server.port, "--tls-ca", certificates.ca[0], *extra)
            self.assertIn(result.returncode, (4, 5), result.stderr)
            self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
            refused = server.read_until_prefix("  Closing socket")
            self.assertIn("TLS handshake failed", refused)
        self.assertIn("certificate", refused)


class Resumption(TlsTestCase):
    def test_a_session_from_the_server_resumes(self):
        server = self.serve("--verbose")
        context = python_client_context(certificates.ca[0])
        reply, session, reused, _ = python_exchange(server.port, context)
        self.assertEqual((reply, reused), (b"Goodbye, client!", False))
        self.assertNotIn("resumed", server.read_until_prefix("  TLS: "))
        reply, _, reused, _ = python_exchange(server.port, context, session=session)
        self.assertEqual((reply, reused), (b"Goodbye, client!", True))
        self.assertIn(", resumed", server.read_until_prefix("  TLS: "))


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
        cert, key = certificates.server
        for option in ("--tls-ciphers", "--tls-ciphersuites"):
            result = tcpecho("serve", "--port", "0", "--tls", "--tls-cert", cert, "--tls-key", key,
                             option, "NO-SUCH-CIPHER")
            self.assert_one_line_failure(result, 2, option, "NO-SUCH-CIPHER")
        result = tcpecho("serve", "--port", "0", "--tls", "--tls-min-version", "1.1")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--tls-min-version", result.stderr)


class Bench(TlsTestCase):
    def bench(self, server, *args):
        result = tcpecho("bench", "--port", str(server.port), "--tls", "--tls-ca",
                         certificates.ca[0], "--duration", "0.5", "--warmup", "0", "--json",
                         *args, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def test_exchange_counts_full_and_resumed_handshakes_apart(self):
        server = self.serve("--quiet")
        full = self.bench(server, "--mode", "exchange", "-c", "4")
        self.assertEqual(full["tls"]["protocol"], "TLSv1.3")
        self.assertEqual(full["tls"]["certificate_key"], "EC 256 bits")
        self.assertGreater(full["tls"]["full_handshakes"]["count"], 0)
        self.assertEqual(full["tls"]["resumed_handshakes"]["count"], 0)
        resumed = self.bench(server, "--mode", "exchange", "-c", "4", "--tls-resume")
        # Each connection's first handshake is full; later ones resume, but
        # not all of them (a known gap: 30-55 % of them are full again).
        self.assertGreater(resumed["tls"]["resumed_handshakes"]["count"], 0)
        self.assertGreater(resumed["tls"]["full_handshakes"]["count"], 0)
        self.assertEqual(sum(resumed["errors"].values()), 0)

    def test_rr_and_stream_over_tls_check_every_byte(self):
        server = self.serve("--quiet", "--mode", "echo")
        rr = self.bench(server, "--mode", "rr", "-c", "8")
        stream = self.bench(server, "--mode", "stream", "-c", "2", "--size", "65536")
        for report in (rr, stream):
            self.assertGreater(report["operations"], 0)
            self.assertEqual(sum(report["errors"].values()), 0, report["errors"])
            self.assertEqual(report["tls"]["full_handshakes"]["count"], report["connections"])

    def test_a_certificate_that_fails_is_a_connect_failure_with_its_reason(self):
        server = self.serve("--quiet")
        result = tcpecho("bench", "--port", str(server.port), "--tls", "--duration", "0.2",
                         "--warmup", "0", "-c", "2")
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("unable to get local issuer certificate", result.stderr)


class BadInput(TlsTestCase):
    def test_a_plaintext_client_on_a_tls_port_gets_one_line_and_the_next_client_is_served(self):
        server = self.serve()
        plain = tcpecho_send(server.port)
        self.assertEqual(plain.returncode, 5, plain.stderr)
        self.assertIn("TLS handshake failed", server.read_until_prefix("  Closing socket"))
        good = send_tls(server.port, "--tls-ca", certificates.ca[0])
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
        context.load_cert_chain(*certificates.server)
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
            result = send_tls(listener.getsockname()[1], "--tls-ca", certificates.ca[0])
            thread.join(WAIT)
        self.assert_one_line_failure(result, 5, "without TLS close_notify after b'Goodbye, client!'")

    def test_unusable_certificate_files_are_one_line_and_exit_2(self):
        cert, _ = certificates.server
        _, other_key = certificates.client
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
        client_cert, _ = certificates.client
        _, server_key = certificates.server
        mismatched = tcpecho("send", "--tls", "--tls-ca", certificates.ca[0],
                             "--tls-cert", client_cert, "--tls-key", server_key)
        self.assert_one_line_failure(mismatched, 2, "tcpecho: cannot use --tls-key", "mismatch")
        needs_tls = tcpecho("send", "--tls-insecure")
        self.assertEqual(needs_tls.returncode, 2, needs_tls.stderr)


if __name__ == "__main__":
    unittest.main()
