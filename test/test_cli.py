"""The command line: usage errors, --help, --version."""
import itertools
import os
import re
import subprocess
import unittest

from processes import TCPECHO, run, tcpecho


def run_with_env(extra, *args):
    return subprocess.run([TCPECHO, *args], capture_output=True, text=True, timeout=10,
                          env={**os.environ, **extra})

USAGE = 2


class UsageErrors(unittest.TestCase):
    def check_usage_error(self, *args, says):
        result = tcpecho(*args)
        self.assertEqual(result.returncode, USAGE, result)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 2, result.stderr)
        self.assertTrue(lines[0].startswith("tcpecho: "), lines[0])
        self.assertIn(says, lines[0])
        self.assertEqual(lines[1], "Run 'tcpecho --help' for usage.")

    def test_no_subcommand(self):
        self.check_usage_error(says="A subcommand (serve, send or bench) is required")

    def test_unknown_subcommand(self):
        self.check_usage_error("bogus", says="bogus")

    def test_unknown_option(self):
        self.check_usage_error("serve", "--nope", says="--nope")

    def test_port_out_of_range(self):
        self.check_usage_error("serve", "--port", "65536", says="--port")
        self.check_usage_error("send", "--port", "-1", says="--port")

    def test_port_neither_a_decimal_number_nor_a_service(self):
        for port in ("abc", "0x50", "80abc"):
            self.check_usage_error("send", "--port", port,
                                   says=f"--port: '{port}' is neither a port number (0 to "
                                        "65535) nor a service name")

    def test_a_client_has_no_port_zero_to_go_to(self):
        for subcommand in ("send", "bench"):
            self.check_usage_error(subcommand, "--port", "0",
                                   says="--port: 0 is no port to connect to")

    def test_options_that_would_be_ignored_are_refused(self):
        cases = [
            (["serve", "--unix", "/tmp/x.sock", "--port", "5"], "--port: does not apply with --unix"),
            (["send", "--unix", "/tmp/x.sock", "--host", "h"], "--host: does not apply with --unix"),
            (["send", "--host", "[::1]:5", "--port", "6"], "--port: --host already gives a port"),
            (["serve", "--mode", "echo", "--reply", "x"], "--reply: applies to --mode reply only"),
            (["serve", "--mode", "echo", "--length", "4"], "--length: applies to --mode reply only"),
            (["bench", "--mode", "stream", "--rate", "100"], "--rate: applies to --mode rr only"),
            (["bench", "--echo-first"], "--echo-first: applies to --mode idle only"),
            (["bench", "--window", "4096"], "--window: applies to --mode stream only"),
            (["bench", "--unix", "/tmp/x.sock", "--source", "127.0.0.2"],
             "--source: applies to TCP only, not --unix"),
            (["bench", "--mode", "exchange", "-s", "64"],
             "--size: applies to --mode rr, stream and flood only"),
            (["bench", "--message", "x"], "--message: applies to --mode exchange, idle and flood"),
            (["bench", "--mode", "flood", "--expect", "x"],
             "--expect: applies to --mode exchange and idle only"),
            (["send", "-4", "-6"], "-4: excludes -6"),
        ]
        for args, says in cases:
            with self.subTest(args=args):
                self.check_usage_error(*args, says=says)

    def test_a_port_from_the_environment_gives_way_to_unix(self):
        result = run_with_env({"TCPECHO_PORT": "5"}, "send", "--unix", "/nonexistent/x.sock")
        self.assertEqual(result.returncode, 4, result.stderr)

    def test_empty_host(self):
        self.check_usage_error("send", "--host", "", says="--host: must not be empty")
        self.check_usage_error("serve", "--host", "", says="--host: must not be empty")

    def test_negative_timeout(self):
        self.check_usage_error("serve", "--timeout", "-1", says="--timeout")

    def test_bad_escape(self):
        self.check_usage_error("send", "--message", "\\q", says="--message: invalid escape")
        self.check_usage_error("serve", "--reply", "\\x4", says="--reply: invalid escape")

    def test_unknown_mode(self):
        self.check_usage_error("serve", "--mode", "chargen",
                               says="--mode: 'chargen' is not one of reply, echo")
        self.check_usage_error("bench", "--mode", "pingpong",
                               says="--mode: 'pingpong' is not one of rr, stream, exchange, idle")

    def test_seconds_and_rates_out_of_range(self):
        self.check_usage_error("serve", "--grace", "-1",
                               says="--grace: must be a number of seconds from 0 to 86400, not '-1'")
        self.check_usage_error("bench", "-d", "0",
                               says="--duration: must be a number of seconds from 0.001 to 86400")
        self.check_usage_error("bench", "--rate", "nan",
                               says="--rate: must be a number from 0 to 1000000000, not 'nan'")

    def test_quiet_and_verbose_exclude_each_other(self):
        self.check_usage_error("serve", "--quiet", "--verbose", says="excludes")

    def test_message_and_message_file_exclude_each_other(self):
        self.check_usage_error("send", "--message", "x", "--message-file", "-", says="excludes")

    def test_unreadable_message_file(self):
        self.check_usage_error("send", "--message-file", "/no/such/file",
                               says="--message-file: cannot open '/no/such/file'")

    def test_message_file_that_cannot_be_read(self):
        self.check_usage_error("send", "--message-file", "/tmp",
                               says="--message-file: cannot read '/tmp': Is a directory")
        self.check_usage_error("send", "--message-file", "/proc/self/mem",
                               says="--message-file: cannot read '/proc/self/mem'")
        directory = os.open("/tmp", os.O_RDONLY)
        try:
            result = subprocess.run([TCPECHO, "send", "--message-file", "-"], stdin=directory,
                                    capture_output=True, text=True, timeout=10)
        finally:
            os.close(directory)
        self.assertEqual(result.returncode, USAGE, result)
        self.assertIn("--message-file: cannot read '-': Is a directory", result.stderr)

    def test_message_file_past_the_limit_is_refused_not_read_whole(self):
        self.check_usage_error("send", "--message-file", "/dev/zero",
                               says="--message-file: '/dev/zero' holds more than 16777216 bytes")

    def test_zero_length_and_count(self):
        self.check_usage_error("serve", "--length", "0", says="--length")
        self.check_usage_error("send", "--count", "0", says="--count")

    def test_bad_port_from_environment(self):
        result = run_with_env({"TCPECHO_PORT": "99999"}, "send")
        self.assertEqual(result.returncode, USAGE)
        self.assertIn("--port", result.stderr)

    def test_missing_value(self):
        self.check_usage_error("send", "--port", says="--port")


class Help(unittest.TestCase):
    def test_program_help_lists_subcommands_and_exit_statuses(self):
        result = tcpecho("--help")
        self.assertEqual(result.returncode, 0)
        for word in ["serve", "send", "--version", "Exit status:", "could not listen"]:
            self.assertIn(word, result.stdout)

    def test_each_subcommand_explains_every_option(self):
        options = {
            "serve": ["--host", "--port", "--timeout", "--mode", "--reply", "--length",
                      "--max-connections", "--grace", "--quiet", "--verbose"],
            "send": ["--host", "--port", "--timeout", "--message", "--message-file", "--count",
                     "--expect"],
        }
        for subcommand, names in options.items():
            result = tcpecho(subcommand, "--help")
            self.assertEqual(result.returncode, 0)
            lines = result.stdout.splitlines()
            for name in names:
                # "  -p,--port PORT" (CLI11 2.1) or "  -p,     --port PORT" (2.7).
                at = next(i for i, l in enumerate(lines) if name in l.replace(",", " ").split()[:2])
                # CLI11 puts the explanation beside the option or on the next line.
                entry = " ".join(lines[at:at + 2])
                self.assertGreater(len(entry.split()), 6, f"{subcommand} {name}: {entry!r}")

    def test_the_man_page_documents_every_option(self):
        with open(os.path.join(os.path.dirname(__file__), "..", "doc", "tcpecho.1")) as f:
            page = f.read().replace("\\-", "-")
        for subcommand in ["serve", "send", "bench"]:
            help_text = tcpecho(subcommand, "--help").stdout
            for option in set(re.findall(r"--[a-z][a-z-]+", help_text)) - {"--help"}:
                self.assertTrue(option in page, f"{subcommand} {option} is not in the man page")
        for status in range(8):
            self.assertIn(f".B {status}\n", page)

    def test_help_and_version_to_a_full_disk_fail_and_say_so(self):
        for args in (["--help"], ["--version"], ["send", "--help"]):
            with open("/dev/full", "w") as full:
                result = subprocess.run([TCPECHO, *args], stdout=full, stderr=subprocess.PIPE,
                                        text=True, timeout=10)
            self.assertEqual(result.returncode, 8, args)
            self.assertRegex(result.stderr, r"^tcpecho: cannot write to standard output: No "
                                            r"space left on device \(\d+ lines? not written\)\n$")

    def test_help_readme_and_man_page_name_the_same_options(self):
        here = os.path.dirname(__file__)
        with open(os.path.join(here, "..", "README.md")) as f:
            readme = f.read()
        usage = readme[readme.index("## Usage"):]
        usage = usage[:usage.index("```", usage.index("```") + 3)]
        with open(os.path.join(here, "..", "doc", "tcpecho.1")) as f:
            page = f.read().replace("\\-", "-")
        synopsis = page[page.index(".SH SYNOPSIS"):page.index(".SH DESCRIPTION")]
        option = r"(?<![\w-])(--[a-z][a-z-]*|-[a-z46])\b"
        for subcommand in ["serve", "send", "bench"]:
            # Each option --help defines, by its long name where it has one.
            long_name = {}
            for line in tcpecho(subcommand, "--help").stdout.splitlines():
                # "  -p,--port PORT" (CLI11 2.1) or "  -p,     --port PORT" (2.7).
                words = line.replace(",", " ").split() if line.startswith(" ") else []
                names = [re.match(option, word).group(1) for word in
                         itertools.takewhile(lambda word: re.match(option, word), words)]
                for name in names:
                    long_name[name] = names[-1]
            named = set(long_name.values()) - {"--help", "--version"}
            for listing, start, end in ((usage, "tcpecho " + subcommand, r"\ntcpecho "),
                                        (synopsis, ".B tcpecho " + subcommand, r"\n\.B tcpecho")):
                listing = listing[listing.index(start) + len(start):]
                listing = listing[:re.search(end, listing).start()] if re.search(end, listing) \
                    else listing
                found = {long_name.get(name, name) for name in re.findall(option, listing)}
                with self.subTest(subcommand=subcommand, where=start):
                    self.assertEqual(named - found, set(), "in --help only")
                    self.assertEqual(found - named, set(), "not in --help")

    def test_version_is_the_meson_project_version(self):
        for args in (["--version"], ["serve", "--version"], ["send", "--version"],
                     ["bench", "--version"]):
            result = tcpecho(*args)
            self.assertEqual(result.returncode, 0, args)
            self.assertEqual(result.stdout, f"tcpecho {os.environ['TCPECHO_VERSION']}\n")


if __name__ == "__main__":
    unittest.main()
