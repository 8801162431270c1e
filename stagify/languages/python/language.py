"""The Python language: detection and the planning hooks.

The builder is the original stage with its dependencies installed into one
virtualenv (``/opt/venv``); the runtime is the same Python on slim or Alpine (or
distroless) with that virtualenv, the application files from the builder, the
run-time libraries of the ``-dev`` packages the build used, and a non-root user.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...dockerfile import effects, packages
from ...dockerfile.lintfix import keyword_upper, replace_command, with_mounts
from ...dockerfile.model import Keyword, env_pairs
from ...dockerfile.selfcheck import script_index
from ...dockerfile.shell import Command
from ...dockerfile.stageplan import Level, Mount, Note, SecretInput
from ...dockerfile.walk import CopyRecord, State, Walked
from ...images import catalogue
from ...images.catalogue import BaseImage
from ...images.reference import Family, ImageRef
from ...options import RuntimeChoice
from ..base import Artifact, Needs, PlanInput, RunRewrite, StartRewrite, distroless_blocker, layer_workdirs
from . import prefix
from .commands import (
    CACHES,
    VENV,
    install_folders,
    is_installer_upgrade,
    is_tool_install,
    named,
    pip_args,
    project_install,
    rewrite_install,
    unwrap_runner,
    unwrap_runner_in_script,
)
from .detector import MANIFESTS, PythonDetector
from .facts import WEB_SERVERS, PyFacts, requirement_inputs

# Programs a start command may run on distroless python3: its Python, or a server the virtualenv installs
# (a console script whose #! line names the virtualenv's python, which points at the image's).
DISTROLESS_STARTS = frozenset({"python", "python3", "python3.11", "gunicorn", "uvicorn", "hypercorn", "daphne"})
# Variables only pip and the dependency managers read.
BUILD_ENV_PREFIXES = ("PIP_", "POETRY_", "PIPENV_", "UV_", "PDM_")
# The packaging tools of the builder's own Python, as its pip lists them (name==version, the first of each on
# sys.path), installed into the new virtualenv. `pip list`, not importlib.metadata: Python 3.7 has none.
# `-I`: the working folder is not on sys.path.
SEED_TOOLS = (
    f"python -m venv {VENV}",
    '&& tools="" && for t in $(python -I -m pip list --format=freeze --disable-pip-version-check 2>/dev/null); do',
    'case "$t" in pip==*|setuptools==*|wheel==*) tools="$tools $t" ;; esac; done',
    f'&& if [ -n "$tools" ]; then {VENV}/bin/python -m pip install -q --disable-pip-version-check --no-deps $tools; fi',
)
DEFAULT_ENV = (("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1"))
PYTHON_IGNORES = (
    "__pycache__", "*.py[cod]", ".venv", "venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox",
    ".coverage", "htmlcov", "*.egg-info", "dist", ".ipynb_checkpoints",
)


@dataclass(frozen=True)
class PyInstallLayer:
    """The requirements and their install, placed before the sources."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class PyTemplateData:
    layer: PyInstallLayer | None
    env: tuple[tuple[str, str], ...]  # run-time variables the user did not set themselves
    venv: str | None  # None: no install was found, so there is no virtualenv
    distroless_interpreter: str | None  # repoint the virtualenv at distroless' python
    trim: bool = False  # take pip (and setuptools, when nothing needs it) out of the virtualenv the runtime copies


def _is_root(user: str | None) -> bool:
    return user is None or user in ("root", "0", "0:0")


class PythonLanguage(PythonDetector):
    """The planning hooks; the name, the traits and detection are :class:`PythonDetector`'s."""

    # -- planning hooks -----------------------------------------------------------------------------

    def facts(self, inp: PlanInput) -> PyFacts:
        facts = inp.detection.facts
        assert isinstance(facts, PyFacts)
        return facts

    def builder_image(self, inp: PlanInput, runtime_family: str | None) -> tuple[BaseImage, str]:
        flavor = _flavor(inp.image)
        version = inp.detection.version or catalogue.versions("python")[-1]
        reason = f"Python {version} from {inp.detection.version_source}; the original's {flavor} flavour"
        if runtime_family == Family.DISTROLESS.value:
            if flavor == "alpine":
                flavor = "slim"
            if version != catalogue.DISTROLESS_PYTHON:
                reason += (f"; Python {catalogue.DISTROLESS_PYTHON} instead, the Python of the distroless runtime "
                           f"(the original asked for {version})")
                version = catalogue.DISTROLESS_PYTHON
        row, exact = inp.on_release(catalogue.row(f"python-{version}-{flavor}"))
        return row, reason + exact

    def is_build_env(self, inp: PlanInput, name: str) -> bool:
        return name.startswith(BUILD_ENV_PREFIXES) or name == "VIRTUAL_ENV"

    def is_manifest_copy(self, record: CopyRecord) -> bool:
        return bool(record.sources) and all(
            posixpath.basename(s) in MANIFESTS or re.fullmatch(r"requirements.*\.(txt|in)", posixpath.basename(s)) is not None
            for s in record.sources
        )

    def copy_to_runtime(self, inp: PlanInput, walked: Walked) -> str | None:
        return None  # the application files come from the builder (with what its steps generated)

    def runtime_workdir(self, inp: PlanInput, workdir: str | None) -> str | None:
        return workdir

    def links_libraries(self, inp: PlanInput) -> bool:
        return True  # compiled extensions link the libraries whose headers the build installed

    def runtime_writes(self, inp: PlanInput) -> list[tuple[str, str]]:
        facts = inp.detection.facts
        return list(facts.runtime_writes) if isinstance(facts, PyFacts) else []

    def runtime_files(self, inp: PlanInput) -> list[tuple[str, str]]:
        return []

    # -- the virtualenv and the installs ------------------------------------------------------------

    def _first_install(self, inp: PlanInput) -> int | None:
        for index, w in enumerate(inp.walked):
            if w.instruction.keyword is Keyword.RUN and any(project_install(c.argv) for c in w.commands):
                return index
        return None

    def _moves_install(self, inp: PlanInput) -> bool:
        """``COPY . .`` then ``pip install -r requirements.txt``: the install moves before the sources."""
        index = self._first_install(inp)
        first = inp.first_source
        if index is None or first is None or index < first or inp.walked[index].instruction.heredocs:
            return False
        commands = inp.walked[index].commands
        requirements = [c for c in commands if project_install(c.argv)]
        if not all(is_tool_install(c.argv) or (project_install(c.argv) == "pip" and _requirement_files(c.argv)) for c in commands):
            return False
        named = [f for c in requirements for f in _requirement_files(c.argv)]
        if not all(inp.context.is_file(f) for f in named):
            return False
        # A requirement on a folder of the build context (./lib, -e .) needs the sources: the install stays after them.
        files, local = requirement_inputs(inp.context, named)
        return not local and all(inp.context.is_file(f) for f in files)

    def _stays_note(self, inp: PlanInput, index: int) -> tuple[Note, ...]:
        """Why an install after the sources is not moved before them, when a requirement names a local folder."""
        first = inp.first_source
        named = [f for c in inp.walked[index].commands if project_install(c.argv) for f in _requirement_files(c.argv)]
        if first is None or index < first or not named or not all(inp.context.is_file(f) for f in named):
            return ()
        _, local = requirement_inputs(inp.context, named)
        if not local:
            return ()
        return (Note(f"the install stays after the sources (its layer is rebuilt when a source changes): {local[0]} "
                     "names a folder of the build context", inp.walked[index].instruction.line),)

    def dependency_layer(self, inp: PlanInput, at: State) -> object | None:
        """The install moved before the sources, when the original installed after copying them."""
        return PyInstallLayer(lines=tuple(self.moved_install_lines(inp))) if self._moves_install(inp) else None

    def plan_notes(self, inp: PlanInput) -> tuple[Note, ...]:
        skipped = tuple(Note(f"{why}: not scanned for the application's entry point or metadata", None, Level.WARNING)
                        for why in self.facts(inp).skipped)
        index = self._first_install(inp)
        if index is not None:
            return (*skipped, *self._stays_note(inp, index), *self._prefix_notes(inp))
        return (
            *skipped,
            Note(
                "no pip, Poetry, Pipenv or uv install was found: the runtime copies the builder's /usr/local (its Python "
                "and whatever the build installed there); system packages a setup script installs are not copied",
                None,
                Level.WARNING,
            ),
        )

    def _prefix_notes(self, inp: PlanInput) -> tuple[Note, ...]:
        """A start script names the original's interpreter by path: in the runtime it runs without the packages."""
        return tuple(
            Note(f"{rel} runs {program}, the image's own Python: in the runtime the packages are in the virtualenv "
                 f"{VENV}, which that interpreter does not see, so the script would fail to import them; "
                 f"write `python` (the virtualenv's is first on PATH) or {VENV}/bin/python in {rel}",
                 None, Level.WARNING)
            for rel, program in dict.fromkeys(prefix.interpreters_in_scripts(inp))
        )

    def rewrite_copy(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        return None  # every COPY of the build context stays as written

    def rewrite_run(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        ins = walked.instruction
        index = inp.index_of(walked)
        first = self._first_install(inp)
        commands = list(walked.commands)
        installs = [c for c in commands if project_install(c.argv)]
        if not installs:
            return None
        if ins.heredocs:
            # A heredoc is a script kept as written: the virtualenv is made before it and is first on
            # PATH, so every pip of the script installs into it, as the runtime expects.
            if index != first:
                return None
            script = keyword_upper(ins.raw)
            reason = f"installs the dependencies (a heredoc script, kept as written) into the virtualenv {VENV} the runtime copies"
            if _is_root(walked.state.user) and CACHES["pip"] not in script:
                # On the RUN line itself: a heredoc's opening must stay on the instruction's first line.
                script = f"RUN {Mount(CACHES['pip']).render()} {script[4:]}"
                reason += "; with a cache mount"
            return RunRewrite(text="\n".join([*self._venv_lines(inp, index), script]), reason=reason)
        if self._moves_install(inp) and index == first:
            return RunRewrite(
                text="",
                reason="installs the dependencies: moved before the sources, after the requirements, so the layer stays cached",
                drop=True,
            )
        text, notes, caches = self._install_text(inp, walked)
        lines: list[str] = []
        if index == first:
            tools = [c for c in commands[: commands.index(installs[0])] if is_tool_install(c.argv)]
            if tools and all(c.operator in ("", "&&") for c in commands[: commands.index(installs[0]) + 1]):
                tool_mounts = (Mount(CACHES["pip"]),) if _is_root(walked.state.user) else ()
                lines.append(with_mounts("RUN " + " && ".join(c.text for c in tools), (), tool_mounts, inp.dockerfile.escape))
                for c in tools:
                    text = replace_command(text, c.text + " &&", "", inp.dockerfile.escape)
            lines += self._venv_lines(inp, index, tools)
        mounts = tuple(Mount(CACHES[m]) for m in caches) if _is_root(walked.state.user) else ()
        lines.append(with_mounts(text, ins.flags, mounts, inp.dockerfile.escape))
        reason = f"installs the dependencies into the virtualenv {VENV} the runtime copies"
        if mounts:
            reason += "; with a cache mount"
        return RunRewrite(text="\n".join(lines), reason=reason, notes=tuple(Note(n, ins.line) for n in notes))

    def _install_text(self, inp: PlanInput, walked: Walked) -> tuple[str, list[str], list[str]]:
        text = keyword_upper(walked.instruction.raw)
        notes: list[str] = []
        caches: list[str] = []
        for command in walked.commands:
            manager = project_install(command.argv)
            if manager is None:
                continue
            lock = {"poetry": "poetry.lock", "pipenv": "Pipfile.lock", "uv": "uv.lock"}.get(manager, "")
            new, note = rewrite_install(command, manager, bool(lock) and inp.context.is_file(lock))
            text = replace_command(text, command.text, new, inp.dockerfile.escape)
            if note:
                notes.append(note)
            for cache in ("pip", manager):
                if cache in CACHES and cache not in caches:
                    caches.append(cache)
        return text, notes, caches

    def _venv_lines(self, inp: PlanInput, index: int, same_line: Sequence[Command] = ()) -> list[str]:
        """The virtualenv made before the install at ``inp.walked[index]``, with the pip the original upgraded to.

        ``same_line`` are tool installs split off that line to run before the virtualenv exists.
        """
        env = f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"'
        if any(project_install(c.argv) == "uv" for w in inp.walked for c in w.commands):
            env += f" UV_PROJECT_ENVIRONMENT={VENV}"
        # The virtualenv gets the packaging tools of the original's Python at the same versions: which of
        # them pip finds decides how it builds and installs a package from source. An older pip without
        # wheel installs an sdist with `setup.py install` (egg-info, no RECORD); a newer one builds it in an
        # isolated environment with the newest setuptools, where the original built it with its own.
        mounts = (Mount(CACHES["pip"]),) if _is_root(inp.walked[index].state.user) else ()
        sep = f" {inp.dockerfile.escape}\n    "
        seed = with_mounts("RUN " + sep.join(SEED_TOOLS), (), mounts, inp.dockerfile.escape)
        lines = [
            "# One virtualenv holds the dependencies, so the runtime copies a single folder; it gets the pip, setuptools",
            "# and wheel of the original's Python, so packages build and install as they did there",
            seed,
            env,
        ]
        earlier = [c for w in inp.walked[:index] if w.instruction.keyword is Keyword.RUN for c in w.commands]
        upgrades = [c for c in (*earlier, *same_line) if is_installer_upgrade(c.argv)]
        if upgrades:
            # The original upgraded pip (or setuptools, wheel) before installing: the virtualenv's own
            # pip is the one that installs now, so it gets the same upgrade.
            commands = dict.fromkeys(" ".join(w for w in c.argv if w != "--no-cache-dir") for c in upgrades)
            text = "RUN " + " && ".join(commands)
            lines += ["# The same pip upgrade as the original, now in the virtualenv", with_mounts(text, (), mounts, inp.dockerfile.escape)]
        return lines

    def moved_install_lines(self, inp: PlanInput) -> list[str]:
        index = self._first_install(inp)
        assert index is not None
        walked = inp.walked[index]
        text, _, caches = self._install_text(inp, walked)
        files, _ = requirement_inputs(inp.context, sorted({f for c in walked.commands for f in _requirement_files(c.argv)}))
        mounts = tuple(Mount(CACHES[m]) for m in caches) if _is_root(walked.state.user) else ()
        workdir, restore = layer_workdirs(inp, walked.state.workdir)
        # Each file where the install looks for it: one COPY per folder (requirements/base.txt goes to ./requirements/).
        by_folder: dict[str, list[str]] = {}
        for name in files:
            by_folder.setdefault(posixpath.dirname(name), []).append(name)
        copies = [f"COPY {' '.join(names)} ./{folder + '/' if folder else ''}" for folder, names in sorted(by_folder.items())]
        return [
            *([f"WORKDIR {workdir}"] if workdir else []),
            "# Dependencies before the sources: this layer is rebuilt only when the requirements change",
            *copies,
            *self._venv_lines(inp, index),
            with_mounts(text, walked.instruction.flags, mounts, inp.dockerfile.escape),
            *([f"WORKDIR {restore}"] if restore else []),
        ]

    # -- start command --------------------------------------------------------------------------------

    def rewrite_start(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None:
        rewrite = self._unwrap_start(argv)
        if self._first_install(inp) is None:
            return rewrite
        words = rewrite.argv if rewrite is not None else argv
        venv_words = tuple(prefix.repoint_interpreters(w) for w in words)
        if venv_words == words:
            return rewrite
        why = (f"it names the original's interpreter in {prefix.PREFIX_BIN}, which in the runtime does not see the "
               f"virtualenv's packages: it runs the virtualenv's, {VENV}/bin")
        return StartRewrite(argv=venv_words, reason=f"{rewrite.reason}; {why}" if rewrite is not None else why)

    def _unwrap_start(self, argv: tuple[str, ...]) -> StartRewrite | None:
        at = script_index(argv)
        if at is not None and at == len(argv) - 1:
            script = unwrap_runner_in_script(argv[at])
            if script is not None:
                return StartRewrite(
                    argv=(*argv[:at], script),
                    reason="poetry/pipenv/uv run is not in the runtime: the virtualenv is on PATH, so the shell line "
                    "runs its commands directly",
                )
        inner = unwrap_runner(argv)
        if inner is not None:
            runner = next(w for w in argv if w.rsplit("/", 1)[-1] in ("poetry", "pipenv", "pdm", "uv"))
            return StartRewrite(
                argv=inner,
                reason=f"{runner} run is not in the runtime: the virtualenv is on PATH, so {inner[0]} runs directly",
            )
        return None

    def default_start(self, inp: PlanInput) -> tuple[tuple[str, ...], str] | None:
        facts = self.facts(inp)
        server = next((s for s in WEB_SERVERS if facts.uses(s)), None)
        if facts.app_objects:
            module, variable, framework = facts.app_objects[0]
            target = f"{module}:{variable}"
            if framework in ("fastapi", "starlette", "quart", "litestar", "django-asgi") and facts.uses("uvicorn"):
                return ("uvicorn", target, "--host", "0.0.0.0", "--port", "8000"), f"runs the ASGI app {target} with uvicorn"
            if server == "gunicorn":
                return ("gunicorn", "--bind", "0.0.0.0:8000", target), f"serves the WSGI app {target} with gunicorn"
        if facts.django_wsgi and facts.uses("gunicorn"):
            return ("gunicorn", "--bind", "0.0.0.0:8000", facts.django_wsgi), f"serves Django's {facts.django_wsgi} with gunicorn"
        if len(facts.console_scripts) == 1:
            name = facts.console_scripts[0][0]
            return (name,), f"runs the package's console script {name}"
        return None

    # -- runtime --------------------------------------------------------------------------------------

    def runtime_image(self, inp: PlanInput, needs: Needs) -> tuple[BaseImage, str]:
        flavor = "alpine" if _flavor(inp.image) == "alpine" else "slim"
        forced = inp.options.runtime
        version = inp.detection.version or catalogue.versions("python")[-1]
        distroless = f"distroless python3: Debian 12's Python {catalogue.DISTROLESS_PYTHON_RELEASE}, no shell, no package manager"
        other_release = self._other_release(inp)
        if forced is RuntimeChoice.DISTROLESS and other_release is None:
            return catalogue.row("distroless-python3"), distroless
        if forced is RuntimeChoice.ALPINE:
            flavor = "alpine"
        elif forced is not None:
            flavor = "slim"
        asked = forced in (None, RuntimeChoice.DISTROLESS) and flavor == "slim"
        why_not = self._distroless_fits(inp, needs, version) if asked else "not asked"
        if why_not is None:
            return catalogue.row("distroless-python3"), f"{distroless}; the project's Python {inp.exact or version} is the one it carries"
        row, _ = inp.on_release(catalogue.row(f"python-{version}-{flavor}"))
        reason = f"Python {inp.exact or version} {flavor}: the same Python without compilers and headers"
        if asked and (version == catalogue.DISTROLESS_PYTHON or forced is not None):
            reason += f" (not distroless python3: {why_not})"
        return row, reason

    @staticmethod
    def _other_release(inp: PlanInput) -> str | None:
        """Why distroless python3 does not run the exact Python the original pins, None when it does or none is pinned."""
        if inp.exact is None or inp.exact.release == catalogue.DISTROLESS_PYTHON_RELEASE:
            return None
        return f"it carries Python {catalogue.DISTROLESS_PYTHON_RELEASE}, not the pinned {inp.exact}"

    def _distroless_fits(self, inp: PlanInput, needs: Needs, version: str) -> str | None:
        """Why distroless python3 cannot run the application, or None when it can.

        It carries Debian 12's Python 3.11 and nothing else: the project must be on 3.11 (the virtualenv's
        compiled extensions are built for that ABI), install into a virtualenv, start a Python program in exec
        form, and need no shell, no system package and no capability for a low port.
        """
        if version != catalogue.DISTROLESS_PYTHON:
            return f"the project's Python is {version}, distroless carries {catalogue.DISTROLESS_PYTHON}"
        other_release = self._other_release(inp)
        if other_release is not None:
            return other_release
        if self._first_install(inp) is None:
            return "no pip, Poetry, Pipenv or uv install into a virtualenv was found"
        blocker = distroless_blocker(inp, needs)
        if blocker is not None:
            return blocker
        program = posixpath.basename(needs.start[0]) if needs.start else ""
        if program not in DISTROLESS_STARTS:
            return f"the start command runs {program or 'nothing'}, not Python or a Python server"
        if self._uses_packaging_tools(inp):
            return "the application runs pip or imports setuptools"
        return None

    def _app_dirs(self, inp: PlanInput) -> list[str]:
        """Where the original put what it copied from the build context (outermost paths only)."""
        dests: list[str] = []
        for record in inp.copies:
            if self.is_manifest_copy(record):
                continue  # requirements copied alone: the virtualenv has what they named
            if record.dest.rstrip("/") in ("", "/.") or record.dest == "/":
                # into the root folder: each file by name (a whole-context copy into / is left out)
                dests += [f"/{posixpath.basename(s)}" for s in record.sources if s not in (".", "./") and "*" not in s]
                continue
            dests.append(record.dest)
        out: list[str] = []
        for dest in sorted(set(dests), key=len):
            if not any(dest == d or dest.startswith(d.rstrip("/") + "/") for d in out):
                out.append(dest)
        return out

    def runtime_artifacts(self, inp: PlanInput, runtime: BaseImage) -> list[Artifact]:
        if self._first_install(inp) is not None:
            out = [Artifact(path=VENV, reason="the virtualenv with the dependencies")]
            out += [Artifact(path=f"{VENV}/bin/{name}", dest=f"{prefix.PREFIX_BIN}/{name}",
                             reason=f"the start command runs {prefix.PREFIX_BIN}/{name}, where the original's pip put it: "
                             "the virtualenv's copy runs there with the virtualenv's python")
                    for name in prefix.console_scripts(inp)]
        else:
            out = [Artifact(path="/usr/local", reason="the builder's Python with whatever the build installed into it")]
        for folder in dict.fromkeys(f for w in inp.walked for c in w.commands for f in install_folders(c.argv)):
            out.append(Artifact(path=folder, reason="the packages a pip install put there with --target, --prefix or --root"))
        for folder in self._app_dirs(inp):
            out.append(Artifact(path=folder, reason="the application files, with what the build generated"))
        return out

    def secret_build_inputs(self, inp: PlanInput) -> list[SecretInput]:
        return []

    def dockerignore(self, inp: PlanInput) -> list[str]:
        lines = list(PYTHON_IGNORES)
        if not any(f.endswith(".py") for f in inp.context.walk("build")):
            lines.append("build")  # setuptools' build folder, unless it holds sources
        return lines

    def not_worth_converting(self, inp: PlanInput, runtime: BaseImage) -> str | None:
        """A slim (or Alpine) original that installs only its pip requirements: nothing would stay behind.

        Asked when the runtime's base is no smaller than the original's: the runtime would carry the
        same packages (in a virtualenv instead of the system's site-packages), so it would be no smaller.
        """
        flavor = _flavor(inp.image)
        if flavor == "full" or inp.options.runtime is not None or inp.image is None:
            return None
        for w in inp.walked:
            if packages.installs(list(w.commands)):
                return None  # system packages: the build-only ones stay behind
            for c in w.commands:
                manager = project_install(c.argv)
                if manager is not None and manager != "pip":
                    return None  # poetry, pipenv, uv: the tool stays behind
                if manager is None and not is_tool_install(c.argv) and c.program not in effects.QUIET and c.program not in (
                    "mkdir", "touch", "cd", "ln", "cp", "mv", "chmod", "chown", "sed", "rm", "python", "python3"
                ):
                    return None  # a step stagify cannot read may install anything
                if is_tool_install(c.argv) and set(named(pip_args(c.argv) or [])) - {"pip", "setuptools", "wheel"}:
                    return None
        return ("it installs only its pip requirements: no compiler or build tool would stay behind in the build stage")

    def left_behind(self, inp: PlanInput) -> list[tuple[str, str]]:
        return []

    def build_platform(self, inp: PlanInput) -> tuple[str, str] | None:
        return None  # wheels with C extensions build for the platform pip runs on

    def template_data(self, inp: PlanInput, runtime: BaseImage, dependencies: object | None) -> object:
        user_env = {name for w in inp.walked if w.instruction.keyword is Keyword.ENV for name, _ in env_pairs(w.instruction.args)}
        env = tuple((k, v) for k, v in DEFAULT_ENV if k not in user_env)
        interpreter = None
        if runtime.key == "distroless-python3":
            interpreter = catalogue.DISTROLESS_PYTHON_BIN
        layer = dependencies if isinstance(dependencies, PyInstallLayer) else None
        venv = VENV if self._first_install(inp) is not None else None
        return PyTemplateData(layer=layer, env=env, venv=venv, distroless_interpreter=interpreter,
                              trim=venv is not None and not self._uses_packaging_tools(inp))

    def _uses_packaging_tools(self, inp: PlanInput) -> bool:
        """The application itself runs pip or imports setuptools: the runtime's virtualenv keeps them."""
        start = " ".join(w.instruction.args for w in inp.walked if w.instruction.keyword in (Keyword.CMD, Keyword.ENTRYPOINT))
        if re.search(r"\bpip3?\b|\bsetuptools\b|\beasy_install\b", start):
            return True
        for rel in self._sources(inp):
            text = inp.context.read_text(rel) or ""
            if re.search(r"^\s*(?:import|from)\s+(?:pip|setuptools|pkg_resources|distutils)\b", text, re.M):
                return True
        return False

    @staticmethod
    def _sources(inp: PlanInput) -> list[str]:
        out = []
        for rel in inp.context.walk():
            if rel.endswith(".py") and posixpath.basename(rel) != "setup.py":
                out.append(rel)
                if len(out) >= 500:
                    break
        return out


def _requirement_files(argv: tuple[str, ...]) -> list[str]:
    args = pip_args(argv) or []
    files = []
    for i, word in enumerate(args):
        if word in ("-r", "--requirement") and i + 1 < len(args):
            files.append(args[i + 1])
        elif word.startswith("-r") and len(word) > 2:
            files.append(word[2:])
        elif word.startswith("--requirement="):
            files.append(word.split("=", 1)[1])
    return [f.removeprefix("./") for f in files if not f.startswith("/")]


def _flavor(image: ImageRef | None) -> str:
    tag = (image.tag or "") if image is not None else ""
    if image is not None and image.family is Family.ALPINE:
        return "alpine"
    return "slim" if "slim" in tag else "full"


LANGUAGE = PythonLanguage()

__all__ = ["LANGUAGE", "Level", "PyTemplateData", "PythonLanguage"]
