"""TOML, for pyproject.toml, uv.lock and .stagify.toml: the standard library's reader (tomli before Python 3.11)."""

from __future__ import annotations

from typing import Any

try:  # Python 3.11+
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as _toml  # type: ignore[no-redef]

TOMLDecodeError = _toml.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The document as a dict; TOMLDecodeError (with ``lineno``) when it is not TOML."""
    return _toml.loads(text)
