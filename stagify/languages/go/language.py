"""The Go planning hooks: how a Go image is split into a builder that compiles and a small runtime.

:class:`GoLanguage` answers the generic planner's questions (builder and runtime
images, the rewritten ``go`` RUN lines and start command, the dependency layer)
from the :class:`~stagify.languages.go.facts.GoFacts` detection found.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace

from ...dockerfile import packages, shell
from ...dockerfile.lintfix import replace_command, with_mounts
from ...dockerfile.model import Keyword
from ...dockerfile.selfcheck import script_index
from ...dockerfile.stageplan import Level, Line, Mount, Note, SecretInput
from ...dockerfile.walk import CopyRecord, State, Walked
from ...errors import StagifyError
from ...images import catalogue
from ...images.catalogue import BaseImage
from ...images.reference import Family
from ...options import RuntimeChoice
from ..base import Artifact, Needs, PlanInput, RunRewrite, StartRewrite, layer_workdirs
from .calls import GoCall, parse_call, rewrite_build
from .detector import GoDetector
from .facts import GoFacts

# Environment variables only `go build` reads; the runtime never needs them.
BUILD_ENV = frozenset(
    {
        "GO111MODULE", "GOOS", "GOARCH", "GOARM", "GOAMD64", "GO386", "GOFLAGS", "GOPROXY", "GOPRIVATE",
        "GONOSUMDB", "GONOPROXY", "GOSUMDB", "GOINSECURE", "GOPATH", "GOCACHE", "GOMODCACHE", "GOBIN",
        "GOTOOLCHAIN", "GOEXPERIMENT", "GOWORK", "CGO_ENABLED", "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS",
        "CGO_LDFLAGS", "CC", "CXX",
    }
)
# Commands whose result does not depend on the platform they run on: a builder that runs nothing else
# may run on the build platform and cross-compile. Anything else (make, a script, curl of a binary,
# `go install` of the application) might make something for the platform it runs on, so it keeps the
# builder on the target platform.
_PLATFORM_NEUTRAL = frozenset(
    {
        "mkdir", "cp", "mv", "rm", "chmod", "chown", "ln", "touch", "echo", "printf", "cd", "true", "set", "export",
        "ls", "cat", "test", "[", "git", "apt-get", "apt", "apk", "groupadd", "useradd", "addgroup", "adduser",
    }
)
# The go commands that do not leave a binary for the platform they run on (`go run` runs a generator
# natively, which is what cross-compiling wants).
_NEUTRAL_GO_VERBS = frozenset({"build", "mod download", "mod tidy", "mod verify", "mod vendor", "generate", "run", "vet", "test", "env",
                               "version", "get"})
_TARGET_ENV = (("GOOS", "TARGETOS"), ("GOARCH", "TARGETARCH"))


@dataclass(frozen=True)
class GoDeps:
    """The dependency layer stagify adds: go.mod/go.sum first, then ``go mod download``."""

    manifests: tuple[str, ...]
    mounts: tuple[Mount, ...]
    workdir: str | None = None
    restore: str | None = None
    # (go.mod [and go.sum] of a folder a replace directive names, where it lands): `go mod download` reads them
    replacements: tuple[tuple[tuple[str, ...], str], ...] = ()


@dataclass(frozen=True)
class GoTemplateData:
    deps: GoDeps | None
    cross: bool  # the builder runs on the build platform: it declares TARGETOS and TARGETARCH
    scratch: bool
    uid: int


class GoLanguage(GoDetector):
    """The planning hooks; the name, the traits and detection are :class:`GoDetector`'s."""

    # -- planning hooks -----------------------------------------------------------------------------

    def builder_image(self, inp: PlanInput, runtime_family: str | None) -> tuple[BaseImage, str]:
        facts = self._facts_of(inp)
        family = inp.image.family if inp.image is not None else Family.DEBIAN
        reason_family = ""
        if facts.cgo and not facts.static_cgo and runtime_family in (Family.ALPINE.value, Family.DEBIAN.value, Family.DISTROLESS.value):
            wanted = Family.ALPINE if runtime_family == Family.ALPINE.value else Family.DEBIAN
            if wanted is not family and not (wanted is Family.DEBIAN and family is not Family.ALPINE):
                reason_family = f"; {wanted.value} builder so the cgo binary links the runtime's libc"
            family = wanted
        row, exact = inp.on_release(catalogue.builder(self.name, inp.detection.version or catalogue.versions(self.name)[-1], family))
        return row, f"Go {row.version} from {inp.detection.version_source}{reason_family}{exact}"

    def is_build_env(self, inp: PlanInput, name: str) -> bool:
        return name in BUILD_ENV

    def runtime_artifacts(self, inp: PlanInput, runtime: BaseImage) -> list[Artifact]:
        return []  # the binaries come from the rewritten go build lines

    def copy_to_runtime(self, inp: PlanInput, walked: Walked) -> str | None:
        return None  # a Go runtime needs the binary, not the sources

    def runtime_workdir(self, inp: PlanInput, workdir: str | None) -> str | None:
        return workdir

    def default_start(self, inp: PlanInput) -> tuple[tuple[str, ...], str] | None:
        return None  # the planner starts the one binary the build produced

    def plan_notes(self, inp: PlanInput) -> tuple[Note, ...]:
        return self._pinned_platform_notes(inp)

    def links_libraries(self, inp: PlanInput) -> bool:
        return self._facts_of(inp).cgo  # a static binary links nothing at run time

    def is_manifest_copy(self, record: CopyRecord) -> bool:
        return bool(record.sources) and all(
            posixpath.basename(s) in ("go.mod", "go.sum", "go.work", "go.work.sum") for s in record.sources
        )

    def _facts_of(self, inp: PlanInput) -> GoFacts:
        facts = inp.detection.facts
        assert isinstance(facts, GoFacts)
        return facts

    def _mounts(self, state: State, gopath_build: bool) -> tuple[Mount, ...]:
        """Cache mounts for the module and build caches, where this RUN's go looks for them."""
        if state.user is not None and state.user not in ("root", "0", "0:0"):
            return ()  # a cache mount is root-owned; another user could not write to it
        env = state.env_map()
        home = env.get("HOME", "/root")
        gocache = Mount(env.get("GOCACHE") or f"{home}/.cache/go-build")
        if gopath_build:
            return (gocache,)
        modcache = Mount(env.get("GOMODCACHE") or f"{env.get('GOPATH', '/go')}/pkg/mod")
        return (modcache, gocache)

    def _inserts_deps(self, inp: PlanInput) -> int | None:
        """The index of the first source copy when stagify adds the dependency layer before it."""
        facts = self._facts_of(inp)
        if facts.gopath or facts.vendor or facts.vendor_flag or facts.go_mod is None:
            return None
        first = inp.first_source
        if first is None or inp.image_path(facts.go_mod) is None:
            return None
        for w in inp.walked[:first]:
            if any((c := parse_call(cmd.argv)) is not None and c.verb == "mod download" for cmd in w.commands):
                return None  # the user already downloads modules before copying the sources
        return first

    def dependency_layer(self, inp: PlanInput, at: State) -> object | None:
        first = self._inserts_deps(inp)
        if first is None:
            return None
        facts = self._facts_of(inp)
        go_mod = inp.image_path(facts.manifest("go.mod"))
        assert go_mod is not None
        folder = posixpath.dirname(go_mod)
        replacements = self._replacement_manifests(inp, facts, folder)
        if replacements is None:
            return None
        mounts = self._mounts(at, gopath_build=False)[:1]
        workdir, restore = layer_workdirs(inp, folder)
        return GoDeps(manifests=self._module_files(inp, posixpath.dirname(facts.manifest("go.mod"))), mounts=mounts,
                      workdir=workdir, restore=restore, replacements=replacements)

    @staticmethod
    def _module_files(inp: PlanInput, folder: str) -> tuple[str, ...]:
        """A module's go.mod, and its go.sum when the context has one, as context paths."""
        go_mod, go_sum = (posixpath.join(folder, name) if folder else name for name in ("go.mod", "go.sum"))
        return (go_mod, go_sum) if inp.context.is_file(go_sum) else (go_mod,)

    def _replacement_manifests(self, inp: PlanInput, facts: GoFacts, folder: str) -> tuple[tuple[tuple[str, ...], str], ...] | None:
        """The go.mod files of the folders go.mod's replace directives name, with where each lands in the image.

        `go mod download` reads them to build the module graph, so without them the layer fails
        ("reading greet/go.mod: no such file"). None, and no dependency layer, when a folder is not in
        the build context with a go.mod, or the original image does not have it: the sources copy
        decides then, as in the original.
        """
        base = posixpath.dirname(facts.manifest("go.mod"))
        found: list[tuple[tuple[str, ...], str]] = []
        for target in facts.local_replacements:
            if target.startswith("/"):
                return None  # a folder of the image, not of the context: only the full copy can tell
            rel = posixpath.normpath(posixpath.join(base, target))
            if rel == ".." or rel.startswith("../"):
                return None
            files = self._module_files(inp, "" if rel == "." else rel)
            landed = inp.image_path(files[0])
            if not inp.context.is_file(files[0]) or landed is None:
                return None
            destination = posixpath.dirname(landed)
            inside = posixpath.relpath(destination, folder)
            found.append((files, (inside if not inside.startswith("..") else destination) + "/"))
        return tuple(found)

    def rewrite_copy(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        return None  # every COPY of the build context stays as written

    def rewrite_run(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        ins = walked.instruction
        calls = [(cmd, parse_call(cmd.argv, cmd.env)) for cmd in walked.commands]
        go_calls = [(cmd, call) for cmd, call in calls if call is not None]
        if not go_calls:
            return None
        facts = self._facts_of(inp)
        state = walked.state
        first_source = self._inserts_deps(inp)
        index = inp.index_of(walked)
        verbs = [call.verb for _, call in go_calls]
        if len(calls) == 1 and verbs == ["mod download"] and first_source is not None and index > first_source:
            return RunRewrite(
                text="",
                reason="modules are already downloaded in the cached dependency layer stagify adds before the sources",
                drop=True,
            )
        text = ins.raw
        artifacts: list[Artifact] = []
        notes: list[Note] = []
        rewritten_build = False
        for cmd, call in go_calls:
            text = self._pin_remote(inp, ins.line, call, text, facts)
            if call.verb == "build" and call.flag("mod") == "vendor" and not facts.vendor:
                notes.append(
                    Note(
                        "go build -mod=vendor, but the build context has no vendor/ folder: the build fails "
                        "as the original's did; run `go mod vendor` or drop -mod=vendor",
                        ins.line,
                        Level.WARNING,
                    )
                )
            if call.verb == "build" and not ins.heredocs:
                new = rewrite_build(cmd.text, facts.cgo, self._target_env(inp, state, cmd.env))
                text = replace_command(text, cmd.text, new, inp.dockerfile.escape)
                rewritten_build = True
            if call.verb in ("build", "install"):
                artifact = self._artifact(inp, call, state, ins.line)
                if artifact is not None:
                    artifacts.append(artifact)
        mounts = self._mounts(state, facts.gopath)
        if set(verbs) == {"mod download"}:
            mounts = mounts[:1]  # downloading fills the module cache only
        text = with_mounts(text, ins.flags, mounts, inp.dockerfile.escape)
        builds = any(v in ("build", "install") for v in verbs)
        if rewritten_build:
            flags = "CGO_ENABLED=1 (cgo)" if facts.cgo else "CGO_ENABLED=0 (static binary)"
            reason = f"compiles the application: {flags}, -trimpath, -ldflags=\"-s -w\""
        elif builds:
            reason = "compiles the application"
        elif "mod download" in verbs:
            reason = "downloads the modules"
        else:
            reason = f"runs go {', '.join(sorted(set(verbs)))} for the build"
        if mounts:
            caches = " and ".join("module" if m.target.endswith("/pkg/mod") else "build" for m in mounts)
            reason += f"; with {caches} cache mount" + ("s" if len(mounts) > 1 else "")
        return RunRewrite(text=text, reason=reason, artifacts=tuple(artifacts), builds=builds, notes=tuple(notes))

    def _pin_remote(self, inp: PlanInput, line: int, call: GoCall, text: str, facts: GoFacts) -> str:
        """``go install example.com/tool`` -> ``...@<version go.mod requires>`` (hadolint DL3062).

        Without a version, go fetches whatever is newest; pinning to the version
        go.mod already requires keeps the build reproducible. When go.mod does not
        name the module (or there is no go.mod), no version can be chosen safely.
        """
        if call.verb not in ("get", "install", "run"):
            return text
        for target in call.targets:
            if target.startswith((".", "/")) or target.endswith(".go") or "." not in target.split("/")[0]:
                continue
            path, _, version = target.partition("@")
            if version and version != "latest":
                continue
            module = max((m for m in facts.requires if path == m[0] or path.startswith(m[0] + "/")), key=lambda m: len(m[0]), default=None)
            if module is None or not module[1]:
                why = "a pre-module (GOPATH) build cannot take a version" if facts.gopath else "go.mod does not require it"
                raise StagifyError(
                    inp.dockerfile.path,
                    line,
                    f"go {call.verb} {target} fetches whatever version is newest, and {why}; hadolint (DL3062) "
                    "rejects it and stagify cannot pin it without changing the build: "
                    + ("add a go.mod (go mod init) and require it" if facts.gopath else f"add it to go.mod or write {path}@<version>"),
                )
            text = replace_command(text, target, f"{path}@{module[1]}", inp.dockerfile.escape)
        return text

    def _artifact(self, inp: PlanInput, call: GoCall, state: State, line: int) -> Artifact | None:
        local_targets = [t for t in call.targets if t.startswith((".", "/")) or t.endswith(".go")]
        if call.targets and not local_targets:
            return None  # go install of a remote tool: a build tool, not the application
        name = self._default_name(inp, call, state)
        source_dir = self._source_dir(call, state)
        if call.verb == "install":
            env = state.env_map()
            folder = env.get("GOBIN") or posixpath.join(env.get("GOPATH", "/go"), "bin")
            return Artifact(path=posixpath.join(folder, name), source_dir=source_dir, line=line) if name else None
        output = call.flag("o")
        if output:
            resolved = state.resolve(output)
            if output.endswith("/"):
                return Artifact(path=posixpath.join(resolved, name), source_dir=source_dir, line=line) if name else None
            return Artifact(path=resolved, source_dir=source_dir, line=line)
        if not name:
            return None
        return Artifact(path=posixpath.join(state.workdir, name), source_dir=source_dir, line=line)

    @staticmethod
    def _source_dir(call: GoCall, state: State) -> str:
        targets = call.targets or (".",)
        if targets[0].endswith(".go"):
            return posixpath.dirname(state.resolve(targets[0]))
        return state.resolve(targets[0])

    def _default_name(self, inp: PlanInput, call: GoCall, state: State) -> str | None:
        """The file name ``go build`` gives its output when no ``-o`` names one."""
        facts = self._facts_of(inp)
        targets = call.targets or (".",)
        if targets[0].endswith(".go"):
            return posixpath.basename(targets[0])[:-3]
        if len(targets) != 1 or "..." in targets[0]:
            return None
        target = targets[0]
        if target.startswith((".", "/")):
            folder = state.resolve(target)
            go_mod = inp.image_path(facts.manifest("go.mod")) if facts.go_mod else None
            root = posixpath.dirname(go_mod) if go_mod else None
            if facts.module_path and root is not None and (folder == root or folder.startswith(root.rstrip("/") + "/")):
                elements = (facts.module_path + folder[len(root.rstrip("/")) :]).split("/")
            else:
                elements = folder.split("/")
        else:
            elements = target.split("@")[0].split("/")
        elements = [e for e in elements if e]
        if not elements:
            return None
        name = elements[-1]
        if re.fullmatch(r"v\d+", name) and len(elements) > 1:
            name = elements[-2]
        return name

    def rewrite_start(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None:
        at = script_index(argv)
        if at is not None and at == len(argv) - 1:
            return self._rewrite_in_script(inp, argv, state, artifacts)
        call = parse_call(argv)
        if call is None or call.verb != "run":
            return None
        facts = self._facts_of(inp)
        source = self._source_dir(call, state)
        for artifact in artifacts:
            if artifact.source_dir == source:
                return StartRewrite(
                    argv=(artifact.path, *call.program_args),
                    reason=f"go run compiled the code at every start; the runtime starts {artifact.path}, built in the builder",
                )
        name = self._default_name(inp, call, state) or "app"
        output = posixpath.join(state.workdir, name)
        words = ["go", "build"]
        for key, value in call.flags:
            words.append(f"-{key}" if value is None else f"-{key}={value}")
        words += ["-o", output, *call.targets]
        segment = shell.join(words)
        mounts = self._mounts(state, facts.gopath)
        text = with_mounts("RUN " + rewrite_build(segment, facts.cgo, self._target_env(inp, state, ())), (), mounts,
                           inp.dockerfile.escape)
        artifact = Artifact(path=output, source_dir=source)
        return StartRewrite(
            argv=(output, *call.program_args),
            reason=f"go run compiled the code at every start; the builder compiles it once to {output}",
            build=Line(text=text, comments=("# Compiled once here instead of by `go run` at every start",)),
            artifact=artifact,
        )

    def _rewrite_in_script(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None:
        """``go run`` inside a shell line: the built binary takes its place, the rest of the line as written."""
        script = argv[-1]
        for command in shell.commands(script):
            call = parse_call(command.argv, command.env)
            if call is None or call.verb != "run":
                continue
            inner = self.rewrite_start(inp, command.argv, state, artifacts)
            raw = shell.tokens(command.text)
            at = next((i for i, t in enumerate(raw) if t.value.rsplit("/", 1)[-1] == "go"), None)
            if inner is None or at is None or command.text not in script:
                return None
            used = len(command.argv) - len(call.program_args)  # go, run, its flags and packages
            text = " ".join([*(t.raw for t in raw[:at]), inner.argv[0], *(t.raw for t in raw[at + used :])])
            return replace(inner, argv=(*argv[:-1], script.replace(command.text, text, 1)))
        return None

    def runtime_image(self, inp: PlanInput, needs: Needs) -> tuple[BaseImage, str]:
        facts = self._facts_of(inp)
        original = inp.image.family if inp.image is not None else Family.DEBIAN
        dynamic = (facts.cgo and not facts.static_cgo) or _heredoc_build_may_link_libc(inp)
        forced = inp.options.runtime
        extra_packages = [p for p in needs.packages if p not in packages.IN_DISTROLESS]
        if forced is RuntimeChoice.SCRATCH:
            return catalogue.row("scratch"), "scratch, as --runtime asked: the static binary and nothing else"
        if forced is RuntimeChoice.DISTROLESS:
            key = "distroless-base" if dynamic else "distroless-static"
            return catalogue.row(key), "distroless, as --runtime asked"
        if forced is RuntimeChoice.ALPINE:
            return catalogue.row("alpine"), "alpine, as --runtime asked"
        if forced is RuntimeChoice.DEBIAN:
            return catalogue.row("debian"), "debian slim, as --runtime asked"
        if needs.shell or extra_packages:
            why = needs.shell[0].message if needs.shell else f"it needs the packages {', '.join(extra_packages)}"
            key = "alpine" if original is Family.ALPINE else "debian"
            return catalogue.row(key), f"a {key} runtime with a shell and a package manager, because {why}"
        if dynamic:
            if original is Family.ALPINE:
                return catalogue.row("alpine"), "alpine: the cgo binary links musl"
            if not facts.cgo:
                return catalogue.row("distroless-base"), ("distroless base: the go build in a RUN heredoc is kept as written, "
                                                       "with cgo on, so the binary may link glibc")
            return catalogue.row("distroless-base"), "distroless base: the cgo binary needs glibc, nothing more"
        return catalogue.row("distroless-static"), "distroless static: a static binary needs no libc and no shell"

    def runtime_files(self, inp: PlanInput) -> list[tuple[str, str]]:
        return list(self._facts_of(inp).runtime_paths)

    def runtime_writes(self, inp: PlanInput) -> list[tuple[str, str]]:
        return list(self._facts_of(inp).runtime_writes)

    def not_worth_converting(self, inp: PlanInput, runtime: BaseImage) -> str | None:
        return None  # the build toolchain the original carries is always left behind

    def secret_build_inputs(self, inp: PlanInput) -> list[SecretInput]:
        return []

    def dockerignore(self, inp: PlanInput) -> list[str]:
        lines = [".github", ".gitlab-ci.yml", "*.test", "*.prof", "coverage.out", "coverage.html", "*.coverprofile"]
        for w in inp.walked:
            rewrite_calls = [parse_call(c.argv, c.env) for c in w.commands]
            for call in rewrite_calls:
                if call is None or call.verb != "build" or not call.flag("o"):
                    continue
                output = w.state.resolve(call.flag("o") or "")
                for record in inp.copies:
                    if "." in record.sources and output.startswith(record.dest.rstrip("/") + "/"):
                        rel = output[len(record.dest.rstrip("/")) + 1 :]
                        if rel and "/" not in rel:
                            lines.append(rel)  # a binary built locally would only bloat the context
        return lines

    def template_data(self, inp: PlanInput, runtime: BaseImage, dependencies: object | None) -> object:
        deps = dependencies if isinstance(dependencies, GoDeps) else None
        return GoTemplateData(deps=deps, cross=self._cross_compiles(inp), scratch=runtime.family is Family.SCRATCH,
                              uid=catalogue.NONROOT_UID)

    def left_behind(self, inp: PlanInput) -> list[tuple[str, str]]:
        found = []
        for rel in self._facts_of(inp).embeds:
            landed = inp.image_path(rel) if rel != "." else None
            if landed is not None:
                found.append((landed, "compiled into the binary by //go:embed"))
        return found

    def build_platform(self, inp: PlanInput) -> tuple[str, str] | None:
        if not self._cross_compiles(inp):
            return None
        return "$BUILDPLATFORM", "runs on the build platform and cross-compiles for the target (GOOS/GOARCH)"

    def _cross_compiles(self, inp: PlanInput) -> bool:
        """Whether the builder may run on the build platform and cross-compile for the target.

        Not with cgo (it needs the target's C toolchain), not when the original names a platform,
        and not when a step might make something for the platform it runs on: a command outside
        the platform-neutral ones, ``go install`` of the application, a build inside a heredoc.
        """
        facts = self._facts_of(inp)
        if facts.cgo or facts.gopath or inp.stage.platform is not None or _heredoc_build_may_link_libc(inp):
            return False
        for w in inp.walked:
            if w.instruction.keyword is not Keyword.RUN:
                continue
            if w.instruction.heredocs:
                return False
            for command in w.commands:
                call = parse_call(command.argv, command.env)
                if call is not None:
                    if call.verb not in _NEUTRAL_GO_VERBS:
                        return False
                elif not command.argv or posixpath.basename(command.argv[0]) not in _PLATFORM_NEUTRAL:
                    return False
        return True

    def _target_env(self, inp: PlanInput, state: State, own: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
        """``GOOS=$TARGETOS GOARCH=$TARGETARCH`` for a cross-compiling build, less what the user sets."""
        if not self._cross_compiles(inp):
            return ()
        env = {**state.env_map(), **dict(own)}
        return tuple(f"{name}=${arg}" for name, arg in _TARGET_ENV if name not in env)

    def _pinned_platform_notes(self, inp: PlanInput) -> tuple[Note, ...]:
        """A GOOS/GOARCH the original sets stays as written: the binary is for that platform whatever the target."""
        if not self._cross_compiles(inp):
            return ()
        notes: list[Note] = []
        for w in inp.walked:
            for command in w.commands:
                call = parse_call(command.argv, command.env)
                if call is None or call.verb != "build":
                    continue
                env = {**w.state.env_map(), **dict(command.env)}
                for name, arg in _TARGET_ENV:
                    if name in env and env[name] not in (f"${arg}", "linux"):  # GOOS=linux is every Linux target
                        notes.append(Note(f"{name}={env[name]} is kept as the original sets it: the binary is built for it "
                                          f"whatever platform the image is built for; drop it to build for the target",
                                          w.instruction.line))
        return tuple(dict.fromkeys(notes))



def _heredoc_build_may_link_libc(inp: PlanInput) -> bool:
    """A ``go build`` inside a RUN heredoc is kept as written, so stagify cannot add CGO_ENABLED=0 to it.

    On an image with a C compiler (the Debian golang images) cgo is then on, and a program that
    imports net or os/user links glibc dynamically: the runtime must have glibc, as the original had.
    """
    if inp.image is not None and inp.image.family is Family.ALPINE:
        return False  # golang:alpine has no C compiler, so Go builds without cgo
    for w in inp.walked:
        if not w.instruction.heredocs or w.state.env_map().get("CGO_ENABLED") == "0":
            continue
        script = "\n".join(h.body for h in w.instruction.heredocs)
        builds = any((call := parse_call(c.argv, c.env)) is not None and call.verb in ("build", "install") for c in w.commands)
        if builds and not re.search(r"\bCGO_ENABLED=0\b", script):
            return True
    return False

LANGUAGE = GoLanguage()
