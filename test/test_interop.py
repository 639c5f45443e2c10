"""tcpecho against the seed's Python scripts (seed_server.py, seed_client.py):
every pairing of client and server must produce the same transcripts, byte
for byte, once the port numbers are set aside."""
import itertools
import re
import unittest

from processes import (assigned_socket, seed_block, seed_send, seed_server, tcpecho_send,
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


if __name__ == "__main__":
    unittest.main()
