"""deploy/k8s/: every manifest is valid against Kubernetes' schema, checked
offline by the kubernetes-models package (test/k8s/validate.js, after `npm
ci` in test/k8s); a manifest the schema refuses is refused; and the
Deployment's own command, run here, serves the seed's exchange and answers
the TCP probe its probes make."""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

from processes import TCPECHO, WAIT, Server, seed_send

try:
    import yaml
except ImportError:  # Debian python3-yaml
    yaml = None

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFESTS = sorted(glob.glob(os.path.join(HERE, "..", "deploy", "k8s", "*.yaml")))
VALIDATOR = os.path.join(HERE, "k8s", "validate.js")
INSTALLED = os.path.isdir(os.path.join(HERE, "k8s", "node_modules", "kubernetes-models"))


@unittest.skipUnless(shutil.which("node") and INSTALLED,
                     "node, or kubernetes-models (npm ci in test/k8s), is not installed")
class Schema(unittest.TestCase):
    def validate(self, *paths):
        return subprocess.run(["node", VALIDATOR, *paths], capture_output=True, text=True,
                              timeout=60)

    def test_every_manifest_is_valid(self):
        self.assertEqual(len(MANIFESTS), 3)
        result = self.validate(*MANIFESTS)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.count(" valid\n"), 3, result.stdout)

    def test_a_manifest_the_schema_refuses_is_refused(self):
        with open(os.path.join(HERE, "..", "deploy", "k8s", "deployment.yaml")) as f:
            text = f.read()
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as bad:
            bad.write(text.replace("replicas: 2", "replicas: two"))
            bad.flush()
            result = self.validate(bad.name)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("/spec/replicas must be integer", result.stdout)


@unittest.skipIf(yaml is None, "python3-yaml is not installed: the manifests are unread")
class Deployment(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(HERE, "..", "deploy", "k8s", "deployment.yaml")) as f:
            self.pod = yaml.safe_load(f)["spec"]["template"]["spec"]
        self.container = self.pod["containers"][0]

    def test_it_runs_as_no_root_on_a_read_only_root_with_limits_and_tcp_probes(self):
        self.assertTrue(self.pod["securityContext"]["runAsNonRoot"])
        self.assertTrue(self.container["securityContext"]["readOnlyRootFilesystem"])
        self.assertEqual(self.container["securityContext"]["capabilities"]["drop"], ["ALL"])
        for kind in ("requests", "limits"):
            self.assertEqual(set(self.container["resources"][kind]), {"cpu", "memory"})
        for probe in ("readinessProbe", "livenessProbe"):
            self.assertEqual(self.container[probe]["tcpSocket"]["port"], "tcpecho")
        self.assertEqual(self.container["ports"][0]["containerPort"], 3000)

    def test_its_command_serves_the_seed_and_answers_a_tcp_probe(self):
        args = self.container["args"]
        self.assertEqual(args[:1], ["serve"])
        self.assertIn("--threads", args)
        self.assertEqual(args[args.index("--threads") + 1], "0")
        # As written, but on a free port of this machine's.
        port = args.index("--port") + 1
        local = [*args[:port], "0", *args[port + 1:]]
        server = Server([TCPECHO, *local])
        self.addCleanup(server.kill)
        reply = seed_send(server.port, host="::1")
        self.assertIn("b'Goodbye, client!'", reply.stdout)


if __name__ == "__main__":
    unittest.main()
