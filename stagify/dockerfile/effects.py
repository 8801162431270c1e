"""What a RUN line leaves in the image: the paths it creates, changes or removes.

The planner asks one question of every path the original image had beyond its base:
does the runtime need it? To answer, it must know which paths each RUN line wrote.
This module reads the commands of a line (see :mod:`stagify.dockerfile.shell`) and names, for
each, the paths it writes: redirections, ``mkdir``, ``touch``, ``cp``, ``mv``, ``ln``,
``sed -i``, ``chmod``/``chown``, downloads, ``git clone``, unpacked archives. A program
it does not know may write anywhere under its working folder: that is said too, as an
*opaque* effect, so the planner can keep that folder instead of guessing.

Nothing here executes anything.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from ..patterns import Pattern
from . import shell
from .model import substitute


class Kind(str, Enum):
    FILE = "file"  # a file is written (created or replaced)
    DIR = "dir"  # a folder is created
    LINK = "link"  # a symbolic link is created
    TREE = "tree"  # a file or a folder with unknown contents (cp -r, git clone, an unpacked archive)
    META = "meta"  # an existing path's owner or mode changes
    EDIT = "edit"  # an existing file is changed in place (sed -i)
    REMOVED = "removed"  # a path is removed


@dataclass(frozen=True)
class Write:
    """One path one command of a RUN line writes, and how."""

    path: str  # absolute, normalised
    kind: Kind
    command: str  # the command's text, for reasons


@dataclass(frozen=True)
class Effects:
    """What one RUN line does to the filesystem, as far as it can be told from its text."""

    writes: tuple[Write, ...] = ()
    opaque: tuple[tuple[str, str], ...] = ()  # (program, working folder) of commands whose writes are unknown


# Programs that write nothing but their output (redirections are read separately).
QUIET = frozenset(
    (
        "echo", "printf", "cat", "ls", "pwd", "true", "false", ":", "test", "[", "env", "printenv", "whoami", "id",
        "find", "tree", "du", "df", "which", "command", "type", "uname", "date", "sleep", "grep", "head", "tail", "wc",
        "sort", "uniq", "cut", "tr", "awk", "stat", "file", "export", "set", "unset", "exit", "basename", "dirname",
        "readlink", "realpath", "hostname", "nproc", "free", "md5sum", "sha256sum", "sha1sum", "xargs", "yes",
    )
)
_SPECIAL_TARGETS = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/proc/")
_REDIRECT = Pattern(r"^(?:\d|&)?(>>?|>\|)(.*)$")
_URL = Pattern(r"^[a-z][a-z0-9+.-]*://", re.I)


def of_script(script: str, workdir: str, env: Mapping[str, str]) -> Effects:
    """The effects of one shell script run in ``workdir`` with ``env`` (a RUN line, a heredoc body)."""
    writes: list[Write] = []
    opaque: list[tuple[str, str]] = []
    cwd = workdir
    for command in shell.commands(script):
        argv = [substitute(word, env) for word in command.argv]
        argv, targets = _redirections(argv)
        for target in targets:
            if not target.startswith("&") and not target.startswith(_SPECIAL_TARGETS):
                writes.append(Write(_abs(cwd, target), Kind.FILE, command.text))
        if not argv:
            continue
        program = argv[0].rsplit("/", 1)[-1]
        if program == "cd":
            destination = argv[1] if len(argv) > 1 else env.get("HOME", "/root")
            cwd = _abs(cwd, destination) if destination != "-" else cwd
            continue
        reader = _READERS.get(program)
        if reader is not None:
            writes.extend(Write(path, kind, command.text) for path, kind in reader(argv[1:], cwd))
        elif program not in QUIET:
            opaque.append((program, cwd))
    return Effects(tuple(writes), tuple(opaque))


def _redirections(argv: list[str]) -> tuple[list[str], list[str]]:
    """The words without their output redirections, and the files those name."""
    words: list[str] = []
    targets: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        match = _REDIRECT.match(word)
        if match and not word.startswith("2>&") and not word.startswith(">&"):
            rest = match.group(2)
            if rest:
                targets.append(rest)
            elif index + 1 < len(argv):
                targets.append(argv[index + 1])
                index += 1
            index += 1
            continue
        if word in ("<", "<<", "<<<") and index + 1 < len(argv):
            index += 2
            continue
        words.append(word)
        index += 1
    return words, targets


def _abs(cwd: str, path: str) -> str:
    if path.startswith("~"):
        path = "/root" + path[1:]
    cleaned = posixpath.normpath(posixpath.join(cwd, path))
    return "/" if cleaned == "//" else cleaned


def _operands(args: list[str], with_value: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """Positional operands and the values of the options that take one."""
    found: list[str] = []
    values: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            found.extend(args[index + 1 :])
            break
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name in with_value:
                if eq:
                    values[name] = value
                elif index + 1 < len(args):
                    values[name] = args[index + 1]
                    index += 1
            else:
                for option in with_value:
                    # -C/dir, -ofile: short options glued to their value
                    if len(option) == 2 and name.startswith(option) and len(name) > 2 and not name.startswith("--"):
                        values[option] = arg[2:]
            index += 1
            continue
        found.append(arg)
        index += 1
    return found, values


def _mkdir(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, _ = _operands(args, ("-m", "--mode"))
    return [(_abs(cwd, p), Kind.DIR) for p in operands]


def _touch(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, _ = _operands(args, ("-d", "-t", "-r", "--date", "--reference"))
    return [(_abs(cwd, p), Kind.FILE) for p in operands]


def _copy(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, values = _operands(args, ("-t", "--target-directory", "-S", "--suffix"))
    target = values.get("-t") or values.get("--target-directory")
    if target is not None:
        return [(_abs(cwd, posixpath.join(target, posixpath.basename(s.rstrip("/")))), Kind.TREE) for s in operands]
    if len(operands) < 2:
        return []
    dest = operands[-1]
    if len(operands) > 2 or dest.endswith("/"):
        return [(_abs(cwd, posixpath.join(dest, posixpath.basename(s.rstrip("/")))), Kind.TREE) for s in operands[:-1]]
    # ``cp a b``: b is a file, or a folder that receives a; the planner keeps b either way.
    return [(_abs(cwd, dest), Kind.TREE)]


def _move(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, _ = _operands(args, ("-t", "--target-directory", "-S", "--suffix"))
    removed = [(_abs(cwd, s), Kind.REMOVED) for s in operands[:-1]] if len(operands) >= 2 else []
    return [*_copy(args, cwd), *removed]


def _link(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, values = _operands(args, ("-t", "--target-directory", "-S", "--suffix"))
    target = values.get("-t") or values.get("--target-directory")
    if target is not None:
        return [(_abs(cwd, posixpath.join(target, posixpath.basename(s))), Kind.LINK) for s in operands]
    if len(operands) == 1:
        return [(_abs(cwd, posixpath.basename(operands[0])), Kind.LINK)]
    if len(operands) >= 2:
        return [(_abs(cwd, operands[-1]), Kind.LINK)]
    return []


def _sed(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    if not any(a == "-i" or a.startswith(("-i", "--in-place")) or (a.startswith("-") and not a.startswith("--") and "i" in a[1:])
               for a in args):
        return []
    operands, values = _operands(args, ("-e", "-f", "--expression", "--file"))
    files = operands if ("-e" in values or "-f" in values or "--expression" in values or "--file" in values) else operands[1:]
    return [(_abs(cwd, f), Kind.EDIT) for f in files]


def _meta(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, _ = _operands(args, ("--reference",))
    return [(_abs(cwd, p), Kind.META) for p in operands[1:]]


def _remove(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, _ = _operands(args)
    return [(_abs(cwd, p), Kind.REMOVED) for p in operands]


def _tee(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, _ = _operands(args)
    return [(_abs(cwd, p), Kind.FILE) for p in operands]


def _curl(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, values = _operands(args, ("-o", "--output", "-H", "--header", "-d", "--data", "-u", "--user", "-X",
                                         "--request", "-A", "--user-agent", "-e", "--referer", "-m", "--max-time",
                                         "--retry", "-w", "--write-out", "--connect-timeout", "--output-dir", "-x",
                                         "--proxy", "-b", "--cookie", "-c", "--cookie-jar", "-T", "--upload-file"))
    output = values.get("-o") or values.get("--output")
    if output is not None:
        return [(_abs(cwd, output), Kind.FILE)]
    remote_name = any(a in ("-O", "--remote-name") or (a.startswith("-") and not a.startswith("--") and "O" in a[1:]) for a in args)
    if remote_name:
        folder = values.get("--output-dir", ".")
        return [(_abs(cwd, posixpath.join(folder, _url_name(u))), Kind.FILE) for u in operands if _URL.match(u)]
    return []


def _wget(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, values = _operands(args, ("-O", "--output-document", "-P", "--directory-prefix", "--header", "-U",
                                         "--user-agent", "-t", "--tries", "-T", "--timeout", "-o", "--output-file"))
    output = values.get("-O") or values.get("--output-document")
    if output is not None:
        return [] if output == "-" else [(_abs(cwd, output), Kind.FILE)]
    folder = values.get("-P") or values.get("--directory-prefix") or "."
    return [(_abs(cwd, posixpath.join(folder, _url_name(u))), Kind.FILE) for u in operands if _URL.match(u)]


def _url_name(url: str) -> str:
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name or "index.html"


def _git(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    if not args or args[0] != "clone":
        return [] if args and args[0] in ("config", "--version", "version", "log", "status", "rev-parse") else [(cwd, Kind.TREE)]
    operands, _ = _operands(args[1:], ("-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "--reference"))
    if not operands:
        return []
    if len(operands) >= 2:
        return [(_abs(cwd, operands[1]), Kind.TREE)]
    name = operands[0].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
    return [(_abs(cwd, name), Kind.TREE)]


def _tar(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    first = args[0] if args else ""
    extracting = any(a in ("-x", "--extract", "--get") for a in args) or (
        first and not first.startswith("--") and "x" in first.lstrip("-")
    ) or any(a.startswith("-") and not a.startswith("--") and "x" in a[1:] for a in args)
    if not extracting:
        _, values = _operands(args, ("-f", "--file"))
        archive = values.get("-f") or values.get("--file")
        return [(_abs(cwd, archive), Kind.FILE)] if archive and archive != "-" else []
    _, values = _operands(args, ("-C", "--directory", "-f", "--file"))
    folder = values.get("-C") or values.get("--directory") or "."
    return [(_abs(cwd, folder), Kind.TREE)]


def _unzip(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    _, values = _operands(args, ("-d",))
    return [(_abs(cwd, values.get("-d", ".")), Kind.TREE)]


def _install(args: list[str], cwd: str) -> list[tuple[str, Kind]]:
    operands, values = _operands(args, ("-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory"))
    if "-d" in args or "--directory" in args:
        return [(_abs(cwd, p), Kind.DIR) for p in operands]
    return _copy([*(["-t", values["-t"]] if "-t" in values else []), *operands], cwd)


_READERS = {
    "mkdir": _mkdir,
    "touch": _touch,
    "cp": _copy,
    "rsync": _copy,
    "mv": _move,
    "ln": _link,
    "sed": _sed,
    "chmod": _meta,
    "chown": _meta,
    "chgrp": _meta,
    "rm": _remove,
    "rmdir": _remove,
    "tee": _tee,
    "curl": _curl,
    "wget": _wget,
    "git": _git,
    "tar": _tar,
    "unzip": _unzip,
    "install": _install,
}
