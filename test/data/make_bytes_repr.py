"""Regenerates bytes_repr.txt from CPython itself: the golden answers the
C++ formatter is tested against. Each line: the input as hex, a tab, repr()."""
import pathlib

cases = [bytes([b]) for b in range(256)]
cases += [
    b"",
    bytes(range(256)),
    b"Greetings, server",
    b"Goodbye, client!",
    b"it's",
    b'say "hi"',
    b"""both ' and " quotes""",
    b"back\\slash",
    b"'\\",
    b"\"'\\\x00\x7f\x80\xff",
    "caf\u00e9 \u2603".encode("utf-8"),
    b"\xc3\x28 invalid utf-8",
]
lines = [f"{case.hex()}\t{case!r}" for case in cases]
pathlib.Path(__file__).with_name("bytes_repr.txt").write_text("\n".join(lines) + "\n")
