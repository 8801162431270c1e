"""The start command: CMD and ENTRYPOINT after the language's rewrites, and what they and HEALTHCHECK call.
"""

from __future__ import annotations

import re

from ..dockerfile import lintfix, packages, selfcheck, shell
from ..dockerfile.model import Instruction, Keyword
from ..dockerfile.stageplan import (
    Level,
    Line,
    Note,
    Placement,
)
from ..dockerfile.walk import State, Walked, origin_of
from ..languages.base import Needs
from .draft import SHELLS, Draft, exec_list


def start_commands(draft: Draft) -> tuple[str, ...] | None:
    """Decide CMD/ENTRYPOINT; return the argv the runtime starts (entrypoint + cmd)."""
    acc = draft.acc
    cmds = [w for w in draft.walked if w.instruction.keyword is Keyword.CMD]
    entries = [w for w in draft.walked if w.instruction.keyword is Keyword.ENTRYPOINT]
    for earlier in cmds[:-1] + entries[:-1]:
        later = cmds[-1] if earlier.instruction.keyword is Keyword.CMD else entries[-1]
        acc.decide(
            earlier.instruction,
            Placement.DROPPED,
            f"overridden by the {later.instruction.keyword.value} on line {later.instruction.line}",
        )
    entry = entries[-1] if entries else None
    cmd = cmds[-1] if cmds else None
    entry_argv = start_argv(draft, entry) if entry else None
    if entry is not None and cmd is not None and entry.instruction.exec_form is None:
        acc.decide(cmd.instruction, Placement.DROPPED, "a shell-form ENTRYPOINT ignores CMD; so did the original")
        cmd = None
    cmd_argv = start_argv(draft, cmd) if cmd else None
    argv: tuple[str, ...] | None = None
    if entry_argv is not None:
        argv = entry_argv + (cmd_argv or ())
    elif cmd_argv is not None:
        argv = cmd_argv
    if entry is None and cmd is None:
        return None
    return argv


def default_start(draft: Draft) -> tuple[str, ...] | None:
    """No CMD or ENTRYPOINT: what the language would start, else the one binary the build produced."""
    chosen = draft.lang.default_start(draft.inp)
    if chosen is not None:
        argv, why = chosen
        draft.acc.note(f"the original has no CMD or ENTRYPOINT; the runtime {why}")
        draft.acc.r_start.append(Line(text=lintfix.render_exec("CMD", argv), comments=("# The original set no start command",)))
        return argv
    built = list(dict.fromkeys(a.path for a in draft.artifacts))
    if len(built) != 1:
        if not built:
            draft.acc.note("the original has no CMD or ENTRYPOINT and no built program was found to start", None, Level.WARNING)
        return None
    argv = (built[0],)
    draft.acc.note(f"the original has no CMD or ENTRYPOINT; the runtime starts the built binary {built[0]}")
    draft.acc.r_start.append(Line(text=lintfix.render_exec("CMD", argv), comments=("# The original set no start command: run the binary it built",)))
    return argv


def start_argv(draft: Draft, w: Walked) -> tuple[str, ...]:
    """The argv of one CMD/ENTRYPOINT after rewrites, recording its decision and runtime line."""
    ins = w.instruction
    keyword = ins.keyword.value
    reasons: list[str] = []
    argv, how = lintfix.start_argv(ins, draft.inp.stage.instructions)
    if ins.exec_form is None:
        reasons.append(how)
        if lintfix.quoted_json(ins.args) is not None:
            draft.acc.note(
                f"{keyword} is a JSON array inside quotes: the original's /bin/sh ran the whole array as one command "
                "name and the container could not start; the runtime runs it in exec form as intended",
                ins.line,
                Level.WARNING,
            )
        elif lintfix.single_quoted_json(ins.args) is not None:
            draft.acc.note(
                f"{keyword} uses single quotes, which is not JSON: the original ran it through /bin/sh "
                "and failed; the runtime runs it in exec form as intended",
                ins.line,
                Level.WARNING,
            )
    rewrite = draft.lang.rewrite_start(draft.inp, argv, w.state, tuple(draft.artifacts))
    if rewrite is not None and rewrite.drop:
        if rewrite.build is not None:
            draft.generated_builds.append(rewrite.build)
        draft.acc.note(rewrite.reason, ins.line)
        draft.acc.decide(ins, Placement.DROPPED, rewrite.reason)
        return ()
    if rewrite is not None and selfcheck.stray_operator(rewrite.argv) and not selfcheck.stray_operator(argv):
        # A rewrite must not turn a shell line into words with "&&" in them: keep the command as it ran.
        draft.acc.note(
            f"{keyword} is kept as written: {rewrite.reason}, but that rewrite would pass "
            f"{selfcheck.stray_operator(rewrite.argv)!r} to a program instead of a shell",
            ins.line,
            Level.WARNING,
        )
        rewrite = None
    if rewrite is not None:
        argv = rewrite.argv
        reasons.append(rewrite.reason)
        if rewrite.build is not None:
            draft.generated_builds.append(rewrite.build)
        if rewrite.artifact is not None:
            draft.artifacts.append(rewrite.artifact)
        draft.acc.note(rewrite.reason, ins.line)
    if argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
        draft.acc.note(
            f"{keyword} starts {argv[0]!r}, which is not a program: exec form does not read VAR=value "
            f"(the original fails to start too); perhaps ENV {argv[0]} was meant",
            ins.line,
            Level.WARNING,
        )
    stray = selfcheck.stray_operator(argv) if ins.exec_form is not None else None
    if stray is not None:
        draft.acc.note(
            f"{keyword} is in exec form, so {stray!r} reaches {argv[0]} as an argument and no shell reads it "
            "(the original does the same); write it in shell form if a shell should run it",
            ins.line,
            Level.WARNING,
        )
    if ins.exec_form is not None and any(re.search(r"\$\{?[A-Za-z_]", a) for a in argv):
        draft.acc.note(
            f"{keyword} is in exec form, so no shell expands the $ variables in it (the original did not either); "
            "write it as shell form or wrap it in sh -c if they should be expanded",
            ins.line,
            Level.WARNING,
        )
    argv = point_at_artifact(draft, ins, argv, w.state, reasons)
    record_calls(draft, ins, argv)
    text = lintfix.render_exec(keyword, argv)
    reason = "; ".join(["the container's start command", *reasons])
    draft.acc.decide(ins, Placement.RUNTIME, reason)
    draft.acc.r_start.append(Line(text=text, comments=ins.comments))
    return argv


def point_at_artifact(draft: Draft, ins: Instruction, argv: tuple[str, ...], state: State, reasons: list[str]) -> tuple[str, ...]:
    """A start command naming a path the build does not produce is pointed at the built binary."""
    if not argv or argv[0] in SHELLS or "/" not in argv[0] or argv[0].startswith("/bin/"):
        return argv
    target = state.resolve(argv[0])
    built = [a.path for a in draft.artifacts]
    if not built or target in built or draft.unknown_builds:
        return argv
    if origin_of(list(draft.inp.copies), target, draft.inp.context) is not None:
        return argv  # a program or script the original copied from the build context
    if len(set(built)) == 1:
        draft.acc.note(
            f"{ins.keyword.value} runs {target}, which the build does not produce "
            f"(it writes {built[0]}); the runtime starts {built[0]}",
            ins.line,
            Level.WARNING,
        )
        reasons.append(f"pointed at the built binary {built[0]}")
        return (built[0], *argv[1:])
    return argv


def record_calls(draft: Draft, ins: Instruction, argv: tuple[str, ...]) -> None:
    if not argv:
        return
    program = argv[0].rsplit("/", 1)[-1]
    if program in SHELLS:
        draft.shell_needs.append(Note(f"{ins.keyword.value} runs a shell command", ins.line))
        draft.called.add(program)  # bash installed by the original stays installed in the runtime
        at = selfcheck.script_index(argv)
        script = argv[at] if at is not None and at < len(argv) else ""
        for command in shell.commands(script):
            draft.called.add(command.program)
    else:
        draft.called.add(program)


def needs(draft: Draft) -> Needs:
    for w in draft.walked:
        ins = w.instruction
        if ins.keyword is Keyword.HEALTHCHECK:
            healthcheck_calls(draft, ins)
    scripts = start_scripts(draft)
    if scripts:
        draft.shell_needs.append(Note(f"the start command runs the script {scripts[0]}", None))
    wanted: list[str] = []
    manager = None
    for w in draft.walked:
        for install in packages.installs(list(w.commands)):
            keep, _ = packages.runtime_packages(install, draft.called, draft.lang.links_libraries(draft.inp))
            manager = manager or install.manager
            wanted.extend(p for p in keep if p not in wanted)
    shell_needed = tuple(draft.shell_needs)
    return Needs(shell=shell_needed, packages=tuple(wanted), manager=manager)


def healthcheck_calls(draft: Draft, ins: Instruction) -> None:
    words = ins.args.split(None, 1)
    if not words or words[0].upper() == "NONE":
        return
    rest = words[1] if len(words) > 1 else ""
    form = exec_list(rest)
    if form is not None:
        if form and form[0] == "CMD-SHELL":
            draft.shell_needs.append(Note("HEALTHCHECK runs a shell command", ins.line))
            for command in shell.commands(" ".join(form[1:])):
                draft.called.add(command.program)
        elif form:
            start = form[1:] if form[0] == "CMD" else form
            if start:
                draft.called.add(start[0].rsplit("/", 1)[-1])
        return
    draft.shell_needs.append(Note("HEALTHCHECK runs a shell command", ins.line))
    custom = lintfix.shell_in_effect(draft.inp.stage.instructions, ins.line)
    if custom:
        draft.called.add(custom[0].rsplit("/", 1)[-1])
    for command in shell.commands(rest):
        draft.called.add(command.program)


def start_scripts(draft: Draft) -> list[str]:
    """Scripts from the build context that the start command runs (they need a shell)."""
    found = []
    for line in draft.acc.r_start:
        argv = exec_list(line.text.split(None, 1)[1])
        if not argv:
            continue
        exe = argv[0]
        if exe.endswith(".sh") or exe.endswith(".bash"):
            found.append(exe)
    return found

