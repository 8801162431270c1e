"""Real package lists of Debian and Ubuntu releases, read with apt itself.

The machine's own release is read from the system's lists (``apt-cache policy``). Another
release gets its lists with ``apt-get update`` into a private folder (never the system's),
once, kept for a week under ``~/.cache/stagify-apt/<release>``. Ubuntu's lists are signed
with Ubuntu's key; where no Ubuntu keyring is installed they are read unverified, which is
enough to learn package names (nothing is ever installed from them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

_DEBIAN = "http://deb.debian.org/debian"
_UBUNTU = "http://archive.ubuntu.com/ubuntu"
_DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
_UBUNTU_KEYRING = Path("/usr/share/keyrings/ubuntu-archive-keyring.gpg")
ARCHIVES = {
    "buster": (_DEBIAN, "buster", "main", _DEBIAN_KEYRING),
    "bullseye": (_DEBIAN, "bullseye bullseye-updates", "main", _DEBIAN_KEYRING),
    "bookworm": (_DEBIAN, "bookworm bookworm-updates", "main", _DEBIAN_KEYRING),
    "trixie": (_DEBIAN, "trixie trixie-updates", "main", _DEBIAN_KEYRING),
    "jammy": (_UBUNTU, "jammy jammy-updates", "main universe", _UBUNTU_KEYRING),
    "noble": (_UBUNTU, "noble noble-updates", "main universe", _UBUNTU_KEYRING),
}
_WEEK = 7 * 24 * 3600


class Unavailable(Exception):
    """The release's package list cannot be had here (the message says why)."""


def machine_release() -> str | None:
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return None
    m = re.search(r"^VERSION_CODENAME=(\S+)$", text, re.M)
    return m.group(1) if m else None


class PackageList:
    """``has(name)``: whether the release has an installable package of that name (a candidate version)."""

    def __init__(self, release: str) -> None:
        if shutil.which("apt-cache") is None or shutil.which("apt-get") is None:
            raise Unavailable("no apt on this machine to read Debian's package lists")
        self.release = release
        self.options: list[str] = []
        if release != machine_release():
            self.options = _private_lists(release)
        self._known: dict[str, bool] = {}

    def has(self, name: str) -> bool:
        return self.candidates([name])[name]

    def candidates(self, names: list[str]) -> dict[str, bool]:
        wanted = [n for n in names if n not in self._known]
        if wanted:
            run = subprocess.run(["apt-cache", *self.options, "policy", *wanted], capture_output=True, text=True, timeout=120)
            found = {n: False for n in wanted}
            current = None
            for line in run.stdout.splitlines():
                head = re.match(r"^(\S+):$", line)
                if head:
                    current = head.group(1)
                    continue
                cand = re.match(r"^\s+Candidate:\s+(\S+)", line)
                if cand and current in found:
                    found[current] = cand.group(1) != "(none)"
            self._known.update(found)
        return {n: self._known[n] for n in names}


def _private_lists(release: str) -> list[str]:
    if release not in ARCHIVES:
        raise Unavailable(f"no archive known for {release}")
    url, suites, components, keyring = ARCHIVES[release]
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stagify-apt" / release
    lists, cache = root / "lists", root / "cache"
    options = [
        "-o", "Dir::Etc::SourceList=/dev/null",
        "-o", f"Dir::Etc::SourceParts={root}",
        "-o", f"Dir::State::Lists={lists}",
        "-o", f"Dir::Cache={cache}",
        "-o", "Dir::State::status=/dev/null",
    ]
    stamp = root / "updated"
    if stamp.is_file() and time.time() - stamp.stat().st_mtime < _WEEK:
        return options
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    (cache / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    trust = f"Signed-By: {keyring}" if keyring.is_file() else "Trusted: yes"  # names only: nothing is installed from it
    (root / "archive.sources").write_text(f"Types: deb\nURIs: {url}\nSuites: {suites}\nComponents: {components}\n{trust}\n")
    try:
        run = subprocess.run(["apt-get", *options, "-q", "update"], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"apt-get update for {release} failed: {exc}") from None
    if run.returncode != 0 or not any(lists.glob("*_Packages*")):
        raise Unavailable(f"apt-get update for {release} failed: {(run.stderr or run.stdout).strip()[-300:]}")
    stamp.touch()
    return options
