"""The release tarball: `meson dist` makes one from the git checkout, with
the subprojects the build used (HdrHistogram_c has no Debian 12 package), and
builds and tests what it unpacks; the version tcpecho prints, the tarball's
name and the Debian package's version all come from meson.build's."""
import glob
import os
import re
import subprocess
import tarfile
import unittest

from packaging import SOURCE, VERSION, WAIT_BUILD, needs, report
from processes import tcpecho

BUILD = os.environ.get("TCPECHO_BUILD", "build")


def project_version():
    with open(os.path.join(SOURCE, "meson.build")) as f:
        return re.search(r"^  version: '([^']+)',$", f.read(), re.MULTILINE).group(1)


class OneVersion(unittest.TestCase):
    def test_tcpecho_meson_the_debian_changelog_and_the_manifests_agree(self):
        version = project_version()
        self.assertEqual(tcpecho("--version").stdout, f"tcpecho {version}\n")
        self.assertEqual(VERSION, version)
        with open(os.path.join(SOURCE, "debian", "changelog")) as f:
            self.assertEqual(f.readline().split()[1], f"({version})")
        images = []
        for manifest in glob.glob(os.path.join(SOURCE, "deploy", "k8s", "*.yaml")):
            with open(manifest) as f:
                images += re.findall(r"^ +image: (\S+)$", f.read(), re.MULTILINE)
        self.assertEqual(images, [f"tcpecho:{version}"] * 2)  # the Deployment and the Job


@unittest.skipUnless(os.path.isdir(os.path.join(SOURCE, ".git")),
                     "not a git checkout: meson dist makes tarballs from one")
@needs("git", "meson", "ninja")
class Tarball(unittest.TestCase):
    def test_meson_dist_builds_and_tests_its_own_tarball(self):
        # Uncommitted changes are not in the tarball; --allow-dirty lets a
        # developer run the suite before committing them.
        result = subprocess.run(["meson", "dist", "-C", BUILD, "--include-subprojects",
                                 "--allow-dirty"], capture_output=True, text=True,
                                env={**os.environ, "TCPECHO_DIST_CHECK": "1"},
                                timeout=WAIT_BUILD)
        self.assertEqual(result.returncode, 0, result.stdout[-4000:] + result.stderr[-2000:])
        tarball = os.path.join(BUILD, "meson-dist", f"tcpecho-{VERSION}.tar.xz")
        self.assertRegex(result.stdout, rf"Distribution package \S*/tcpecho-{VERSION}"
                                        r"\.tar\.xz tested")
        report("release tarball", os.path.basename(tarball), os.path.getsize(tarball))
        with tarfile.open(tarball) as tar:
            names = tar.getnames()
        top = f"tcpecho-{VERSION}/"
        wanted = ("meson.build", "src/main.cpp", "debian/rules", "deploy/container/Containerfile",
                  "subprojects/hdr_histogram.wrap")
        self.assertEqual([path for path in wanted if top + path not in names], [])
        self.assertTrue(any(name.startswith(top + "subprojects/HdrHistogram_c-")
                            for name in names))
