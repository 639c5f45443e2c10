"""What the TLS test modules share: the certificates they are made with, a
tcpecho server over TLS, `send --tls`, and Python's ssl module as the client
that tcpecho's ends are checked against. A test module imports
setUpModule and tearDownModule from here, so that the certificates are made
once for it and removed after it."""
import socket
import ssl
import unittest

from certificates import Certificates
from processes import TCPECHO, WAIT, Server, tcpecho_send

REPLY_LINE = "Server:  b'Goodbye, client!'\n"
certificates = None


def setUpModule():
    global certificates
    certificates = Certificates()


def tearDownModule():
    certificates.cleanup()


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
    @property
    def certificates(self):
        return certificates

    def serve(self, *args, credentials=None):
        cert, key = credentials or certificates.server
        server = Server([TCPECHO, "serve", "--port", "0", "--tls", "--tls-cert", cert,
                         "--tls-key", key, *args])
        self.addCleanup(server.kill)
        if "--quiet" not in args:  # --quiet prints no "Waiting" line
            server.read_until("Waiting for a new connection")
        return server

    def assert_one_line_failure(self, result, status, *fragments):
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
