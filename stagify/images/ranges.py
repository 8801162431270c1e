"""Version ranges, read by the projects' own rules: PEP 440 for Python, npm's semver for Node.

The only user of ``packaging`` and ``node-semver``. A range is asked one question: which
catalogued release (the exact patch the catalogue pins, ``3.10.18``, ``20.19.6``) is the
newest it allows. The exact patch is what the image runs, so it is what pip checks
``requires-python`` against and what npm checks ``engines.node`` against: ``<=3.11`` does not
allow Python 3.11.13, as pip would not either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..patterns import Pattern

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

# packaging and nodesemver are imported where a range is read: the tables below are read on
# every Node conversion, a range only when a project gives one.


class RangeError(ValueError):
    """A range neither PEP 440, Poetry nor npm can read."""


# -- Python -------------------------------------------------------------------------------------------

_OPERATOR_SPACE = Pattern(r"(===|==|!=|~=|>=|<=|>|<|\^|~)\s+")


def python_specifiers(spec: str) -> list[SpecifierSet]:
    """``requires-python`` (PEP 440) or Poetry's ``python`` constraint as PEP 440 sets, one per ``||`` alternative.

    Poetry writes ``^3.10``, ``~3.10``, bare ``3.10`` and ``||`` where PEP 440 has none: those are
    spelled the PEP 440 way, and everything else goes to ``packaging`` as written.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    alternatives = []
    for alternative in re.split(r"\|\|?", spec):
        words = [w for w in re.split(r"[,\s]+", _OPERATOR_SPACE.sub(r"\1", alternative.strip())) if w]
        try:
            alternatives.append(SpecifierSet(",".join(_pep440(w) for w in words)))
        except InvalidSpecifier as exc:
            raise RangeError(f"not a PEP 440 version specifier: {exc}") from None
    return alternatives


def _pep440(word: str) -> str:
    found = re.fullmatch(r"(\^|~(?!=))(\d+(?:\.\d+)*)", word)
    if found:
        op, version = found.groups()
        parts = [int(p) for p in version.split(".")]
        if op == "^":  # Poetry: up to the next change of the first non-zero part
            index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        else:  # ~3.10 and ~3.10.2: up to the next minor; ~3: the next major
            index = min(1, len(parts) - 1)
        upper = [*parts[:index], parts[index] + 1]
        return f">={version},<{'.'.join(map(str, upper))}"
    if word == "*":
        return ""
    if re.fullmatch(r"\d+(?:\.\d+){0,1}", word):
        return f"=={word}.*"  # Poetry: a bare 3.12 is that series (PEP 440's ==3.12 would be 3.12.0 alone)
    if re.fullmatch(r"\d+(?:\.\d+)*(?:\.\*)?", word):
        return f"=={word}"
    return word


def python_allows(spec: str, release: str) -> bool:
    """Whether a Python release (``3.10.18``) satisfies the constraint; RangeError when it cannot be read."""
    from packaging.version import Version

    version = Version(release)
    return any(s.contains(version, prereleases=True) for s in python_specifiers(spec))


# -- Node ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeLine:
    major: str
    codename: str | None  # the LTS codename (nvm's lts/iron, the image tag iron); None: not LTS or not named yet


# The LTS lines and their codenames (https://github.com/nodejs/Release): nvm's lts/<name> and
# lts/*, and the node:lts, node:<codename> image tags, resolve through it. Node 26 became LTS on
# 2026-10-28; its codename was not published when this table was written.
NODE_LTS = (
    NodeLine("4", "argon"), NodeLine("6", "boron"), NodeLine("8", "carbon"), NodeLine("10", "dubnium"),
    NodeLine("12", "erbium"), NodeLine("14", "fermium"), NodeLine("16", "gallium"), NodeLine("18", "hydrogen"),
    NodeLine("20", "iron"), NodeLine("22", "jod"), NodeLine("24", "krypton"), NodeLine("26", None),
)
_CODENAMES = {line.codename: line.major for line in NODE_LTS if line.codename}
LTS_MAJORS = frozenset(line.major for line in NODE_LTS)
# Aliases that mean "the newest release" (nvm's node and stable, the image tags latest and current).
NEWEST_ALIASES = frozenset({"node", "stable", "latest", "current"})


def node_codename_major(name: str) -> str | None:
    """The major of an LTS codename (``iron`` -> ``20``), whatever its case; None when it is none."""
    return _CODENAMES.get(name.lower())


def node_allows(wanted: str, release: str) -> bool:
    """Whether a Node release (``20.19.6``) satisfies an npm range (``^20.0.0``, ``>=18 <21``, ``20.x``)."""
    import nodesemver

    if nodesemver.valid_range(wanted, True) is None:
        raise RangeError("not an npm version range")
    return bool(nodesemver.satisfies(release, wanted, loose=True))


def node_exact_major(text: str) -> str | None:
    """The major of an exact version (``v20.1.0`` -> ``20``), None when ``text`` is a range or an alias."""
    import nodesemver

    exact = nodesemver.valid(text.strip(), True)
    return str(exact).split(".")[0] if exact else None


def node_alias(text: str) -> str | None:
    """What an nvm alias names: ``lts/*`` -> ``lts``, ``lts/iron`` or ``iron`` -> ``20``, ``node`` -> ``newest``; else None."""
    text = text.strip().lower()
    if text in ("lts/*", "lts", "lts/-0"):
        return "lts"
    if text in NEWEST_ALIASES:
        return "newest"
    name = text.removeprefix("lts/")
    return node_codename_major(name)


def newest(releases: Sequence[tuple[str, str]], allows: Callable[[str], bool]) -> str | None:
    """The newest catalogued version whose release ``allows(release)`` accepts; ``releases`` oldest first."""
    fitting = [version for version, release in releases if allows(release)]
    return fitting[-1] if fitting else None
