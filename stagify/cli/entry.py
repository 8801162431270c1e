"""The ``stagify`` command's entry point: the typer command line, with a last resort around it.

Whatever escapes the command line (a bug) becomes one line and exit 70, never a traceback
unless asked for; file names that are not UTF-8 print escaped. The command line itself is
``stagify.cli``, the only parser of the arguments.
"""

from __future__ import annotations

import codecs
import gc
import os
import sys

# Exit code for an exception stagify did not expect (a bug), distinct from the documented
# outcomes, and from 1, which --check uses for "would change".
INTERNAL_ERROR = 70


def main() -> None:
    """The ``stagify`` command: any unexpected exception becomes one line and exit 70 (the traceback with --debug)."""
    # Start-up allocates tens of thousands of long-lived objects (modules, classes, compiled patterns), and the
    # default threshold runs about fifty collections over them that free nothing: 10-30 ms of a conversion. A
    # higher first threshold still collects, every 100,000 allocations, in a long `migrate`. The library
    # (stagify.convert in someone else's process) leaves the collector as it finds it.
    gc.set_threshold(100_000, 20, 20)
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
        sys.stderr.write(f"error: {where}: internal error: {type(exc).__name__}{': ' + detail if detail else ''} "
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
    from .app import main as command_line

    command_line()
