"""What a person at a terminal sees: diffs with line numbers and colors, tables, colored lines, progress bars, and
whether colors are wanted.

Pipes and files get the plain unified diff (so ``stagify convert --diff > fix.patch``
still applies); a terminal gets each line with its old and new line numbers, colored
unless ``--no-color`` or the ``NO_COLOR`` environment variable (https://no-color.org) says
otherwise. This is the only module that imports rich, and it does so inside the functions that print,
so a conversion that prints no table and no bar never loads it (tests/test_startup.py). The callers hand
over plain strings and ``Styled`` pieces, never rich markup: text from an image or a build (an HTTP
answer, a path, a reason) is printed as written, brackets included.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TextIO

from ..patterns import Pattern

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID
    from rich.text import Text

_HUNK = Pattern(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


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


Color = Literal["green", "red", "yellow"]


@dataclass(frozen=True)
class Styled:
    """A piece of text shown in a color on a terminal, and as plain text everywhere else."""

    text: str
    color: Color


Piece = str | Styled


def _text(pieces: Sequence[Piece]) -> Text:
    """The pieces as one rich ``Text``: nothing in them is read as markup or emoji codes."""
    from rich.text import Text

    text = Text()
    for piece in pieces:
        if isinstance(piece, Styled):
            text.append(piece.text, style=piece.color)
        else:
            text.append(piece)
    return text


def print_boxed(columns: Sequence[str], rows: Sequence[Sequence[Piece]], *, title: str, color: bool) -> None:
    """A report's table on standard output, in a box, each cell wrapped within its column to fit the terminal.

    Unlike ``print_table`` it is boxed on a pipe too (the verify and ``migrate --verify`` reports have always looked
    like this in CI logs).
    """
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_text([cell]) for cell in row))
    Console(no_color=not color).print(table)


def print_styled(*pieces: Piece, color: bool, highlight: bool = False) -> None:
    """The pieces as one text on standard output, wrapped at the terminal's width.

    ``highlight`` colors what looks like numbers and quoted strings on a terminal, as rich's default printing does.
    """
    from rich.console import Console

    console = Console(no_color=not color)
    text = _text(pieces)
    console.print(console.highlighter(text) if highlight else text)


class Progress:
    """A transient display on standard error while long work runs: a bar counting the finished items, a line per item
    in flight, and the lines ``say`` prints above them, which stay.

    ``live=False`` (not a terminal, or nothing to wait for) shows no bar, only the said lines. ``color=None`` lets the
    environment decide (``NO_COLOR``, ``TERM``).
    """

    def __init__(self, label: str, total: int, *, live: bool, color: bool | None = None,
                 clock: Literal["elapsed", "remaining"] = "elapsed") -> None:
        self.label, self.total, self.live, self.color, self.clock = label, total, live, color, clock
        self.lines: dict[object, TaskID] = {}
        self._console: Console | None = None
        self._bar: RichProgress | None = None

    def __enter__(self) -> Progress:
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            clock = TimeElapsedColumn() if self.clock == "elapsed" else TimeRemainingColumn()
            # Standard output is left alone: what is written there while the bar runs is a result, not progress.
            self._bar = RichProgress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), clock,
                                     console=self.console(), transient=True, redirect_stdout=False)
            self._bar.start()
            self._overall = self._bar.add_task(self.label, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, no_color=None if self.color is None else not self.color)
        return self._console

    def advance(self) -> None:
        """One more item finished."""
        if self._bar is not None:
            self._bar.advance(self._overall)

    def show(self, key: object, line: str) -> None:
        """What the item ``key`` is doing now, on its own line under the bar."""
        if self._bar is None:
            return
        if key not in self.lines:
            self.lines[key] = self._bar.add_task("", total=None)
        self._bar.update(self.lines[key], description=line)

    def drop(self, key: object) -> None:
        """The item ``key`` is finished: its line goes."""
        if self._bar is not None and key in self.lines:
            self._bar.remove_task(self.lines.pop(key))

    def say(self, line: str) -> None:
        """A line that stays, printed as written: above the bar on a terminal, on its own elsewhere."""
        if self._bar is not None:
            self._bar.console.print(line, highlight=False, markup=False)
        else:
            self.console().print(line, highlight=False, markup=False, soft_wrap=True)
