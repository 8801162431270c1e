"""What a person at a terminal sees: diffs with line numbers and colors, and whether colors are wanted.

Pipes and files get the plain unified diff (so ``stagify convert --diff > fix.patch``
still applies); a terminal gets each line with its old and new line numbers, colored
unless ``--no-color`` or the ``NO_COLOR`` environment variable (https://no-color.org) says
otherwise. Rich is imported here only, and only when a terminal asks for it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import TextIO

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def wants_color(no_color: bool, stream: TextIO | None = None) -> bool:
    """Colors only for a terminal, and never when the user said no (flag or NO_COLOR, whatever its value)."""
    if no_color or os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    return (stream or sys.stdout).isatty()


def numbered(diff: str) -> list[tuple[str, str, str, str]]:
    """The diff's lines as (old number, new number, marker, text); headers and hunks have no numbers."""
    rows: list[tuple[str, str, str, str]] = []
    old = new = 0
    for line in diff.splitlines():
        hunk = _HUNK.match(line)
        if hunk:
            old, new = int(hunk.group(1)), int(hunk.group(2))
            rows.append(("", "", "@@", line))
        elif line.startswith(("+++", "---")):
            rows.append(("", "", "file", line))
        elif line.startswith("+"):
            rows.append(("", str(new), "+", line[1:]))
            new += 1
        elif line.startswith("-"):
            rows.append((str(old), "", "-", line[1:]))
            old += 1
        elif line.startswith("\\"):
            rows.append(("", "", "\\", line))
        else:
            rows.append((str(old), str(new), " ", line[1:] if line.startswith(" ") else line))
            old += 1
            new += 1
    return rows


_STYLES = {"+": "green", "-": "red", "@@": "cyan", "file": "bold", "\\": "dim", " ": ""}


def print_diff(diff: str, color: bool, file: TextIO | None = None) -> None:
    """A diff for a terminal: two line-number columns, then the marked line."""
    if not diff:
        return
    rows = numbered(diff)
    width = max((len(n) for row in rows for n in row[:2]), default=1)
    out = file or sys.stdout
    if not color:  # no styling at all: NO_COLOR users get text, not bold and dim either
        for old, new, marker, text in rows:
            out.write(text + "\n" if marker in ("@@", "file", "\\") else f"{old:>{width}} {new:>{width}} {marker} {text}\n")
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=True)
    for old, new, marker, text in rows:
        style = _STYLES[marker]
        if marker in ("@@", "file", "\\"):
            console.print(Text(text, style=style))
            continue
        line = Text()
        line.append(f"{old:>{width}} {new:>{width}} ", style="dim")
        line.append(f"{marker} {text}", style=style)
        console.print(line)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, color: bool, title: str | None = None,
                width: int | None = None, no_wrap: Sequence[str] = (), file: TextIO | None = None) -> None:
    """A table with a header row, its cells wrapped within their columns to fit the terminal (or ``width``);
    the ``no_wrap`` columns are kept whole.

    Without color it is plain text with no trailing blanks, header included, for pipes and logs.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False,
                  header_style="bold" if color else "", title_style="bold" if color else "")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in no_wrap)
    for row in rows:
        table.add_row(*row)
    out = file or sys.stdout
    console = Console(file=out, no_color=not color, highlight=False, width=width, force_terminal=color or None,
                      emoji=False, markup=False)
    if color:
        console.print(table)
        return
    with console.capture() as captured:
        console.print(table)
    out.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
