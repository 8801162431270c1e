"""A real OCI registry for tests: Debian's ``docker-registry`` on 127.0.0.1, with images pushed to it.

Images are pushed over the distribution API itself (a config blob, a manifest, an index),
or, where an engine is at hand, with ``docker push`` of the stand-ins. Without the
``docker-registry`` binary the tests skip, except under ``CI=true`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from .engine import unavailable

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalRegistry:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.url = f"http://{self.host}"

    @classmethod
    def start(cls, folder: Path) -> LocalRegistry:
        binary = shutil.which("docker-registry") or ("/usr/bin/docker-registry" if Path("/usr/bin/docker-registry").exists() else None)
        if binary is None:
            unavailable("no docker-registry binary (apt-get install docker-registry)")
        port = free_port()
        config = folder / "config.yml"
        config.write_text(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {folder / 'data'}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n"
        )
        process = subprocess.Popen([str(binary), "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1):
                    return cls(process, port)
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        process.kill()
        unavailable(f"docker-registry did not start: {(process.stderr.read() if process.stderr else b'').decode()[-300:]}")
        raise AssertionError  # unreachable: unavailable() skips or fails

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def _put_blob(self, repository: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        start = urllib.request.Request(f"{self.url}/v2/{repository}/blobs/uploads/", method="POST")
        with urllib.request.urlopen(start) as reply:
            location = reply.headers["Location"]
        if location.startswith("/"):
            location = self.url + location
        sep = "&" if "?" in location else "?"
        upload = urllib.request.Request(f"{location}{sep}digest={digest}", data=data, method="PUT",
                                        headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(upload):
            pass
        return digest

    def _put_manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        request = urllib.request.Request(f"{self.url}/v2/{repository}/manifests/{reference}", data=body, method="PUT",
                                         headers={"Content-Type": media_type})
        with urllib.request.urlopen(request) as reply:
            return reply.headers["Docker-Content-Digest"]

    def push_index(self, repository: str, tag: str, label: str = "") -> str:
        """A minimal multi-platform image (an index over one manifest) under ``tag``; the index's digest."""
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"case": label or tag}},
                             "rootfs": {"type": "layers", "diff_ids": []}}).encode()
        config_digest = self._put_blob(repository, config)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest,
                                          "size": len(config)}, "layers": []}).encode()
        manifest_digest = self._put_manifest(repository, "sha256:" + hashlib.sha256(manifest).hexdigest(), manifest, OCI_MANIFEST)
        index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                            "manifests": [{"mediaType": OCI_MANIFEST, "digest": manifest_digest, "size": len(manifest),
                                           "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
        return self._put_manifest(repository, tag, index, OCI_INDEX)
