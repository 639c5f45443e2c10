"""bench merge over real runs: two runs merged equal one histogram fed both
(HdrHistogram_c's own hdr_add is the judge), counts and rates come from the
sums over the merged window, intervals line up on the wall clock, runs that
do not go together are refused; and deploy/k8s/bench-job.yaml's own command,
run as N local processes that begin together at --start-at, merges to what
the server says it served."""
import json
import os
import subprocess
import tempfile
import time
import unittest

try:
    import yaml
except ImportError:  # Debian python3-yaml
    yaml = None

from processes import (TCPECHO, WAIT, EchoServerTest, Server, hdr_read_encoded, hdr_read_sum,
                       tcpecho, tcpecho_server)
from test_metrics import BUILT_WITH_METRICS, samples, scrape, value

HERE = os.path.dirname(os.path.abspath(__file__))
JOB = os.path.join(HERE, "..", "deploy", "k8s", "bench-job.yaml")
STATS = ("count", "min", "max", "p50", "p90", "p99", "p999")


def bench_together(*commands, envs=None):
    """Runs bench commands at once (each with its environment, if given);
    their stdout, each a JSON report."""
    processes = [subprocess.Popen([TCPECHO, *command], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  env=envs[i] if envs else None)
                 for i, command in enumerate(commands)]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


class Merge(EchoServerTest):
    def run_file(self, name, *args):
        path = os.path.join(self.folder, name)
        with open(path, "w") as f:
            f.write(tcpecho("bench", "--port", str(self.server.port), "-c", "2", "--warmup", "0",
                            "-d", "0.4", "--json", *args, timeout=60).stdout)
        return path

    def merge(self, *args, status=0):
        result = tcpecho("bench", "merge", *args, timeout=60)
        self.assertEqual(result.returncode, status, result.stderr)
        return result

    def test_two_runs_merge_into_one_histogram_fed_both(self):
        command = ["bench", "--port", str(self.server.port), "-c", "2", "--warmup", "0",
                   "-d", "0.6", "--interval", "0.2", "--json"]
        outputs = bench_together(command, command)
        paths = []
        for i, out in enumerate(outputs):
            paths.append(os.path.join(self.folder, f"run{i}.json"))
            with open(paths[-1], "w") as f:
                f.write(out)
        runs = [json.loads(out) for out in outputs]
        merged = json.loads(self.merge(*paths, "--json").stdout)

        [decoded] = hdr_read_encoded(merged["histogram"]["hdr"])
        both = hdr_read_sum(*(run["histogram"]["hdr"] for run in runs))
        self.assertEqual({k: decoded[k] for k in STATS}, {k: both[k] for k in STATS})
        self.assertEqual(merged["operations"], sum(run["operations"] for run in runs))
        self.assertEqual(merged["bytes"], sum(run["bytes"] for run in runs))
        self.assertEqual(merged["connections"], 4)
        for kind in merged["errors"]:
            self.assertEqual(merged["errors"][kind], sum(run["errors"][kind] for run in runs))
        # The merged window runs from the first start to the last end; the
        # rates are the sums over it.
        start = min(run["start"] for run in runs)
        end = max(run["start"] + run["measured_s"] for run in runs)
        self.assertAlmostEqual(merged["start"], start, places=5)
        self.assertAlmostEqual(merged["measured_s"], end - start, places=5)
        self.assertAlmostEqual(merged["ops_per_s"], merged["operations"] / (end - start),
                               delta=0.01)
        # Intervals line up on the wall clock and add up.
        self.assertEqual(sum(i["operations"] for i in merged["intervals"]), merged["operations"])
        for i, interval in enumerate(merged["intervals"]):
            self.assertAlmostEqual(interval["start"], start + 0.2 * i, places=5)
        connects = hdr_read_sum(*(run["connect"]["histogram"]["hdr"] for run in runs))
        self.assertEqual(merged["connect"]["count"], connects["count"])
        self.assertEqual(merged["tcp"]["connections"], 4)

    def test_the_usual_report_standard_input_and_a_json_log(self):
        first = self.run_file("a.json")
        log = os.path.join(self.folder, "b.log")
        with open(log, "w") as f:
            f.write(tcpecho("bench", "--port", str(self.server.port), "-c", "2", "--warmup", "0",
                            "-d", "0.3", "--log-format", "json", timeout=60).stdout)
        with open(first) as f:
            result = subprocess.run([TCPECHO, "bench", "merge", "-", log], stdin=f,
                                    capture_output=True, text=True, timeout=WAIT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("tcpecho bench rr: 127.0.0.1 port "))
        self.assertIn(", 4 connections, 128 B, ", result.stdout)
        path = os.path.join(self.folder, "merged.hgrm")
        merged = json.loads(self.merge(first, log, "--json", "--percentiles", path).stdout)
        with open(path) as f:
            self.assertIn(f"Total count    = {merged['operations']:>12}]", f.read())

    def test_runs_that_do_not_go_together_are_refused_with_the_difference(self):
        base = self.run_file("base.json")
        cases = [
            (self.run_file("size.json", "-s", "64"), "size 64, not 128"),
            (self.run_file("interval.json", "--interval", "0.2"), "interval 0.2s, not 0s"),
            (self.run_file("mode.json", "--mode", "stream"), "mode stream, not rr"),
        ]
        for other, difference in cases:
            with self.subTest(difference=difference):
                result = self.merge(base, other, status=2)
                self.assertEqual(result.stderr,
                                 f"tcpecho: {other} does not go with {base}: {difference}\n")
        missing = os.path.join(self.folder, "missing.json")
        self.assertEqual(self.merge(base, missing, status=2).stderr,
                         f"tcpecho: cannot read {missing}: No such file or directory\n")
        with open(os.path.join(self.folder, "not.json"), "w") as f:
            f.write("not a report\n")
        self.assertIn("no bench report", self.merge(f.name, status=2).stderr)

    def test_messages_that_differ_do_not_go_together(self):
        seed = tcpecho_server("127.0.0.1", "--quiet")
        self.addCleanup(seed.kill)
        paths = []
        for message in ("Greetings, server", "Hello"):
            paths.append(os.path.join(self.folder, f"{message[0]}.json"))
            with open(paths[-1], "w") as f:
                f.write(tcpecho("bench", "--port", str(seed.port), "--mode", "flood", "-c", "1",
                                "-d", "0.2", "--warmup", "0", "--message", message, "--json",
                                timeout=60).stdout)
        self.assertIn("does not go with", self.merge(*paths, status=2).stderr)
        self.assertIn("message (base64) SGVsbG8=", self.merge(*paths, status=2).stderr)


@unittest.skipUnless(BUILT_WITH_METRICS, "built without prometheus-cpp: the server's count is "
                     "read from its metrics")
class DistributedJob(unittest.TestCase):
    @unittest.skipIf(yaml is None, "python3-yaml is not installed: the Job's YAML is unread")
    def test_the_jobs_command_on_three_processes_merges_to_what_the_server_served(self):
        server = Server([TCPECHO, "serve", "--host", "127.0.0.1", "--port", "0", "--quiet",
                         "--metrics", "127.0.0.1:0"])
        self.addCleanup(server.kill)
        url = server.read_until_prefix("Metrics at ")[len("Metrics at "):]
        with open(JOB) as f:
            job = yaml.safe_load(f)
        self.assertEqual(job["spec"]["completionMode"], "Indexed")
        container = job["spec"]["template"]["spec"]["containers"][0]
        env = {item["name"]: item["value"] for item in container["env"]}
        start_at = time.time() + 1.5
        env.update(TARGET=f"127.0.0.1:{server.port}", START_AT=f"{start_at:.3f}",
                   MODE="exchange", CONNECTIONS="2", DURATION="1", WARMUP="0", INTERVAL="0.5")
        args = list(container["args"])
        for name, val in env.items():
            args = [arg.replace(f"$({name})", val) for arg in args]
        self.assertEqual(args[0], "bench")  # the image's entrypoint is tcpecho
        pods = 3  # as Kubernetes runs an Indexed Job's pods: each its index
        outputs = bench_together(*[args] * pods, envs=[
            {**os.environ, "JOB_COMPLETION_INDEX": str(index)} for index in range(pods)])
        runs = [json.loads(out) for out in outputs]
        for run in runs:  # each began at --start-at
            self.assertGreaterEqual(run["start"], start_at - 0.001)
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for i, out in enumerate(outputs):
                paths.append(os.path.join(folder, f"pod-{i}.json"))
                with open(paths[-1], "w") as f:
                    f.write(out)
            merged = json.loads(tcpecho("bench", "merge", *paths, "--json").stdout)
        self.assertEqual(merged["operations"], sum(run["operations"] for run in runs))
        self.assertEqual(len(merged["intervals"]), 2)
        # The server served every exchange bench counted, and at most one
        # more per connection: the one each had in flight as its run ended.
        deadline = time.monotonic() + WAIT
        while True:
            found = samples(scrape(url))
            if value(found, "tcpecho_connections_open") == 0:
                break
            self.assertLess(time.monotonic(), deadline)
        served = value(found, "tcpecho_exchanges_total", mode="reply", outcome="ok")
        self.assertGreaterEqual(served, merged["operations"])
        self.assertLessEqual(served, merged["operations"] + merged["connections"])


if __name__ == "__main__":
    unittest.main()
