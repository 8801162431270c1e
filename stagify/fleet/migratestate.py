"""``stagify migrate --resume``: what an earlier, interrupted run of the same migration finished.

The state file sits next to the report (``REPORT.state.json``). After each repository (or
build context outside any repository) is finished (converted, verified, written or
refused) the file is replaced whole, atomically, so an interrupt or a kill leaves either
the state before that repository or the state after it. A resumed run reads it, leaves
the finished repositories alone and lists them in its report as already done. The file
also holds a fingerprint of the run's arguments: resuming another migration is refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..write import write_all

FORMAT = 1


class StateError(Exception):
    """The state file cannot be used to resume: unreadable, another migration's, or a newer format."""


def state_path(report: Path) -> Path:
    return report.with_name(report.name + ".state.json")


def fingerprint(roots: list[Path], options: dict[str, Any]) -> str:
    """What must not change between a run and its resumption: the ROOTs and the options that change results."""
    data = json.dumps({"roots": sorted(str(r.resolve()) for r in roots), "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass
class State:
    path: Path
    fingerprint: str
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # repository -> what was done there

    @classmethod
    def start(cls, path: Path, fingerprint: str, resume: bool) -> State:
        """A fresh state, or with ``resume`` the one in ``path`` (none there: a fresh one)."""
        if not resume or not path.exists():
            return cls(path, fingerprint)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StateError(f"{path}: cannot read the state of the earlier run: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("done"), dict):
            raise StateError(f"{path}: not a state file of this stagify (format {FORMAT}); remove it to start over")
        if data.get("fingerprint") != fingerprint:
            raise StateError(f"{path}: written by a migration with other ROOTs or options; run it with those, "
                             "or remove the file to start over")
        return cls(path, fingerprint, dict(data["done"]))

    def is_done(self, unit: Path) -> bool:
        return str(unit.resolve()) in self.done

    def record(self, unit: Path, entry: dict[str, Any]) -> None:
        """One more repository finished: the file is replaced whole, atomically."""
        self.done[str(unit.resolve())] = {**entry, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        text = json.dumps({"format": FORMAT, "fingerprint": self.fingerprint, "done": self.done}, indent=2) + "\n"
        write_all([(self.path, text)], backup=False)
