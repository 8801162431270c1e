"""The catalogue of pinned base images. Templates and planners read it; nothing else names an image.

Tags are full (patch version and distribution release) so a build is reproducible
and its contents known. Distroless images publish no version tags, so their
``:nonroot`` variant is the pin until digests are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from fnmatch import fnmatchcase

from .reference import Family, ImageRef, parse_ref


class Role(str, Enum):
    BUILDER = "builder"
    RUNTIME = "runtime"
    BOTH = "builder and runtime"  # e.g. node:20-slim builds and runs

    def serves(self, role: Role) -> bool:
        return self is role or self is Role.BOTH


class Libc(str, Enum):
    GLIBC = "glibc"
    MUSL = "musl"
    NONE = "none"


@dataclass(frozen=True)
class BaseImage:
    """One row: an image, what it is for, and what a Dockerfile on top of it can rely on."""

    key: str
    reference: str
    role: Role
    family: Family
    language: str | None  # None: any language
    version: str | None  # the language version it carries (builders)
    libc: Libc
    shell: bool
    package_manager: str | None  # "apt-get", "apk", or None
    user: str | None  # the non-root user the image already has
    uid: int | None
    user_spec: str | None = None  # what the USER line says for that user ("65532:65532", "node")
    release: str | None = None  # the exact release its tag starts with ("24.12.0", "21.0.12.1_1"), None when it has none

    @property
    def ref(self) -> ImageRef:
        return parse_ref(self.reference)

    @property
    def size(self) -> int | None:
        """The image's approximate unpacked size in bytes (``SIZES``), None when the catalogue has no figure."""
        return size_of(self.ref)


def _go(minor: str, patch: str, debian: str, alpine: str) -> tuple[BaseImage, BaseImage]:
    common = dict(role=Role.BUILDER, language="go", version=minor, release=patch, shell=True, user=None, uid=None)
    return (
        BaseImage(
            key=f"go-{minor}-debian",
            reference=f"golang:{patch}-{debian}",
            family=Family.DEBIAN,
            libc=Libc.GLIBC,
            package_manager="apt-get",
            **common,  # type: ignore[arg-type]
        ),
        BaseImage(
            key=f"go-{minor}-alpine",
            reference=f"golang:{patch}-{alpine}",
            family=Family.ALPINE,
            libc=Libc.MUSL,
            package_manager="apk",
            **common,  # type: ignore[arg-type]
        ),
    )


# The last patch release of each Go minor version and the newest distribution it was built on.
_GO = (
    ("1.13", "1.13.15", "buster", "alpine3.12"),
    ("1.14", "1.14.15", "buster", "alpine3.13"),
    ("1.15", "1.15.15", "buster", "alpine3.14"),
    ("1.16", "1.16.15", "bullseye", "alpine3.15"),
    ("1.17", "1.17.13", "bullseye", "alpine3.16"),
    ("1.18", "1.18.10", "bullseye", "alpine3.17"),
    ("1.19", "1.19.13", "bookworm", "alpine3.18"),
    ("1.20", "1.20.14", "bookworm", "alpine3.19"),
    ("1.21", "1.21.13", "bookworm", "alpine3.20"),
    ("1.22", "1.22.12", "bookworm", "alpine3.21"),
    ("1.23", "1.23.12", "bookworm", "alpine3.22"),
    ("1.24", "1.24.9", "bookworm", "alpine3.22"),
    ("1.25", "1.25.3", "bookworm", "alpine3.22"),
    ("1.26", "1.26.3", "bookworm", "alpine3.23"),
    ("1.27", "1.27.1", "bookworm", "alpine3.24"),
)

# Node.js: the newest patch of each major and the distributions it is published on. The same
# image serves as builder (full, slim or alpine, as the original) and runtime (slim or alpine).
_NODE = (
    ("14", "14.21.3", "bullseye", "alpine3.17"),
    ("16", "16.20.2", "bookworm", "alpine3.18"),
    ("18", "18.20.8", "bookworm", "alpine3.21"),
    ("20", "20.19.6", "bookworm", "alpine3.22"),
    ("22", "22.23.2", "bookworm", "alpine3.23"),
    ("24", "24.12.0", "bookworm", "alpine3.22"),
    ("26", "26.12.0", "bookworm", "alpine3.24"),
)
BUN_VERSION = "1.3.14"
# Python: the newest patch of each minor and its Debian/Alpine releases.
_PYTHON = (
    ("3.7", "3.7.17", "bullseye", "alpine3.18"),
    ("3.8", "3.8.20", "bookworm", "alpine3.20"),
    ("3.9", "3.9.23", "bookworm", "alpine3.22"),
    ("3.10", "3.10.18", "bookworm", "alpine3.22"),
    ("3.11", "3.11.13", "bookworm", "alpine3.22"),
    ("3.12", "3.12.11", "bookworm", "alpine3.22"),
    ("3.13", "3.13.7", "bookworm", "alpine3.22"),
    ("3.14", "3.14.0", "bookworm", "alpine3.22"),
)


def _official(language: str, version: str, patch: str, tags: tuple[str, str, str], user: str | None, uid: int | None
              ) -> tuple[BaseImage, ...]:
    """The full (builder), slim and Alpine rows of an official language image at ``patch``; ``tags`` in that order."""
    flavors = (("full", Family.DEBIAN, Libc.GLIBC, "apt-get"), ("slim", Family.DEBIAN, Libc.GLIBC, "apt-get"),
               ("alpine", Family.ALPINE, Libc.MUSL, "apk"))
    return tuple(
        BaseImage(
            key=f"{language}-{version}-{flavor}",
            reference=f"{language}:{tag}",
            role=Role.BUILDER if flavor == "full" else Role.BOTH,
            family=family,
            language=language,
            version=version,
            libc=libc,
            shell=True,
            package_manager=manager,
            user=user,
            uid=uid,
            user_spec=user,
            release=patch,
        )
        for (flavor, family, libc, manager), tag in zip(flavors, tags, strict=True)
    )


def _python(minor: str, patch: str, debian: str, alpine: str) -> tuple[BaseImage, ...]:
    return _official("python", minor, patch, (f"{patch}-{debian}", f"{patch}-slim-{debian}", f"{patch}-{alpine}"), None, None)


def _node(major: str, patch: str, debian: str, alpine: str) -> tuple[BaseImage, ...]:
    return _official("node", major, patch, (f"{patch}-{debian}", f"{patch}-{debian}-slim", f"{patch}-{alpine}"), "node", 1000)


def _bun() -> tuple[BaseImage, ...]:
    rows = []
    for key, tag, role, family, libc, manager in (
        ("bun-full", BUN_VERSION, Role.BUILDER, Family.DEBIAN, Libc.GLIBC, "apt-get"),
        ("bun-slim", f"{BUN_VERSION}-slim", Role.BOTH, Family.DEBIAN, Libc.GLIBC, "apt-get"),
        ("bun-alpine", f"{BUN_VERSION}-alpine", Role.BOTH, Family.ALPINE, Libc.MUSL, "apk"),
    ):
        rows.append(
            BaseImage(
                key=key,
                reference=f"oven/bun:{tag}",
                role=role,
                family=family,
                language="bun",
                version=BUN_VERSION.rsplit(".", 1)[0],
                libc=libc,
                shell=True,
                package_manager=manager,
                user="bun",
                uid=1000,
                user_spec="bun",
                release=BUN_VERSION,
            )
        )
    return tuple(rows)


# Java: Eclipse Temurin's newest build of each LTS major (and the current one), on Ubuntu
# (named explicitly: the unsuffixed tags move with Ubuntu releases) or Alpine. JDKs build, JREs run.
_TEMURIN = (
    ("8", "8u504-b01"),
    ("11", "11.0.32.1_1"),
    ("17", "17.0.20.1_1"),
    ("21", "21.0.12.1_1"),
    ("25", "25.0.4.1_1"),
)
TEMURIN_UBUNTU = "noble"
MAVEN_VERSION = "3.9.16"
# Gradle: the last release of each major, the JDKs it is published with, and those with an Alpine variant.
_GRADLE = (
    ("7", "7.6.6", ("8", "11", "17"), ("11", "17")),
    ("8", "8.14.5", ("8", "11", "17", "21"), ("11", "17", "21")),
    ("9", "9.8.0", ("17", "21", "25"), ("17", "21", "25")),
)
# Distroless Java: Temurin JREs on Debian 13; no Java 8 or 11 images exist.
_DISTROLESS_JAVA = ("17", "21", "25")


def _java() -> tuple[BaseImage, ...]:
    rows: list[BaseImage] = []
    common = dict(language="java", shell=True, user=None, uid=None)
    for major, build in _TEMURIN:
        for kind, role in (("jdk", Role.BUILDER), ("jre", Role.RUNTIME)):
            rows.append(BaseImage(key=f"temurin-{major}-{kind}", reference=f"eclipse-temurin:{build}-{kind}-{TEMURIN_UBUNTU}",
                                  role=role, family=Family.DEBIAN, version=major, libc=Libc.GLIBC, package_manager="apt-get",
                                  release=build, **common))  # type: ignore[arg-type]
            rows.append(BaseImage(key=f"temurin-{major}-{kind}-alpine", reference=f"eclipse-temurin:{build}-{kind}-alpine",
                                  role=role, family=Family.ALPINE, version=major, libc=Libc.MUSL, package_manager="apk",
                                  release=build, **common))  # type: ignore[arg-type]
        rows.append(BaseImage(key=f"maven-{major}", reference=f"maven:{MAVEN_VERSION}-eclipse-temurin-{major}", role=Role.BUILDER,
                              family=Family.DEBIAN, version=major, libc=Libc.GLIBC, package_manager="apt-get", **common))  # type: ignore[arg-type]
        rows.append(BaseImage(key=f"maven-{major}-alpine", reference=f"maven:{MAVEN_VERSION}-eclipse-temurin-{major}-alpine",
                              role=Role.BUILDER, family=Family.ALPINE, version=major, libc=Libc.MUSL, package_manager="apk",
                              **common))  # type: ignore[arg-type]
    for gradle_major, release, jdks, alpine in _GRADLE:
        for major in jdks:
            rows.append(BaseImage(key=f"gradle-{gradle_major}-{major}", reference=f"gradle:{release}-jdk{major}", role=Role.BUILDER,
                                  family=Family.DEBIAN, version=major, libc=Libc.GLIBC, package_manager="apt-get",
                                  **common))  # type: ignore[arg-type]
            if major in alpine:
                rows.append(BaseImage(key=f"gradle-{gradle_major}-{major}-alpine", reference=f"gradle:{release}-jdk{major}-alpine",
                                      role=Role.BUILDER, family=Family.ALPINE, version=major, libc=Libc.MUSL,
                                      package_manager="apk", **common))  # type: ignore[arg-type]
    for major in _DISTROLESS_JAVA:
        rows.append(BaseImage(key=f"distroless-java{major}", reference=f"gcr.io/distroless/java{major}-debian13:nonroot",
                              role=Role.RUNTIME, family=Family.DISTROLESS, language="java", version=major, libc=Libc.GLIBC,
                              shell=False, package_manager=None, user="nonroot", uid=65532, user_spec="65532:65532"))
    return tuple(rows)


def gradle_majors() -> tuple[str, ...]:
    return tuple(g[0] for g in _GRADLE)


def gradle_release(gradle_major: str) -> str:
    return next(g[1] for g in _GRADLE if g[0] == gradle_major)


# Runtime images: key, reference, family, libc, shell, package manager, the non-root user it has
# (name, UID, and how USER names it: numerically where Kubernetes' runAsNonRoot must verify it).
_RUNTIME_ROWS: tuple[tuple[str, str, Family, Libc, bool, str | None, str | None, int | None, str | None], ...] = (
    ("scratch", "scratch", Family.SCRATCH, Libc.NONE, False, None, None, None, None),
    ("distroless-static", "gcr.io/distroless/static-debian12:nonroot", Family.DISTROLESS, Libc.NONE, False, None, "nonroot", 65532, "65532:65532"),
    ("distroless-base", "gcr.io/distroless/base-debian12:nonroot", Family.DISTROLESS, Libc.GLIBC, False, None, "nonroot", 65532, "65532:65532"),
    ("distroless-cc", "gcr.io/distroless/cc-debian12:nonroot", Family.DISTROLESS, Libc.GLIBC, False, None, "nonroot", 65532, "65532:65532"),
    ("alpine", "alpine:3.23.2", Family.ALPINE, Libc.MUSL, True, "apk", None, None, None),
    ("debian", "debian:12.13-slim", Family.DEBIAN, Libc.GLIBC, True, "apt-get", None, None, None),
    # Debian 12's Node.js at /nodejs/bin/node (the image's entrypoint; no ``node`` on PATH), no shell, no npm.
    ("distroless-nodejs20", "gcr.io/distroless/nodejs20-debian12:nonroot", Family.DISTROLESS, Libc.GLIBC, False, None, "nonroot", 65532, "65532:65532"),
    ("distroless-nodejs22", "gcr.io/distroless/nodejs22-debian12:nonroot", Family.DISTROLESS, Libc.GLIBC, False, None, "nonroot", 65532, "65532:65532"),
    ("distroless-nodejs24", "gcr.io/distroless/nodejs24-debian12:nonroot", Family.DISTROLESS, Libc.GLIBC, False, None, "nonroot", 65532, "65532:65532"),
    # Debian 12's Python 3.11 at /usr/bin/python3.11, no shell: a virtualenv must point there.
    ("distroless-python3", "gcr.io/distroless/python3-debian12:nonroot", Family.DISTROLESS, Libc.GLIBC, False, None, "nonroot", 65532, "65532:65532"),
    ("nginx", "nginxinc/nginx-unprivileged:1.30.6", Family.DEBIAN, Libc.GLIBC, True, "apt-get", "nginx", 101, "101"),
    ("nginx-alpine", "nginxinc/nginx-unprivileged:1.30.6-alpine", Family.ALPINE, Libc.MUSL, True, "apk", "nginx", 101, "101"),
)
_RUNTIMES = tuple(
    BaseImage(
        key=key,
        reference=reference,
        role=Role.RUNTIME,
        family=family,
        language=None,
        version=None,
        libc=libc,
        shell=has_shell,
        package_manager=manager,
        user=user,
        uid=uid,
        user_spec=spec,
    )
    for key, reference, family, libc, has_shell, manager, user, uid, spec in _RUNTIME_ROWS
)

CATALOGUE: tuple[BaseImage, ...] = (
    tuple(row for spec in _GO for row in _go(*spec))
    + tuple(row for spec in _NODE for row in _node(*spec))
    + _bun()
    + tuple(row for spec in _PYTHON for row in _python(*spec))
    + _java()
    + _RUNTIMES
)

# The Node.js majors distroless publishes an image for (gcr.io/distroless/nodejs<major>-debian12).
DISTROLESS_NODE = ("20", "22", "24")
# The Python of gcr.io/distroless/python3-debian12: Debian 12's, at /usr/bin/python3.11.
DISTROLESS_PYTHON = "3.11"
DISTROLESS_PYTHON_BIN = "/usr/bin/python3.11"
# The exact Python release it carries: Debian 12's python3.11 package (3.11.2-6+deb12u*).
DISTROLESS_PYTHON_RELEASE = "3.11.2"

# Tags that pin an exact release of a language image, the release being the tag's first word:
# node:24.16.0, python:3.11.9-slim, golang:1.22.5, eclipse-temurin:21.0.5_11-jdk, oven/bun:1.1.20.
# A tag that names only a major or a minor (node:24, python:3.11, golang:1.22) floats, and the
# catalogue's newest patch of that series stands for it.
_EXACT_TAGS = {
    "node": r"\d+\.\d+\.\d+",
    "python": r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?",
    "golang": r"\d+\.\d+\.\d+",
    "eclipse-temurin": r"\d+(?:\.\d+)*_\d+|8u\d+-b\d+",
    "oven/bun": r"\d+\.\d+\.\d+",
}


@dataclass(frozen=True)
class Exact:
    """The exact release an original's FROM pins, which a conversion keeps: ``node:24.16.0`` runs Node 24.16.0."""

    image: ImageRef  # the original's reference, as written (tag and digest)
    release: str  # "24.16.0", "3.11.9", "21.0.5_11"
    distribution: str | None  # the release its tag names ("bookworm", "alpine3.20", "jammy"); None: the tag's default

    def __str__(self) -> str:
        return self.release

    def within(self, version: str | None) -> bool:
        """Whether the release belongs to the catalogue's ``version`` series: 24.16.0 to 24, 8u422-b05 to 8."""
        return version is not None and re.match(rf"{re.escape(version)}(?:[._u]|$)", self.release) is not None


def exact_release(image: ImageRef | None) -> Exact | None:
    """The exact release ``image`` pins (``node:24.16.0``, ``python:3.11.9-slim``), None for a floating tag or another image."""
    if image is None or image.tag is None or image.path not in _EXACT_TAGS:
        return None
    m = re.fullmatch(rf"({_EXACT_TAGS[image.path]})(-.*)?", image.tag)
    return Exact(image, m.group(1), release_of(image)) if m else None


def at_release(image: BaseImage, exact: Exact | None) -> BaseImage:
    """``image`` on the release the original pins: the same row, its tag's version replaced by ``exact``'s.

    Only a row of the original's own image and of the pinned release's series changes (``node:24.12.0-bookworm-slim``
    becomes ``node:24.16.0-slim`` for ``node:24.16.0``); any other row is returned as it is. The row's distribution
    gives way to the one the original's tag names, or, where it names none, is left out: the unsuffixed tag of an exact
    release is published for every patch, on the distribution that was the default then, while a named distribution may
    not be (an older patch predates it). A builder that is then the original's own image keeps the original's digest.
    """
    ref = image.ref
    if exact is None or image.release is None or ref.path != exact.image.path or not exact.within(image.version):
        return image
    named = exact.distribution or ""
    words = []
    for word in (ref.tag or "").removeprefix(image.release).split("-")[1:]:
        if re.fullmatch(r"alpine\d+\.\d+", word):
            word = named if named.startswith("alpine") else "alpine"
        elif word in _RELEASES:
            word = named if named in _RELEASES else ""
        if word:
            words.append(word)
    tag = "-".join([exact.release, *words])
    digest = exact.image.digest if ref.name == exact.image.name and tag == exact.image.tag else None
    pinned = ImageRef(ref.registry, ref.path, tag, digest)
    return replace(image, reference=str(pinned), release=exact.release)

# Approximate unpacked sizes in bytes, so a conversion can show its gain before anything is built.
# Where the figures come from: `docker image inspect -f '{{.Size}}'` of the offline stand-ins of the
# official images (shared/e2e/stand-ins.d), which are built from Debian 12 packages and laid out like
# the images they stand for. They approximate the official images (within some tens of MB: the official
# Python and Node are built from source into /usr/local, the stand-ins install Debian's) and do not
# vary with the version a tag names. Images without a stand-in (Alpine, Bun, Gradle, Ubuntu) have no
# figure: None, and no estimate is claimed for them.
# The first matching pattern (fnmatch over the reference without registry-less ``docker.io/library/``) wins.
SIZES: tuple[tuple[str, int | None], ...] = (
    ("scratch", 0),
    ("*alpine*", None),  # no Alpine stand-in: Alpine cannot be built from Debian packages
    ("gcr.io/distroless/static*", 2_006_131),
    ("gcr.io/distroless/base*", 20_731_653),
    ("gcr.io/distroless/cc*", 23_553_088),
    ("gcr.io/distroless/python3-debian12*", 52_932_924),
    # The other distroless Node.js and Java images are given their stand-in's figure (nodejs20, java17): the
    # same Debian base under a Node binary or a JRE of about the same size.
    ("gcr.io/distroless/nodejs*", 122_602_135),
    ("gcr.io/distroless/java*", 226_507_996),
    ("golang", 844_798_876),
    ("golang:*", 844_798_876),
    ("node:*slim*", 242_494_691),
    ("node", 1_107_383_317),
    ("node:*", 1_107_383_317),
    ("python:*slim*", 178_525_083),
    ("python", 1_025_058_113),
    ("python:*", 1_025_058_113),
    ("eclipse-temurin:*jre*", 382_133_026),
    ("openjdk:*jre*", 382_133_026),
    ("eclipse-temurin*", 495_213_442),
    ("openjdk*", 495_213_442),
    ("maven*", 582_626_257),
    ("debian:*slim*", 74_817_338),
    ("debian*", 116_554_965),
    ("buildpack-deps:*curl*", 164_983_859),
    ("buildpack-deps:*scm*", 349_749_130),
    ("buildpack-deps*", 939_705_890),
    ("nginxinc/nginx-unprivileged*", 186_357_718),
    ("nginx*", 186_342_356),
)


def size_of(ref: ImageRef) -> int | None:
    """The catalogue's approximate size of the image ``ref`` names (``SIZES``), None when it has none."""
    text = ref.name if ref.tag is None else f"{ref.name}:{ref.tag}"
    for pattern, size in SIZES:
        if fnmatchcase(text, pattern):
            return size
    return None


# UID/GID given to the user stagify creates on runtimes that have no non-root user;
# distroless and scratch use 65532, the UID distroless calls "nonroot".
APP_USER = "app"
APP_UID = 10001
NONROOT_UID = 65532


def row(key: str) -> BaseImage:
    for image in CATALOGUE:
        if image.key == key:
            return image
    raise KeyError(key)


def versions(language: str) -> list[str]:
    """The language versions the catalogue has builders for, oldest first."""
    seen: list[str] = []
    for image in CATALOGUE:
        if image.language == language and image.version and image.version not in seen:
            seen.append(image.version)
    return sorted(seen, key=version_key)


def releases(language: str) -> list[tuple[str, str]]:
    """(version, exact release) of Node's majors and Python's minors, oldest first: ``("20", "20.19.6")``.

    The exact release is what the catalogue's images run, so it is what a version range is checked against.
    """
    table = {"node": _NODE, "python": _PYTHON}[language]
    return sorted(((row[0], row[1]) for row in table), key=lambda pair: version_key(pair[0]))


def builder(language: str, version: str, family: Family) -> BaseImage:
    """The builder row for ``language`` at ``version`` (major.minor) in ``family``."""
    wanted = Family.ALPINE if family is Family.ALPINE else Family.DEBIAN
    for image in CATALOGUE:
        if image.language == language and image.version == version and image.family is wanted:
            return image
    raise KeyError(f"{language} {version} {wanted.value}")


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def newest_for_tag(language: str, tag: str | None, precision: int) -> str | None:
    """The newest catalogue version a floating tag stands for, or None when the tag names a version.

    ``latest``, ``rc``, ``alpine``, ``buster`` or no tag float over every release, ``1-alpine`` or
    ``3-slim`` over one major: whoever built the original got the newest release of that series, so
    a pin never goes below it. ``precision`` is how many parts a version of ``language`` has in the
    catalogue (2 for Go's and Python's ``1.22``, 1 for Node's and Java's majors).
    """
    m = re.match(r"^(\d+(?:\.\d+)*)", tag or "")
    parts = m.group(1).split(".") if m else []
    if len(parts) >= precision:
        return None
    fitting = [k for k in versions(language) if k.split(".")[: len(parts)] == parts]
    return fitting[-1] if fitting else None


_RELEASES = ("buster", "bullseye", "bookworm", "trixie", "focal", "jammy", "noble")
# Tags that name no release: the release their image is built on.
_RELEASE_OF_TAG = {"debian:12": "bookworm", "debian:11": "bullseye", "debian:13": "trixie"}


def release_of(image: BaseImage | ImageRef) -> str | None:
    """The distribution release an image is built on (``bookworm``, ``noble``, ``alpine3.22``), None when its tag
    does not say (``python:3.12`` follows Debian's releases over time)."""
    ref = image.ref if isinstance(image, BaseImage) else image
    tag = ref.tag or ""
    for word in re.split(r"[-_]", tag):
        if word in _RELEASES:
            return word
        if re.fullmatch(r"alpine\d+\.\d+", word):
            return word
    if ref.path == "alpine":
        m = re.match(r"(\d+\.\d+)", tag)
        return f"alpine{m.group(1)}" if m else None
    m = re.match(r"(\d+)", tag)
    return _RELEASE_OF_TAG.get(f"{ref.path}:{m.group(1)}") if m else None
