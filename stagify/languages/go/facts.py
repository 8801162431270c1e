"""What a Go build context and its Dockerfile say: go.mod, cgo, main packages, run-time files, the Go version.

Detection reads these once into :class:`GoFacts`; the planning hooks only read
the facts, so every question about the user's sources is answered here.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass

from ...context.buildcontext import BuildContext
from ...dockerfile import packages, shell
from ...dockerfile.model import Dockerfile, Keyword, env_pairs
from ...dockerfile.walk import State, copy_parts, run_script
from ...images import catalogue
from ...images.reference import Family, ImageRef
from ...patterns import Pattern
from ..base import CONTAINER_BUILD_FILES, WriteCall, runtime_writes_in
from ..detection import Evidence
from .calls import GoCall, parse_call

# Modules that only work when compiled with cgo.
CGO_MODULES = (
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "gopkg.in/confluentinc/confluent-kafka-go",
    "github.com/google/gopacket",
    "github.com/mattn/go-oci8",
    "github.com/godror/godror",
    "github.com/tecbot/gorocksdb",
    "github.com/linxGnu/grocksdb",
    "github.com/DataDog/zstd",
    "github.com/valyala/gozstd",
    "github.com/ceph/go-ceph",
    "github.com/go-gl/glfw",
    "github.com/veandco/go-sdl2",
    "github.com/h2non/bimg",
    "github.com/davidbyttow/govips",
)
# Folders a Go server typically reads at run time; the first group is never Go code.
ASSET_DIRS = ("static", "templates", "template", "views", "public", "assets", "www", "html", "migrations", "locales", "i18n", "resources")
MAYBE_ASSET_DIRS = ("web", "ui", "config", "configs", "conf", "db", "data", "frontend")
ASSET_FILES = Pattern(
    r"\.(html?|tmpl|gohtml|tpl|css|js|json|ya?ml|toml|ini|conf|cfg|properties|sql|db|sqlite3?|csv|xml|ico|png|jpe?g|gif|svg|webp|txt|pem|crt)$",
    re.I,
)
NOT_RUNTIME = Pattern(
    r"^(\.|_)|^(go\.(mod|sum|work(\.sum)?)|Gopkg\.(toml|lock)|glide\.(yaml|lock)|package(-lock)?\.json|tsconfig.*\.json"
    r"|README.*|LICENSE.*|Jenkinsfile|Procfile|Vagrantfile|Taskfile\.ya?ml|[Jj]ustfile|CHANGELOG.*|CONTRIBUTING.*|Makefile|.*\.md|renovate\.json"
    r"|" + CONTAINER_BUILD_FILES + r"|k8s.*|.*kube.*|okteto.*|skaffold.*|codecov.*|.*\.test|coverage.*|loadtest\.js)$",
    re.I,
)
NOT_RUNTIME_DIRS = frozenset({"cmd", "internal", "pkg", "vendor", "docs", "doc", "test", "tests", "testdata", "scripts", "build", "bin", "mocks", "examples", "hack", "tools", "deploy", "deployments", "api", "node_modules"})
_EMBED = Pattern(r"^//go:embed\s+(.+)$", re.M)
_LITERAL = Pattern(r'"((?:\./)?[A-Za-z0-9_][A-Za-z0-9_./-]*)"')
_IMPORT_C = Pattern(r'^\s*import\s+"C"|^\s*"C"\s*$', re.M)


@dataclass(frozen=True)
class GoFacts:
    module_path: str | None
    go_directive: str | None
    toolchain: str | None
    has_go_sum: bool
    vendor: bool
    gopath: bool
    cgo: bool
    cgo_reasons: tuple[str, ...]
    static_cgo: bool
    main_packages: tuple[str, ...]
    runtime_paths: tuple[tuple[str, str], ...]
    embedded: tuple[str, ...]
    requires: tuple[tuple[str, str], ...] = ()
    vendor_flag: bool = False  # the build asks for -mod=vendor
    go_mod: str | None = None  # where go.mod is in the build context
    # Folders that go.mod's replace directives point to on disk, as written (``./greet``): go reads
    # their go.mod to resolve the module graph, so the dependency layer needs them too.
    local_replacements: tuple[str, ...] = ()
    embeds: tuple[str, ...] = ()  # context paths //go:embed compiles into the binary (see embed_paths)
    # Folders the program creates or writes files in at run time (see runtime_writes), each with where it says so.
    runtime_writes: tuple[tuple[str, str], ...] = ()

    def manifest(self, name: str) -> str:
        """``go.mod``/``go.sum`` next to the module's go.mod (``main/go.sum`` for ``main/go.mod``)."""
        folder = posixpath.dirname(self.go_mod or "go.mod")
        return posixpath.join(folder, name) if folder else name


def read_go_mod(text: str) -> tuple[str | None, str | None, str | None, list[tuple[str, str]]]:
    """(module path, go directive, toolchain, required (module, version) pairs) from go.mod text."""
    module = re.search(r"^module\s+\"?([^\s\"]+)", text, re.M)
    go = re.search(r"^go\s+(\d+\.\d+(?:\.\d+)?)", text, re.M)
    toolchain = re.search(r"^toolchain\s+go(\d+\.\d+(?:\.\d+)?)", text, re.M)
    requires: list[tuple[str, str]] = []
    in_block = False
    for line in text.splitlines():
        stripped = line.split("//", 1)[0].strip()
        if stripped.startswith("require ("):
            in_block = True
            continue
        if in_block and stripped == ")":
            in_block = False
            continue
        if in_block and stripped:
            parts = stripped.split()
            requires.append((parts[0], parts[1] if len(parts) > 1 else ""))
        elif stripped.startswith("require ") and "(" not in stripped:
            parts = stripped.split()
            if len(parts) >= 3:
                requires.append((parts[1], parts[2]))
    return (
        module.group(1) if module else None,
        go.group(1) if go else None,
        toolchain.group(1) if toolchain else None,
        requires,
    )


_REPLACE = Pattern(r"=>\s*(\S+)\s*$")


def read_local_replacements(text: str) -> list[str]:
    """The folders go.mod's ``replace`` directives name (``=> ./greet``, ``=> ../lib``), in the order written.

    A replacement by a module path and version (``=> example.com/fork v1.2.0``) is downloaded
    like any module and is not listed. Go counts a target as a folder when it starts with
    ``./``, ``../`` or ``/`` (or is ``.``/``..``).
    """
    found: list[str] = []
    in_block = False
    for line in text.splitlines():
        stripped = line.split("//", 1)[0].strip()
        if stripped.startswith("replace ("):
            in_block = True
            continue
        if in_block and stripped == ")":
            in_block = False
            continue
        if not (in_block or stripped.startswith("replace ")):
            continue
        match = _REPLACE.search(stripped)
        target = match.group(1).strip('"') if match else ""
        if target in (".", "..") or target.startswith(("./", "../", "/")):
            found.append(target)
    return found


def find_go_mod(context: BuildContext, dockerfile: Dockerfile | None) -> str | None:
    """go.mod at the context root, else in a folder the Dockerfile copies (``ADD /main/ /app/``)."""
    if context.is_file("go.mod"):
        return "go.mod"
    if dockerfile is None or not dockerfile.stages:
        return None
    for ins in dockerfile.stages[-1].instructions:
        if ins.keyword not in (Keyword.COPY, Keyword.ADD) or ins.flag("from") is not None:
            continue
        parts = copy_parts(ins)
        for source in parts[0] if parts else []:
            folder = source.strip("/").removeprefix("./")
            candidate = f"{folder}/go.mod" if folder and folder != "." else "go.mod"
            if context.is_file(candidate):
                return candidate
    return None


def gather_facts(
    context: BuildContext,
    dockerfile: Dockerfile | None,
    image: ImageRef | None,
    calls: list[tuple[int, GoCall, State | None]],
    go_mod: str | None,
    module_path: str | None,
    go_directive: str | None,
    toolchain: str | None,
    requires: list[tuple[str, str]],
    go_files: list[str],
    evidence: list[Evidence],
) -> GoFacts:
    """Vendoring, cgo, main packages, embedded and run-time files: what the sources and Dockerfile say beyond go.mod."""
    path = dockerfile.path if dockerfile else "Dockerfile"
    vendor = context.is_dir("vendor")
    if vendor:
        evidence.append(Evidence("vendor/", "vendored dependencies"))
    sources = {f: context.read_text(f) or "" for f in go_files[:2000] if not f.endswith("_test.go")}
    import_c = [f for f, text in sources.items() if _IMPORT_C.search(text)]
    cgo_modules = [m for m, _ in requires if m.startswith(CGO_MODULES)]
    reasons: list[str] = []
    for f in import_c[:3]:
        reasons.append(f'{f} imports "C"')
        evidence.append(Evidence(f, 'import "C" (cgo)'))
    for m in cgo_modules:
        reasons.append(f"go.mod requires {m}, which needs cgo")
        evidence.append(Evidence("go.mod", f"{m} needs cgo"))
    explicit = None
    compiler = image is not None and image.family is not Family.ALPINE
    race = False
    static_cgo = False
    vendor_flag = False
    if dockerfile is not None and dockerfile.stages:
        for ins in dockerfile.stages[-1].instructions:
            if ins.keyword is Keyword.ENV:
                for name, value in env_pairs(ins.args):
                    if name == "CGO_ENABLED":
                        explicit = value.strip()
                        evidence.append(Evidence(f"{path}:{ins.line}", f"CGO_ENABLED={explicit}"))
                    if name == "GOFLAGS" and "-mod=vendor" in value:
                        vendor_flag = True
            if ins.keyword is Keyword.RUN:
                commands = shell.commands(run_script(ins))
                for install in packages.installs(commands):
                    if {"gcc", "build-base", "musl-dev", "build-essential"} & set(install.packages):
                        compiler = True
                for command in commands:
                    call = parse_call(command.argv, command.env)
                    if call is None or call.verb not in ("build", "install"):
                        continue
                    for name, value in command.env:
                        if name == "CGO_ENABLED":
                            explicit = value
                            evidence.append(Evidence(f"{path}:{ins.line}", f"CGO_ENABLED={value}"))
                    race = race or call.flag("race") is not None
                    goflags = dict(command.env).get("GOFLAGS", "")
                    if call.flag("mod") == "vendor" or "-mod=vendor" in goflags:
                        vendor_flag = True
                    ld = call.flag("ldflags") or ""
                    static_cgo = static_cgo or ("-extldflags" in ld and "-static" in ld)
    if explicit == "0":
        cgo = False
        reasons = ["CGO_ENABLED=0 in the original"]
    elif explicit == "1":
        cgo = True
        reasons = ["CGO_ENABLED=1 in the original", *reasons]
    else:
        if race:
            reasons.append("-race needs cgo")
        cgo = bool(reasons) and compiler
        if reasons and not compiler:
            reasons = [*reasons, "but the original had no C compiler, so it built without cgo"]
    gopath = go_mod is None
    if gopath and (go_files or calls):
        evidence.append(Evidence("(no go.mod)", "pre-module GOPATH build"))
    main_packages = _main_packages(context, calls, sources)
    embedded = _embedded(sources)
    embeds = embed_paths(sources)
    runtime_paths = _runtime_paths(context, sources, embedded)
    return GoFacts(
        runtime_writes=tuple(runtime_writes_in(((f, t) for f, t in sorted(sources.items()) if not f.startswith("vendor/")),
                                               WRITE_CALLS)),
        module_path=module_path,
        go_directive=go_directive,
        toolchain=toolchain,
        has_go_sum=context.is_file("go.sum"),
        vendor=vendor,
        gopath=gopath,
        cgo=cgo,
        cgo_reasons=tuple(reasons),
        static_cgo=static_cgo,
        main_packages=tuple(main_packages),
        runtime_paths=tuple(runtime_paths),
        embedded=tuple(embedded),
        embeds=tuple(embeds),
        requires=tuple(requires),
        vendor_flag=vendor_flag,
        local_replacements=tuple(read_local_replacements(go_mod or "")),
    )


def _main_packages(context: BuildContext, calls: list[tuple[int, GoCall, State | None]], sources: dict[str, str]) -> list[str]:
    found: list[str] = []
    for _, call, _ in calls:
        if call.verb in ("build", "install", "run"):
            for target in call.targets or (".",):
                if target not in found and not target.startswith(("github.com", "golang.org")):
                    found.append(target)
    mains = sorted({posixpath.dirname(f) or "." for f, text in sources.items() if re.search(r"^package\s+main\b", text, re.M)})
    for folder in mains:
        name = folder if folder == "." else f"./{folder}"
        if name not in found:
            found.append(name)
    if not found:
        for entry in context.entries("cmd"):
            if entry.endswith("/"):
                found.append(f"./cmd/{entry[:-1]}")
    return found


def _embedded(sources: dict[str, str]) -> list[str]:
    """The top-level entries of the build context that ``//go:embed`` reads from."""
    return sorted({path.split("/")[0] for path in embed_paths(sources)})


def embed_paths(sources: dict[str, str]) -> list[str]:
    """What ``//go:embed`` puts into the binary, as context paths: a pattern's folder part up to its first wildcard."""
    out: list[str] = []
    for file, text in sources.items():
        base = posixpath.dirname(file)
        for m in _EMBED.finditer(text):
            for pattern in m.group(1).split():
                pattern = pattern.strip('"`').removeprefix("all:")
                fixed = "/".join(itertools.takewhile(lambda part: not re.search(r"[*?\[]", part), pattern.split("/")))
                out.append(posixpath.normpath(posixpath.join(base, fixed or ".")))
    return sorted(set(out))


# Calls that create a folder, or write a file, at a literal path: os.Mkdir("data"), os.WriteFile("./out/x.json", ...).
_GO_PATH = r'\(\s*"(?P<path>[^"\n]+)"'
WRITE_CALLS = (
    WriteCall(Pattern(r"\bos\.Mkdir(?:All)?" + _GO_PATH), True, "os.Mkdir"),
    WriteCall(Pattern(r"\b(?:os|ioutil)\.(?:WriteFile|Create)" + _GO_PATH), False, "os.WriteFile"),
    # a file in a folder joined from a literal first: os.Create(filepath.Join("uploads", name))
    WriteCall(Pattern(r"\b(?:os|ioutil)\.(?:WriteFile|Create|OpenFile)\(\s*(?:filepath|path)\.Join" + _GO_PATH + r"\s*,"), True,
              "os.WriteFile(filepath.Join"),
    # os.OpenFile for writing only, not for reading
    WriteCall(Pattern(r"\bos\.OpenFile" + _GO_PATH + r"[^\n]*\bO_(?:CREATE|WRONLY|RDWR|APPEND|TRUNC)\b"), False, "os.OpenFile"),
)


def _runtime_paths(context: BuildContext, sources: dict[str, str], embedded: list[str]) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    fallback: dict[str, str] = {}  # kept for want of knowing better: a stronger reason below replaces it
    top = context.entries()
    names = {e.rstrip("/") for e in top}
    for entry in top:
        name = entry.rstrip("/")
        if name in embedded or NOT_RUNTIME.match(name):
            continue
        if entry.endswith("/"):
            if name in NOT_RUNTIME_DIRS:
                continue
            files = list(context.walk(name))
            non_go = [f for f in files if not f.endswith(".go") and not NOT_RUNTIME.match(posixpath.basename(f))]
            if name in ASSET_DIRS and (non_go or not files):
                out[name] = "an asset folder the application reads at run time"
            elif name in MAYBE_ASSET_DIRS and non_go:
                out[name] = "holds non-Go files the application reads at run time"
            elif non_go:
                # Not a name stagify knows, but not only Go code either: kept, since it cannot tell it is never read.
                fallback[name] = "a folder of non-Go files the original image had; stagify cannot tell the program never reads it"
        elif ASSET_FILES.search(name):
            out[name] = "a file the application reads at run time"
        elif not name.endswith(".go"):
            fallback[name] = "a file the original image had beside the program; stagify cannot tell it is never read"
    for file, text in sources.items():
        if file.startswith("vendor/"):
            continue
        for m in _LITERAL.finditer(text):
            literal = m.group(1).removeprefix("./").rstrip("/")
            first = literal.split("/")[0]
            if not literal or first not in names or first in embedded or first.endswith(".go"):
                continue
            if first in NOT_RUNTIME_DIRS or NOT_RUNTIME.match(first):
                continue
            if first not in out:
                out[first] = f"named in {file}, read at run time"
    return sorted({**fallback, **out}.items())


def _major_minor(version: str | None) -> str | None:
    if not version:
        return None
    m = re.match(r"^(?:go)?(\d+)\.(\d+)", version)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def choose_version(image: ImageRef | None, facts: GoFacts, dockerfile: Dockerfile | None) -> tuple[str, str]:
    """The builder's Go version and where it comes from: the base image tag or go.mod, kept within the catalogue."""
    known = catalogue.versions("go")
    golang = image is not None and image.repository == "golang"
    tag_version = _major_minor(image.tag) if golang and image is not None else None
    mod_version = _major_minor(facts.toolchain) or _major_minor(facts.go_directive)
    line = dockerfile.stages[-1].from_.line if dockerfile and dockerfile.stages else None
    candidates = []
    # A floating tag (golang, golang:latest, golang:rc, golang:buster, golang:1) gave the newest
    # release when the original was built; go.mod's go line is a minimum, never a ceiling.
    floating = catalogue.newest_for_tag("go", image.tag, 2) if golang and image is not None and not tag_version else None
    if tag_version:
        candidates.append((tag_version, f"the original base image {image} (line {line})"))
    elif floating and not (facts.gopath and not mod_version):
        candidates.append((floating, f"the original base image {image} (line {line}), a floating tag: the newest stable Go"))
    if mod_version:
        which = "toolchain" if facts.toolchain else "go"
        candidates.append((mod_version, f"go.mod's {which} line ({mod_version})"))
    if candidates:
        version, source = max(candidates, key=lambda c: catalogue.version_key(c[0]))
    elif facts.gopath:
        version, source = "1.15", "pre-module GOPATH build: Go 1.15 is the last release that builds without go.mod by default"
    else:
        version, source = known[-1], "no version given anywhere: the newest Go in the catalogue"
    if catalogue.version_key(version) < catalogue.version_key(known[0]):
        source += f"; Go {version} is older than the catalogue's oldest, so Go {known[0]}"
        version = known[0]
    elif catalogue.version_key(version) > catalogue.version_key(known[-1]):
        source += f"; newer than the catalogue's newest, so Go {known[-1]}"
        version = known[-1]
    return version, source
