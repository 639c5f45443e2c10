"""bench as an instrument over real sockets: --interval's series adds up to
the run, and the .hgrm and .hlog files it writes are what HdrHistogram's own
reader (HdrHistogram_c, built beside the tests) finds in them."""
import json
import os
import unittest

from processes import EchoServerTest, hdr_read_encoded, hdr_read_log, tcpecho


class BenchFiles(EchoServerTest):
    def bench(self, *args):
        result = tcpecho("bench", "--port", str(self.server.port), "-c", "4", "--threads", "2",
                         "--warmup", "0.1", *args, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_the_intervals_add_up_to_the_run(self):
        report = json.loads(self.bench("-d", "1", "--interval", "0.25", "--json").stdout)
        intervals = report["intervals"]
        self.assertEqual(report["interval_s"], 0.25)
        self.assertEqual(len(intervals), 4)
        self.assertEqual(sum(i["operations"] for i in intervals), report["operations"])
        self.assertEqual(sum(i["bytes"] for i in intervals), report["bytes"])
        self.assertEqual(sum(i["errors"] for i in intervals), 0)
        decoded = hdr_read_encoded(*(i["histogram"]["hdr"] for i in intervals))
        self.assertEqual([d["count"] for d in decoded], [i["operations"] for i in intervals])
        # One after another on the wall clock, from the measured window's start.
        self.assertAlmostEqual(intervals[0]["start"], report["start"], places=6)
        for before, after in zip(intervals, intervals[1:]):
            self.assertAlmostEqual(after["start"] - before["start"], 0.25, places=6)
        self.assertAlmostEqual(sum(i["seconds"] for i in intervals), report["measured_s"],
                               places=6)

    def test_interval_lines_are_printed_as_the_run_goes(self):
        text = self.bench("-d", "0.6", "--interval", "0.2").stdout.splitlines()
        lines = [line for line in text if "ops/s" in line and "MB/s" in line and "p99" in line]
        self.assertEqual(len(lines), 3, text)
        self.assertTrue(text[3].startswith("tcpecho bench rr:"), text)
        events = [json.loads(line) for line in
                  self.bench("-d", "0.6", "--interval", "0.2", "--log-format", "json")
                  .stdout.splitlines()]
        self.assertEqual([e["event"] for e in events], ["interval"] * 3 + ["report"])
        self.assertEqual(sum(e["operations"] for e in events[:3]), events[3]["operations"])

    def test_the_percentile_file_is_hdrhistograms_distribution_of_the_run(self):
        path = os.path.join(self.folder, "run.hgrm")
        report = json.loads(self.bench("-d", "0.5", "--percentiles", path, "--json").stdout)
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0].split(), ["Value", "Percentile", "TotalCount",
                                            "1/(1-Percentile)"])
        rows = [line.split() for line in lines[2:] if line and not line.startswith("#")]
        self.assertEqual(float(rows[-1][1]), 1.0)
        self.assertEqual(int(rows[-1][2]), report["operations"])
        median = next(float(value) for value, percentile, *_ in rows if float(percentile) >= 0.5)
        self.assertAlmostEqual(median, report["p50_us"], delta=0.0015)
        self.assertIn(f"Total count    = {report['operations']:>12}]", lines[-2])

    def test_the_interval_log_reads_back_with_hdrhistograms_reader(self):
        path = os.path.join(self.folder, "run.hlog")
        report = json.loads(self.bench("-d", "0.6", "--interval", "0.2", "--hdr-log", path,
                                       "--json").stdout)
        start_time, entries = hdr_read_log(path)
        self.assertAlmostEqual(start_time, report["start"], places=2)
        self.assertEqual(len(entries), 3)
        for entry, interval in zip(entries, report["intervals"]):
            self.assertEqual(entry["tag"], f"127.0.0.1:{self.server.port}")
            self.assertAlmostEqual(entry["start"], interval["start"], places=2)
            self.assertAlmostEqual(entry["interval"], interval["seconds"], places=2)
            self.assertEqual(entry["count"], interval["operations"])
            [decoded] = hdr_read_encoded(interval["histogram"]["hdr"])
            self.assertEqual(entry["p99"], decoded["p99"])

    def test_without_intervals_the_log_holds_the_whole_run(self):
        path = os.path.join(self.folder, "run.hlog")
        report = json.loads(self.bench("-d", "0.3", "--hdr-log", path, "--json").stdout)
        _, [entry] = hdr_read_log(path)
        self.assertEqual(entry["count"], report["operations"])

    def test_a_file_that_cannot_be_written_stops_bench_before_it_loads(self):
        path = os.path.join(self.folder, "no such folder", "run.hgrm")
        for option in ("--percentiles", "--hdr-log"):
            with self.subTest(option=option):
                result = tcpecho("bench", "--port", str(self.server.port), "-d", "0.2",
                                 option, path, timeout=30)
                self.assertEqual(result.returncode, 8, result)
                self.assertEqual(result.stdout, "")
                self.assertEqual(result.stderr, f"tcpecho: cannot write {option} {path}: "
                                 "No such file or directory\n")


if __name__ == "__main__":
    unittest.main()
