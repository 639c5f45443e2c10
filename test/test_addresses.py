"""Where serve listens without --listen: `--host ::` takes IPv4 clients too
and prints them as the seed's server does, a name listens on every address
it has, and a socket handed over by the service manager is served."""
import socket
import subprocess
import unittest

from processes import (TCPECHO, WAIT, Server, ServerTest, assigned_socket, seed_server,
                       tcpecho_send)


class DualStack(ServerTest):
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


def activated(passed):
    """The command that starts tcpecho as systemd would: the socket as
    descriptor 3, LISTEN_PID and LISTEN_FDS naming it."""
    script = f'exec 3<&{passed.fileno()}; LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" serve'
    return ["sh", "-c", script, TCPECHO]


class SocketActivation(unittest.TestCase):
    def serve_with_passed_socket(self, passed):
        return Server(activated(passed), pass_fds=(passed.fileno(),))

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
            result = subprocess.run(activated(passed), pass_fds=(passed.fileno(),),
                                    capture_output=True, text=True, timeout=WAIT)
        self.assertEqual(result.returncode, 6)
        self.assertEqual(result.stderr, "tcpecho: descriptor 3 from the service manager is not "
                                        "a listening TCP or Unix stream socket\n")


if __name__ == "__main__":
    unittest.main()
