"""The Debian package: debian/ builds with dpkg-buildpackage into
tcpecho_VERSION_amd64.deb holding the binary, the man page, README,
copyright and systemd units that are installed but not enabled; lintian finds
no error; and the installed binary, started the way systemd starts it from
tcpecho.socket (systemd-socket-activate), serves the seed's exchange before
the package is removed again."""
import glob
import os
import re
import socket
import subprocess
import tempfile
import unittest

from packaging import VERSION, WAIT_BUILD, copy_source, needs, report
from processes import WAIT, lines_of, run, seed_send

UNITS = "/lib/systemd/system/"


def built_package(folder):
    """Builds the package from a copy of the source in `folder`."""
    source = os.path.join(folder, "tcpecho")
    copy_source(source)
    if not glob.glob(os.path.join(source, "subprojects", "HdrHistogram_c-*")):
        raise unittest.SkipTest("subprojects/HdrHistogram_c-* is not here: meson setup "
                                "(or .ci/fill-wraps) puts it there")
    build = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=source,
                           capture_output=True, text=True, timeout=WAIT_BUILD)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return os.path.join(folder, f"tcpecho_{VERSION}_amd64.deb")


def unit_setting(unit, key):
    with open(UNITS + unit) as f:
        return re.search(rf"^{key}=(.*)$", f.read(), re.MULTILINE).group(1)


def free_port():
    """A loopback port nothing listens on (systemd-socket-activate takes no
    port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@needs("dpkg-buildpackage", "dh", "lintian", "systemd-socket-activate", "apt-get",
       root=True)
class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.deb = built_package(cls.folder.name)
        report("Debian package", os.path.basename(cls.deb), os.path.getsize(cls.deb))

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def install(self):
        result = run(["apt-get", "install", "-y", "-q", self.deb], timeout=300)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.addCleanup(self.remove)

    def remove(self):
        result = run(["apt-get", "remove", "-y", "-q", "tcpecho"], timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertFalse(os.path.exists("/usr/bin/tcpecho"))

    def test_it_holds_the_binary_man_page_docs_and_units(self):
        listing = run(["dpkg-deb", "--contents", self.deb]).stdout
        for path in ("./usr/bin/tcpecho", "./usr/share/man/man1/tcpecho.1.gz",
                     "./usr/share/doc/tcpecho/README.md.gz", "./usr/share/doc/tcpecho/copyright",
                     "./lib/systemd/system/tcpecho.socket", "./lib/systemd/system/tcpecho.service"):
            self.assertIn(" " + path + "\n", listing)

    def test_lintian_reports_no_error(self):
        changes = self.deb.replace(".deb", ".changes")
        result = run(["lintian", "--fail-on", "error", changes], timeout=300)
        print(result.stdout, end="", flush=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertNotRegex(result.stdout, r"(?m)^E: ")

    def test_installed_it_serves_the_seed_by_socket_activation_and_enables_nothing(self):
        self.install()
        self.assertEqual(run(["/usr/bin/tcpecho", "--version"]).stdout, f"tcpecho {VERSION}\n")
        for unit in ("tcpecho.socket", "tcpecho.service"):
            enabled = run(["systemctl", "is-enabled", unit]).stdout.strip()
            self.assertIn(enabled, ("disabled", "indirect"), unit)
        self.assertEqual(unit_setting("tcpecho.socket", "ListenStream"), "3000")
        command = unit_setting("tcpecho.service", "ExecStart").split()
        self.assertEqual(command, ["/usr/bin/tcpecho", "serve", "--quiet"])
        port = free_port()
        activator = subprocess.Popen(["systemd-socket-activate", "-l", f"127.0.0.1:{port}",
                                      *command], stderr=subprocess.PIPE)
        self.addCleanup(activator.stderr.close)
        self.addCleanup(activator.wait, WAIT)
        self.addCleanup(activator.terminate)
        said = lines_of(activator.stderr)
        # It listens before it says so, and accepts before it starts tcpecho.
        self.assertEqual(said.get(timeout=WAIT), f"Listening on 127.0.0.1:{port} as 3.")
        reply = seed_send(port)
        self.assertEqual(reply.returncode, 0, reply.stderr)
        self.assertEqual(reply.stdout.splitlines()[1], "Server:  b'Goodbye, client!'")
