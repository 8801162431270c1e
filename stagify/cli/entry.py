"""The ``stagify`` command's entry point: plain ``convert`` calls skip the full command line.

A script or CI job calling ``stagify convert --stdout Dockerfile`` pays for Python, the
converter and nothing else: when every argument is one this module reads, and no person
is at the terminal (no colors, no question), the conversion runs without importing typer,
rich or pydantic. Anything else (help, writing, a typo) goes to the typer command line,
which prints and fails the way it always does.
"""

from __future__ import annotations

import codecs
import os
import sys

# Exit code for an exception stagify did not expect (a bug), distinct from the documented
# outcomes, and from 1, which --check uses for "would change".
INTERNAL_ERROR = 70
_FLAGS = {"--stdout": "stdout", "--check": "check", "--diff": "diff_only", "--json": "as_json", "--explain": "explain",
          "--strict": "strict", "--quiet": "quiet", "-q": "quiet", "--no-color": "no_color"}
_VALUES = ("--runtime", "--lang", "--context", "--pin", "--format")


def _quick_args(argv: list[str]) -> dict[str, object] | None:
    """The convert arguments when the quick path understands all of them, else None."""
    if not argv or argv[0] != "convert" or sys.stdout.isatty():
        return None
    found: dict[str, object] = {}
    paths: list[str] = []
    words = argv[1:]
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if word in _FLAGS:
            found[_FLAGS[word]] = True
        elif name in _VALUES:
            if not eq:
                if i + 1 >= len(words):
                    return None
                i += 1
                value = words[i]
            found[name[2:]] = value
        elif word.startswith("-") and word != "-":
            return None  # --write, --help, a typo: the full command line
        else:
            paths.append(word)
        i += 1
    found["paths"] = tuple(paths or ["."])
    return found


def _quick_convert(found: dict[str, object]) -> int | None:
    from ..options import RuntimeChoice
    from .convertcmd import ConvertArgs, Fail, Format, PinMode, run_convert

    try:
        runtime = RuntimeChoice(found["runtime"]) if "runtime" in found else None
        pin = PinMode(str(found["pin"])) if "pin" in found else None
        fmt = Format(str(found.get("format", "json" if found.get("as_json") else "text")))
    except ValueError:
        return None  # let the full command line explain the bad value
    if pin is PinMode.DIGEST:
        return None
    context = found.get("context")
    from pathlib import Path

    args = ConvertArgs(
        paths=tuple(str(p) for p in found["paths"]),  # type: ignore[attr-defined]
        check=bool(found.get("check")),
        diff_only=bool(found.get("diff_only")),
        stdout=bool(found.get("stdout")),
        explain=bool(found.get("explain")),
        fmt=fmt,
        quiet=bool(found.get("quiet")),
        runtime=runtime,
        lang=str(found["lang"]) if "lang" in found else None,
        context=Path(str(context)) if context is not None else None,
        strict=bool(found.get("strict")),
        pin=pin,
    )
    console = _PlainConsole()
    try:
        return int(run_convert(args, console))
    except Fail as exc:
        sys.stderr.write(exc.message + "\n")
        return int(exc.code)


class _PlainConsole:
    def out(self, text: str, nl: bool = True) -> None:
        sys.stdout.write(text + ("\n" if nl else ""))

    def err(self, text: str) -> None:
        sys.stderr.write(text + "\n")

    def diff(self, text: str) -> None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")

    def confirm(self, question: str) -> bool:  # pragma: no cover - the quick path never has a terminal
        return False

    def summary(self, text: str) -> None:
        sys.stderr.write(text + "\n")


def main() -> None:
    """The ``stagify`` command: any unexpected exception becomes one line and exit 70 (the traceback with --debug)."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("STAGIFY_DEBUG", "") not in ("", "0")
    sys.argv[1:] = [a for a in sys.argv[1:] if a != "--debug"]
    codecs.register_error("stagify-escape", _escape_unprintable)
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not UTF-8 (a surrogate escape) prints as \xff, never a UnicodeEncodeError.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="stagify-escape")
    try:
        _run()
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # the promise: no traceback for any input, a bug included
        from ..errors import current_file

        if debug:
            import traceback

            traceback.print_exc()
        where = current_file() or "stagify"
        detail = str(exc).splitlines()[0][:300] if str(exc) else ""
        sys.stderr.write(f"{where}: internal error: {type(exc).__name__}{': ' + detail if detail else ''} "
                         f"(a bug in stagify; {'' if debug else 'rerun with --debug or STAGIFY_DEBUG=1 for the traceback, and '}"
                         "please report it with the input)\n")
        raise SystemExit(INTERNAL_ERROR) from None


def _escape_unprintable(error: UnicodeError) -> tuple[str, int]:
    """``\\xff`` for a byte of a file name that was not valid UTF-8, ``\\uXXXX`` for what else cannot be encoded."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for ch in error.object[error.start : error.end]:
        code = ord(ch)
        out.append(f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out), error.end


def _run() -> None:
    found = _quick_args(sys.argv[1:])
    if found is not None:
        code = _quick_convert(found)
        if code is not None:
            sys.stdout.flush()
            raise SystemExit(code)
    from .app import main as full

    full()
