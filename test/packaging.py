"""What the packaging tests (test_package, test_container, test_release)
share: where the source is, a copy of it without build folders, a report of
what was built and its size, and the guard that keeps them out of `meson
dist`'s own check (which runs the suite inside the tarball they made)."""
import os
import shutil
import unittest

SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
VERSION = os.environ.get("TCPECHO_VERSION", "")
# test_release sets it for the suite that meson dist runs.
INSIDE_DIST_CHECK = os.environ.get("TCPECHO_DIST_CHECK") == "1"
WAIT_BUILD = 1200  # seconds: the bound on building a package or a tarball


def needs(*tools, root=False):
    """Skips a test class, saying why by name, where it cannot run here."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if INSIDE_DIST_CHECK:
        return unittest.skip("inside meson dist's check of its own tarball")
    if missing:
        return unittest.skip("not installed: " + ", ".join(missing))
    if root and os.geteuid() != 0:
        return unittest.skip("needs root (it installs a package or runs podman)")
    return lambda cls: cls


def copy_source(destination):
    """The source tree as a release carries it: without .git, build folders
    (any folder with meson-private/) or npm's node_modules."""
    def ignored(folder, names):
        return [name for name in names
                if name in (".git", "node_modules")
                or os.path.isdir(os.path.join(folder, name, "meson-private"))]
    shutil.copytree(SOURCE, destination, ignore=ignored, symlinks=True)


def report(what, name, size):
    """Prints what a test built and its size, for CI's log."""
    print(f"built {what}: {name}, {size} bytes ({size / 1e6:.1f} MB)", flush=True)
