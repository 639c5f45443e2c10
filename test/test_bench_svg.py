"""bench --svg and bench merge --svg: one self-contained SVG (no script, no
link, no font but the viewer's own) that parses as XML, with a spectrum line
per target and one for all, the panel over time with --interval, and that
librsvg renders to a PNG."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

from processes import TCPECHO, WAIT, Server, tcpecho, tcpecho_server

SVG = "{http://www.w3.org/2000/svg}"


class Picture(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = folder.name
        self.tcp = tcpecho_server("127.0.0.1", "--mode", "echo", "--quiet")
        self.addCleanup(self.tcp.kill)
        self.path = os.path.join(self.folder, "echo.sock")
        self.local = Server([TCPECHO, "serve", "--unix", self.path, "--mode", "echo", "--quiet"])
        self.addCleanup(self.local.kill)

    def bench(self, picture, *args):
        result = tcpecho("bench", "--target", f"127.0.0.1:{self.tcp.port}", "--target",
                         f"unix:{self.path}", "-c", "4", "-d", "0.6", "--warmup", "0",
                         "--svg", picture, *args, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def check(self, picture, lines, panels):
        with open(picture, "rb") as f:
            document = f.read()
        for outside in (b"<script", b"href", b"@import", b"url("):
            self.assertNotIn(outside, document)
        root = ElementTree.fromstring(document)
        self.assertEqual(root.tag, f"{SVG}svg")
        polylines = root.findall(f"{SVG}polyline")
        self.assertEqual(len(polylines), lines)
        for line in polylines:
            self.assertGreater(len(line.get("points").split()), 1)
        titles = [t.text for t in root.findall(f"{SVG}text") if t.text and "over" in t.text]
        self.assertEqual(len(titles), panels - 1)
        if shutil.which("rsvg-convert") is None:
            self.skipTest("rsvg-convert (Debian librsvg2-bin) is not installed: not rendered")
        png = picture + ".png"
        subprocess.run(["rsvg-convert", picture, "-o", png], check=True, timeout=WAIT)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_the_spectrum_has_a_line_per_target_and_one_for_all(self):
        picture = os.path.join(self.folder, "run.svg")
        self.bench(picture)
        self.check(picture, lines=3, panels=1)

    def test_with_intervals_a_panel_gives_throughput_and_p99_over_time(self):
        picture = os.path.join(self.folder, "run.svg")
        run = os.path.join(self.folder, "run.json")
        with open(run, "w") as f:
            f.write(self.bench(picture, "--interval", "0.2", "--json").stdout)
        self.check(picture, lines=3 + 2, panels=2)
        merged = os.path.join(self.folder, "merged.svg")
        result = tcpecho("bench", "merge", run, run, "--svg", merged, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.check(merged, lines=3 + 2, panels=2)


if __name__ == "__main__":
    unittest.main()
