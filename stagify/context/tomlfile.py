"""TOML, for pyproject.toml, uv.lock and .stagify.toml: the standard library's reader (tomli before Python 3.11).

The reader is imported on first use: most conversions never read TOML, and a command's
start-up should not pay for it. Its decode errors are ValueErrors.
"""

from __future__ import annotations

import sys
from typing import Any


def loads(text: str) -> dict[str, Any]:
    """The document as a dict; a ValueError (tomllib's TOMLDecodeError) when it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    import tomli  # pragma: no cover - Python 3.10

    document: dict[str, Any] = tomli.loads(text)  # pragma: no cover
    return document  # pragma: no cover
