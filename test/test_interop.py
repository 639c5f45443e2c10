"""tcpecho against the seed's Python scripts (seed_server.py, seed_client.py):
every pairing of client and server must produce the same transcripts, byte
for byte, once the port numbers are set aside."""
import itertools
import re
import shutil
import socket
import subprocess
import unittest

from processes import (WAIT, assigned_socket, seed_block, seed_send, seed_server, tcpecho_send,
                       tcpecho_server)

SERVERS = {"tcpecho": tcpecho_server, "seed": seed_server}
CLIENTS = {"tcpecho": tcpecho_send, "seed": seed_send}


def without_ports(lines):
    return [re.sub(r"(', )\d+", r"\1PORT", line) for line in lines]


class Interop(unittest.TestCase):
    def exchange(self, server_kind, client_kind, host):
        server = SERVERS[server_kind](host)
        self.addCleanup(server.kill)
        server.read_until("Waiting for a new connection")
        client = CLIENTS[client_kind](server.port, host)
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertEqual(client.stderr, "")
        me = assigned_socket(client.stdout)
        block = server.read_until("Waiting for a new connection")
        self.assertEqual(block, seed_block(server.address, me))
        return without_ports(server.transcript), without_ports(client.stdout.splitlines())

    def test_every_pairing_prints_the_same(self):
        for host in ["127.0.0.1", "::1"]:
            transcripts = {}
            for server_kind, client_kind in itertools.product(SERVERS, CLIENTS):
                with self.subTest(server=server_kind, client=client_kind, host=host):
                    transcripts[server_kind, client_kind] = self.exchange(
                        server_kind, client_kind, host)
            reference = transcripts["seed", "seed"]
            for pairing, transcript in transcripts.items():
                self.assertEqual(transcript, reference, pairing)



def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@unittest.skipUnless(shutil.which("ncat"), "ncat (Debian package ncat) is not installed")
class Ncat(unittest.TestCase):
    """ncat --exec /bin/cat ends the connection when the client's end reaches
    cat, before cat's answer has gone out: send must not half-close there."""

    def setUp(self):
        self.port = free_port()
        self.ncat = subprocess.Popen(["ncat", "-v", "-l", "-k", "--exec", "/bin/cat",
                                      "127.0.0.1", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_ncat)
        for line in self.ncat.stderr:  # ends when ncat does: no unbounded wait
            if "Listening on" in line:
                return
        self.fail("ncat did not listen")

    def stop_ncat(self):
        self.ncat.kill()
        self.ncat.wait(timeout=WAIT)
        self.ncat.stderr.close()

    def test_no_half_close_reads_the_echo_up_to_the_expected_length(self):
        result = tcpecho_send(self.port, "127.0.0.1", "--no-half-close",
                              "--expect", "Greetings, server")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[1], "Server:  b'Greetings, server'")

    def test_no_half_close_without_expect_ends_the_reply_at_the_timeout(self):
        result = tcpecho_send(self.port, "127.0.0.1", "--no-half-close", "--timeout", "0.5")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[1], "Server:  b'Greetings, server'")


if __name__ == "__main__":
    unittest.main()
