"""The container image: deploy/container/stage-rootfs lays out this build's
binary with only what it loads, and deploy/container/Containerfile makes a
scratch image of it with podman (its runtime settings for this machine in a
CONTAINERS_CONF of the test's own). The image is at most 15 MB, holds no
shell, runs as a non-root user, serves the seed's exchange and an echo
through a published port, and sends from inside to a server outside, over
TCP and TLS, configured by TCPECHO_* variables."""
import json
import os
import socket
import subprocess
import tarfile
import tempfile
import unittest

from certificates import Certificates
from packaging import SOURCE, WAIT_BUILD, needs, report
from processes import TCPECHO, WAIT, Server, assigned_socket, run, seed_send, tcpecho_server

CONTAINER = os.path.join(SOURCE, "deploy", "container")
IMAGE = f"localhost/tcpecho-test:{os.getpid()}"
LIMIT = 15_000_000  # bytes
# crun refuses this machine's cgroups and its ulimits cannot be raised. The
# published port goes through slirp4netns, in user space: podman's bridge
# network would add NAT rules to the machine's firewall, and with them
# connection tracking on loopback, whose table the suite's benches then fill.
CONTAINERS_CONF = """[containers]
default_ulimits = []
netns = "slirp4netns"
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
network_cmd_options = ["port_handler=slirp4netns"]
"""
SANITIZED = os.environ.get("TCPECHO_SANITIZERS", "none") not in ("", "none")


def podman(*args, timeout=WAIT_BUILD):
    return run(["podman", *args], timeout=timeout)


@unittest.skipIf(SANITIZED, "a sanitizer build's binary is not what the image ships")
@needs("podman", "runc", "slirp4netns", "strip", "ldd", root=True)
class Image(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        conf = os.path.join(cls.folder.name, "containers.conf")
        with open(conf, "w") as f:
            f.write(CONTAINERS_CONF)
        os.environ["CONTAINERS_CONF"] = conf  # for this test's podman only
        rootfs = os.path.join(cls.folder.name, "rootfs")
        staged = run([os.path.join(CONTAINER, "stage-rootfs"), TCPECHO, rootfs], timeout=60)
        assert staged.returncode == 0, staged.stderr
        built = podman("build", "--quiet", "--tag", IMAGE, "--file",
                       os.path.join(CONTAINER, "Containerfile"), rootfs)
        assert built.returncode == 0, built.stderr
        cls.size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
        report("container image", IMAGE, cls.size)

    @classmethod
    def tearDownClass(cls):
        podman("rmi", "--force", IMAGE)
        cls.folder.cleanup()

    def start(self, *args, name):
        """The image serving on a port published on 127.0.0.1; its stdout is
        read as the server's transcript."""
        server = Server(["podman", "run", "--rm", "--name", name, "--publish",
                         "127.0.0.1::3000", IMAGE, *args], wait=120)
        self.addCleanup(podman, "rm", "--force", "--time", "0", name)
        self.addCleanup(server.kill)
        self.assertEqual(server.next_line(), "Waiting for a new connection")
        published = podman("port", name, "3000/tcp").stdout.split(":")[-1]
        return server, int(published)

    def test_it_is_small_and_holds_only_what_tcpecho_needs(self):
        self.assertLessEqual(self.size, LIMIT)
        config = json.loads(podman("image", "inspect", IMAGE).stdout)[0]["Config"]
        self.assertEqual(config["Entrypoint"], ["/tcpecho"])
        self.assertEqual(config["Cmd"], ["serve", "--host", "::", "--port", "3000"])
        self.assertEqual(config["User"], "65532:65532")
        container = podman("create", IMAGE).stdout.strip()
        self.addCleanup(podman, "rm", container)
        exported = os.path.join(self.folder.name, "exported.tar")
        self.assertEqual(podman("export", "--output", exported, container).returncode, 0)
        with tarfile.open(exported) as tar:
            files = {member.name for member in tar.getmembers() if member.isfile()}
        self.assertIn("tcpecho", files)
        self.assertIn("etc/ssl/certs/ca-certificates.crt", files)
        self.assertFalse({"bin/sh", "usr/bin/sh", "bin/busybox", "usr/bin/apt"} & files)
        self.assertTrue(all(name.startswith(("tcpecho", "etc/", "lib/", "lib64/"))
                            for name in files), sorted(files))

    def test_it_serves_the_seed_through_a_published_port_as_no_root(self):
        name = f"tcpecho-test-seed-{os.getpid()}"
        server, port = self.start(name=name)
        pid = podman("inspect", "--format", "{{.State.Pid}}", name).stdout.strip()
        with open(f"/proc/{pid}/status") as f:
            self.assertIn("Uid:\t65532\t65532\t65532\t65532\n", f.read())
        reply = seed_send(port)
        self.assertEqual(reply.stdout.splitlines()[1], "Server:  b'Goodbye, client!'")
        self.assertTrue(server.next_line().startswith("Connection from "))
        self.assertEqual(server.read_until_prefix("  message from client: "),
                         "  message from client: b'Greetings, server'")

    def test_it_echoes_through_a_published_port(self):
        _, port = self.start("serve", "--host", "::", "--port", "3000", "--mode", "echo",
                             name=f"tcpecho-test-echo-{os.getpid()}")
        payload = bytes(range(256)) * 64
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
            client.sendall(payload)
            client.shutdown(socket.SHUT_WR)
            echoed = b""
            while chunk := client.recv(65536):
                echoed += chunk
        self.assertEqual(echoed, payload)

    def test_it_sends_to_a_server_outside_named_by_tcpecho_variables(self):
        server = tcpecho_server()
        self.addCleanup(server.kill)
        result = podman("run", "--rm", "--network", "host", "--env", "TCPECHO_HOST=127.0.0.1",
                        "--env", f"TCPECHO_PORT={server.port}", IMAGE, "send", timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[1], "Server:  b'Goodbye, client!'")
        self.assertEqual(server.read_until_prefix("Connection from "),
                         f"Connection from {assigned_socket(result.stdout)}")

    def test_it_sends_over_tls_trusting_the_certificates_openssl_is_pointed_at(self):
        certificates = Certificates()
        self.addCleanup(certificates.cleanup)
        cert, key = certificates.server
        server = tcpecho_server("127.0.0.1", "--tls", "--tls-cert", cert, "--tls-key", key)
        self.addCleanup(server.kill)
        # The image's own bundle does not know the test's CA: refused.
        refused = podman("run", "--rm", "--network", "host", IMAGE, "send", "--tls",
                         "--port", str(server.port), timeout=120)
        self.assertEqual(refused.returncode, 4, refused.stdout)
        self.assertIn("unable to get local issuer certificate", refused.stderr)
        # The same CA put where SSL_CERT_FILE says: trusted.
        trusted = podman("run", "--rm", "--network", "host", "--volume",
                         f"{certificates.ca[0]}:/etc/ssl/certs/ca-certificates.crt:ro",
                         IMAGE, "send", "--tls", "--port", str(server.port), timeout=120)
        self.assertEqual(trusted.returncode, 0, trusted.stderr)
        self.assertEqual(trusted.stdout.splitlines()[1], "Server:  b'Goodbye, client!'")
