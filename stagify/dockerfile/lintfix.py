"""Safe rewrites of the user's own lines so the output is lint-clean without changing what they do.

Each rewrite is one hadolint rule's fix that cannot change the build's result:
ADD of local files -> COPY (DL3020), MAINTAINER -> LABEL (DL4000),
``apt`` -> ``apt-get`` (DL3027), ``apt-get install`` without ``-y`` -> with it (DL3014),
a relative WORKDIR -> the absolute folder it resolves to (DL3000),
shell-form CMD/ENTRYPOINT without shell features -> exec form (DL3025).
"""

from __future__ import annotations

import ast
import json
import re
import shlex

from ..patterns import Pattern
from . import shell
from .model import Flag, Instruction, Keyword, env_pairs, unquote
from .stageplan import Mount

_ARCHIVE = Pattern(r"\.(tar|tgz|tar\.gz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$", re.I)
_REMOTE = Pattern(r"^(https?://|git@|git://|ssh://)")
_ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")


def keyword_upper(raw: str) -> str:
    """The instruction keyword in upper case (``run x`` -> ``RUN x``), the rest as written."""
    stripped = raw.lstrip()
    word = stripped.split(None, 1)[0] if stripped else ""
    return word.upper() + stripped[len(word) :]


def replace_command(raw: str, segment: str, new: str, escape: str) -> str:
    """Replace a command inside an instruction's text, across continuation lines.

    ``segment`` is the command as the shell reads it; in ``raw`` its words may be
    separated by any blanks or by the escape character and a line break. The text
    is returned unchanged when the command is not found in it.
    """
    words = segment.split()
    gap = r"(?:\s|" + re.escape(escape) + r"\n)+"
    pattern = gap.join(re.escape(w) for w in words)
    m = re.search(pattern, raw)
    if not m:
        return raw
    return raw[: m.start()] + new + raw[m.end() :]


def add_to_copy(ins: Instruction) -> str | None:
    """``ADD src dest`` -> ``COPY src dest`` when every source is a local, non-archive path."""
    if ins.keyword is not Keyword.ADD or ins.heredocs:
        return None
    sources = list(ins.exec_form[:-1]) if ins.exec_form else [unquote(w) for w in ins.args.split()[:-1]]
    if not sources or any(_REMOTE.match(s) or _ARCHIVE.search(s) for s in sources):
        return None
    if any(ins.flag(name) is not None for name in _ADD_ONLY_FLAGS):
        return None
    body = keyword_upper(ins.raw)[3:]
    return "COPY" + body


def absolute_workdir(ins: Instruction, resolved: str) -> str | None:
    """``WORKDIR build/libs`` -> ``WORKDIR /app/build/libs``, the folder it resolves to (DL3000)."""
    value = unquote(ins.args.strip())
    if value.startswith("/") or "$" in value or not value:
        return None
    return f"WORKDIR {resolved}"


def maintainer_to_label(ins: Instruction) -> str:
    return f"LABEL maintainer={json.dumps(ins.args.strip())}"


def fix_run_text(text: str) -> str:
    """``apt install`` -> ``apt-get install``; add ``-y`` to an ``apt-get install`` that lacks it."""
    text = re.sub(r"(?<![\w/-])apt(?=\s+(?:-\S+\s+)*(?:install|update|upgrade|remove|purge)\b)", "apt-get", text)

    def add_yes(m: re.Match[str]) -> str:
        segment = m.group(0)
        if re.search(r"(?<!\S)(-y|--yes|-qq?y|-yq+|--assume-yes|-[a-z]*y[a-z]*)(?!\S)", segment):
            return segment
        return segment.replace("install", "install -y", 1)

    return re.sub(r"apt-get\s+(?:-\S+\s+)*install\b[^&|;\n]*", add_yes, text)


def exec_form_of(text: str) -> list[str] | None:
    """A shell-form command line as exec-form words, when /bin/sh would not change its meaning."""
    if shell.has_shell_features(text):
        return None
    return shell.words(text)


def exec_without_exec(text: str) -> list[str] | None:
    """``exec node server.js`` -> ``["node", "server.js"]``: the shell's ``exec`` replaces the shell with
    the program, which is what exec form does, when nothing else on the line needs the shell."""
    m = re.match(r"^\s*exec\s+(?!-)(.+)$", text, re.S)
    if m is None:
        return None
    return exec_form_of(m.group(1))


def shell_in_effect(instructions: tuple[Instruction, ...], line: int) -> tuple[str, ...] | None:
    """The SHELL that runs a shell-form instruction at ``line`` (None: the default ``/bin/sh -c``)."""
    found = None
    for ins in instructions:
        if ins.line >= line:
            break
        if ins.keyword is Keyword.SHELL and ins.exec_form:
            found = ins.exec_form
    return found


def start_argv(ins: Instruction, instructions: tuple[Instruction, ...] = ()) -> tuple[tuple[str, ...], str]:
    """What a CMD/ENTRYPOINT runs, as an argv, and how it was read; ``instructions`` is its stage.

    The one place a command line becomes exec-form words. Shell form becomes words only
    when /bin/sh would do nothing but split it; a line that needs the shell keeps it:
    ``["/bin/sh", "-c", <the line as written>]`` runs exactly what the original ran.
    """
    if ins.exec_form is not None:
        return ins.exec_form, "exec form, as written"
    return shell_line_argv(ins.args, shell_in_effect(instructions, ins.line))


def shell_line_argv(text: str, custom: tuple[str, ...] | None = None) -> tuple[tuple[str, ...], str]:
    """A shell-form command line as an argv (see :func:`start_argv`), and the reason.

    Under a SHELL of the user's (``["/bin/bash", "-o", "pipefail", "-c"]``) every line keeps that
    shell: a login shell or its options may matter even to a line with no shell feature.
    """
    if custom is not None:
        return (*custom, text.strip()), f"shell form under SHELL {json.dumps(list(custom))}: runs through that shell as before"
    quoted = quoted_json(text)
    if quoted is not None:
        return tuple(quoted), "a quoted array read as the exec form it was meant to be"
    fixed = single_quoted_json(text)
    if fixed is not None:
        return tuple(fixed), "single-quoted array read as the exec form it was meant to be"
    plain = exec_form_of(text)
    if plain is not None:
        return tuple(plain), "shell form without shell features written in exec form"
    direct = exec_without_exec(text)
    if direct is not None:
        return tuple(direct), "shell form that only execs a program: exec form runs it the same way, without the shell"
    return ("/bin/sh", "-c", text.strip()), "shell form with shell features: runs through /bin/sh as before"


def render_exec(keyword: str, argv: list[str] | tuple[str, ...]) -> str:
    return f"{keyword} {json.dumps(list(argv))}"


def single_quoted_json(text: str) -> list[str] | None:
    """``['./app', '-v']``: meant as exec form, but BuildKit runs it through the shell."""
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")) or "'" not in stripped:
        return None
    try:
        value = json.loads(stripped.replace('"', '\\"').replace("'", '"'))
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def quoted_json(text: str) -> list[str] | None:
    """``"[\\"python\\", 'app.py']"``: an exec-form array written inside quotes, which the shell runs as one word."""
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in "\"'" or stripped[-1] != stripped[0]:
        return None
    try:
        words = shlex.split(stripped)
    except ValueError:
        return None
    if len(words) != 1 or not (words[0].startswith("[") and words[0].endswith("]")):
        return None
    try:
        value = ast.literal_eval(words[0])  # JSON's strings and single-quoted ones alike
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def healthcheck_exec(ins: Instruction, instructions: tuple[Instruction, ...] = ()) -> str | None:
    """``HEALTHCHECK [opts] CMD curl ... || exit 1`` -> exec form, through /bin/sh when it needs one."""
    if ins.keyword is not Keyword.HEALTHCHECK:
        return None
    words = ins.args.split(None, 1)
    if len(words) < 2 or words[0].upper() != "CMD" or words[1].lstrip().startswith("["):
        return None
    command = words[1].strip()
    argv = list(shell_line_argv(command, shell_in_effect(instructions, ins.line))[0])
    options = "".join(f" {flag.render()}" for flag in ins.flags)
    return f"HEALTHCHECK{options} CMD {json.dumps(argv)}"


def with_mounts(raw: str, flags: tuple[Flag, ...], mounts: tuple[Mount, ...], escape: str) -> str:
    """The RUN with cache mounts added, each option on its own continuation line."""
    existing = {f.value.split("target=", 1)[1].split(",", 1)[0] for f in flags if f.name == "mount" and f.value and "target=" in f.value}
    new = [m for m in mounts if m.target not in existing]
    if not new:
        return keyword_upper(raw)
    body = raw.lstrip()[3:]  # after "RUN"
    options: list[str] = []
    while True:
        body = re.sub(r"^(\s|" + re.escape(escape) + r"\n)+", "", body)
        m = re.match(r"--[A-Za-z][\w-]*(=(\"[^\"]*\"|'[^']*'|\S*))?", body)
        if not m:
            break
        options.append(m.group(0))
        body = body[m.end() :]
    options.extend(m.render() for m in new)
    sep = f" {escape}\n    "
    return "RUN " + sep.join(options) + sep + body


_PIP_INSTALL = Pattern(r"\b(pip3?|python3? -m pip)\s+install\b")
PIP_CACHE = Mount("/root/.cache/pip")


def pip_cache_mount(ins: Instruction, user: str | None, escape: str) -> str | None:
    """A ``pip install`` that would keep its download cache in the layer gets a cache mount (DL3042)."""
    if ins.keyword is not Keyword.RUN or not _PIP_INSTALL.search(ins.args):
        return None
    if "--no-cache-dir" in ins.args or "PIP_NO_CACHE_DIR" in ins.args:
        return None
    if user is not None and user not in ("root", "0", "0:0"):
        return None  # the cache mount is root's; another user's pip keeps its own cache
    return with_mounts(ins.raw, ins.flags, (PIP_CACHE,), escape)


# Settings whose names hadolint's DL3064 takes for secrets, and what they really hold.
NOT_SECRETS = {
    "GOPRIVATE": "module path patterns",
    "GONOPRIVATE": "module path patterns",
}


def not_secret_comments(ins: Instruction) -> tuple[str, ...]:
    """An ``# hadolint ignore=DL3064`` above an ENV or ARG that sets a known non-secret setting with a secret-looking name."""
    if ins.keyword not in (Keyword.ENV, Keyword.ARG):
        return ()
    names = [name for name, _ in env_pairs(ins.args)] if ins.keyword is Keyword.ENV else [ins.args.split("=", 1)[0].strip()]
    found = [name for name in names if name in NOT_SECRETS]
    if not found:
        return ()
    why = ", ".join(f"{name} holds {NOT_SECRETS[name]}" for name in found)
    return (f"# {why}, not a secret", "# hadolint ignore=DL3064")

