"""The command line: usage errors, --help, --version."""
import os
import unittest

from processes import tcpecho

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
        self.check_usage_error(says="A subcommand (serve or send) is required")

    def test_unknown_subcommand(self):
        self.check_usage_error("bogus", says="bogus")

    def test_unknown_option(self):
        self.check_usage_error("serve", "--nope", says="--nope")

    def test_port_out_of_range(self):
        self.check_usage_error("serve", "--port", "65536", says="--port")
        self.check_usage_error("send", "--port", "-1", says="--port")

    def test_port_not_a_number(self):
        self.check_usage_error("send", "--port", "http", says="--port")

    def test_empty_host(self):
        self.check_usage_error("send", "--host", "", says="--host: must not be empty")
        self.check_usage_error("serve", "--host", "", says="--host: must not be empty")

    def test_negative_timeout(self):
        self.check_usage_error("serve", "--timeout", "-1", says="--timeout")

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
            "serve": ["--host", "--port", "--timeout", "--max-connections", "--grace"],
            "send": ["--host", "--port", "--timeout"],
        }
        for subcommand, names in options.items():
            result = tcpecho(subcommand, "--help")
            self.assertEqual(result.returncode, 0)
            lines = result.stdout.splitlines()
            for name in names:
                at = next(i for i, l in enumerate(lines) if l.strip().split()[0:1] == [name]
                          or l.strip().startswith(f"-p,{name}"))
                # CLI11 puts the explanation beside the option or on the next line.
                entry = " ".join(lines[at:at + 2])
                self.assertGreater(len(entry.split()), 6, f"{subcommand} {name}: {entry!r}")

    def test_version_is_the_meson_project_version(self):
        result = tcpecho("--version")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, f"tcpecho {os.environ['TCPECHO_VERSION']}\n")


if __name__ == "__main__":
    unittest.main()
