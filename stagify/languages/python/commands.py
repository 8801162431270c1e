"""Python install commands in RUN lines: which install tools, which install the project, and their rewrites.

Tools (pip itself, poetry, pipenv, uv) are installed before the virtualenv exists and
stay out of it; the project's dependencies go into the virtualenv the runtime copies.
"""

from __future__ import annotations

import re

from ...dockerfile import shell
from ...dockerfile.shell import Command
from ...patterns import Pattern

VENV = "/opt/venv"
TOOLS = frozenset(
    {"pip", "setuptools", "wheel", "poetry", "pipenv", "uv", "pdm", "pip-tools", "virtualenv", "poetry-plugin-export",
     "hatch", "flit", "build", "twine", "pipx"}
)
CACHES = {
    "pip": "/root/.cache/pip",
    "poetry": "/root/.cache/pypoetry",
    "pipenv": "/root/.cache/pipenv",
    "uv": "/root/.cache/uv",
    "pdm": "/root/.cache/pdm",
}


def pip_args(argv: tuple[str, ...]) -> list[str] | None:
    """The words after ``install`` of a pip install, however pip is called; None when it is not one."""
    words = list(argv)
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if re.fullmatch(r"python[\d.]*", program) and words[1:3] == ["-m", "pip"]:
        words = words[3:]
    elif re.fullmatch(r"pip[\d.]*", program):
        words = words[1:]
    elif program == "uv" and words[1:3] == ["pip", "install"]:
        return words[3:]
    else:
        return None
    if not words or words[0] != "install":
        return None
    return words[1:]


def named(args: list[str]) -> list[str]:
    """The package names a pip install's arguments name."""
    return _named(args)


def _named(args: list[str]) -> list[str]:
    names, skip = [], False
    for word in args:
        if skip:
            skip = False
            continue
        if word in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--target", "-t", "--prefix", "--root", "-c", "--constraint", "--trusted-host"):
            skip = True
            continue
        if not word.startswith("-"):
            names.append(re.split(r"[<>=!~\[;@ ]", word, maxsplit=1)[0].lower())
    return names


# pip options that put packages somewhere of the command's choosing instead of the active environment.
_PLACES = ("--target", "-t", "--prefix", "--root")
# Prefixes of the image's own Python: an install there (--prefix, --root) or into its site-packages (--target)
# is one into the image's Python, which the virtualenv replaces.
_SYSTEM_PREFIXES = frozenset({"/usr/local", "/usr", "/"})
_SYSTEM_SITE = Pattern(r"^/usr(/local)?/lib/python[\d.]*/(site|dist)-packages/?$")


def _places(args: list[str]) -> list[tuple[int, int, str, bool]]:
    """Each ``--target DIR`` / ``--target=DIR`` / ``-t DIR`` / ``--prefix`` / ``--root``:
    (first word, word count, DIR, whether DIR is the image's own Python)."""
    out = []
    for i, word in enumerate(args):
        flag, eq, value = word.partition("=")
        if not (flag in _PLACES and eq) and not (word in _PLACES and i + 1 < len(args)):
            continue
        value = value if eq else args[i + 1]
        system = bool(_SYSTEM_SITE.match(value)) if flag in ("--target", "-t") else (value.rstrip("/") or "/") in _SYSTEM_PREFIXES
        out.append((i, 1 if eq else 2, value, system))
    return out


def install_folders(argv: tuple[str, ...]) -> list[str]:
    """The folders a pip install writes its packages to by ``--target``, ``--prefix`` or ``--root``, kept as written.

    The system's own prefixes are not among them: an install there becomes one into the virtualenv.
    """
    args = pip_args(argv)
    if args is None or is_tool_install(argv):
        return []
    return [value.rstrip("/") for _, _, value, system in _places(args) if value.startswith("/") and not system]


def is_tool_install(argv: tuple[str, ...]) -> bool:
    """``pip install --upgrade pip`` or ``pip install poetry``: tools, kept out of the virtualenv."""
    args = pip_args(argv)
    if args is None or any(a in ("-r", "--requirement", "-e", "--editable") or a.startswith("-r") for a in args):
        return False
    names = _named(args)
    return bool(names) and all(n in TOOLS for n in names)


# What a virtualenv's own pip installs for itself: upgrading them upgrades the installer, not the project.
INSTALLER = frozenset({"pip", "setuptools", "wheel"})


def is_installer_upgrade(argv: tuple[str, ...]) -> bool:
    """``pip install --upgrade pip setuptools wheel``: the installer itself, which a new virtualenv must get too."""
    args = pip_args(argv)
    if args is None or not is_tool_install(argv) or any(a in ("--user", "--target", "-t", "--prefix", "--root") for a in args):
        return False
    return set(_named(args)) <= INSTALLER


def project_install(argv: tuple[str, ...]) -> str | None:
    """The manager of a command that installs the project's dependencies (pip, poetry, pipenv, uv, pdm)."""
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    words = list(argv)
    if re.fullmatch(r"python[\d.]*", program) and words[1:2] == ["-m"] and len(words) > 2:
        program, words = words[2], words[2:]
    args = pip_args(argv)
    if args is not None:
        return None if is_tool_install(argv) else ("uv" if program == "uv" else "pip")
    if program == "poetry" and words[1:2] in (["install"], ["sync"]):
        return "poetry"
    if program == "pipenv" and words[1:2] in (["install"], ["sync"]):
        return "pipenv"
    if program == "uv" and words[1:2] == ["sync"]:
        return "uv"
    if program == "pdm" and words[1:2] in (["install"], ["sync"]):
        return "pdm"
    if re.fullmatch(r"python[\d.]*", program) and words[1:2] == ["setup.py"] and words[2:3] in (["install"], ["develop"]):
        return "pip"
    return None


def rewrite_install(command: Command, manager: str, has_lock: bool) -> tuple[str, str | None]:
    """The command as it runs in the builder's virtualenv, and a note when its meaning changes."""
    words = list(command.argv)
    env = " ".join(f"{k}={v}" for k, v in command.env)
    note = None
    if manager in ("pip", "uv") and pip_args(command.argv) is not None:
        out = [w for w in words if w != "--no-cache-dir"]  # the cache mount keeps the cache out of the layer
        if "--user" in out:
            # pip refuses --user in a virtualenv; the virtualenv takes the place of the user's site-packages
            out = [w for w in out if w != "--user"]
            note = "pip install --user installs into the virtualenv, which takes the place of the user's site-packages"
        start = len(out) - len(pip_args(tuple(out)) or [])
        for at, count, value, system in reversed(_places(out[start:])):
            if system:
                # Into the image's own Python: the virtualenv is that Python's site-packages now
                del out[start + at: start + at + count]
                note = f"pip install into {value} (the image's Python) installs into the virtualenv instead"
        for flag in ("-e", "--editable"):
            while flag in out:
                i = out.index(flag)
                if i + 1 < len(out) and out[i + 1] in (".", "./"):
                    out.pop(i)
                    note = "the editable install of the project becomes a regular one, so the virtualenv holds the package"
                else:
                    break
        words = out
    elif manager == "poetry":
        if "--no-dev" in words:
            words.remove("--no-dev")
        if not any(w.startswith(("--only", "--with", "--without")) for w in words):
            words.append("--only")
            words.append("main")
            note = "poetry installs the main dependencies only: development groups stay out of the image"
    elif manager == "pipenv":
        if "--system" not in words:
            words.append("--system")
            note = "pipenv installs into the virtualenv stagify creates (--system) instead of one of its own"
        if has_lock and "--deploy" not in words and words[1:2] == ["install"]:
            words.append("--deploy")
    elif manager == "uv" and words[1:2] == ["sync"]:
        if has_lock and "--frozen" not in words and "--locked" not in words:
            words.append("--frozen")
        if "--no-dev" not in words:
            words.append("--no-dev")
    elif manager == "python-setup":
        pass
    if re.fullmatch(r"python[\d.]*", words[0].rsplit("/", 1)[-1]) and words[1:2] == ["setup.py"]:
        words = ["pip", "install", "."]
        note = "python setup.py install is deprecated: pip installs the project instead"
    text = " ".join(_quote(w) for w in words)
    return (f"{env} {text}" if env else text), note


def _quote(word: str) -> str:
    return word if re.fullmatch(r"[\w@%+=:,./\[\]<>~^*-]+", word) and not re.search(r"[<>]", word) else f'"{word}"'


# ``poetry run``/``pipenv run``/``pdm run``/``uv run [--frozen ...]`` (optionally through ``python -m``) at the
# start of a command, after its VAR=value prefixes: what unwrap_runner removes, as written in a shell line.
_RUNNER_PREFIX = Pattern(
    r"^((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)(?:python[\d.]*\s+-m\s+)?"
    r"(?:(?:\S*/)?(?:poetry|pipenv|pdm)\s+run|uv\s+run(?:\s+--(?:frozen|no-dev|locked))*)\s+(?=\S)"
)


def unwrap_runner_in_script(script: str) -> str | None:
    """Each ``poetry run X`` (and friends) of a shell line as ``X``, the rest as written; None if there is none."""
    out = script
    for command in shell.commands(script):
        if unwrap_runner(command.argv) is None and unwrap_runner(tuple(command.text.split())) is None:
            continue
        bare = _RUNNER_PREFIX.sub(r"\1", command.text, count=1)
        if bare != command.text:
            out = out.replace(command.text, bare, 1)
    return out if out != script else None


def unwrap_runner(argv: tuple[str, ...]) -> tuple[str, ...] | None:
    """``poetry run uvicorn ...`` / ``pipenv run gunicorn ...`` -> the command itself (the venv is on PATH)."""
    words = list(argv)
    if words and re.fullmatch(r"python[\d.]*", words[0].rsplit("/", 1)[-1]) and words[1:2] == ["-m"] and len(words) > 2:
        words = words[2:]
    if len(words) > 2 and words[0].rsplit("/", 1)[-1] in ("poetry", "pipenv", "pdm") and words[1] == "run":
        return tuple(words[2:])
    if len(words) > 2 and words[0] == "uv" and words[1] == "run":
        rest = [w for w in words[2:] if w not in ("--frozen", "--no-dev", "--locked")]
        return tuple(rest)
    return None
