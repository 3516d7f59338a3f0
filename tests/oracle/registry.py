"""A private Docker registry on loopback (Debian's ``docker-registry``, the distribution
project's registry), for conformance scenarios that push and pull.

Started with its own config and storage in a temp dir on a free 127.0.0.1 port; the Docker
Engine trusts 127.0.0.0/8 registries over plain HTTP by default, so no daemon flag is needed.
Stopped by its PID."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

BINARY = "docker-registry"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRegistry:
    def __init__(self, start_timeout: float = 20.0):
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None
        self.address = ""

    def start(self) -> "PrivateRegistry":
        exe = shutil.which(BINARY)
        if exe is None:
            raise RuntimeError(f"{BINARY} not found (Debian package docker-registry)")
        self.tmp = Path(tempfile.mkdtemp(prefix="llregistry-"))
        port = _free_port()
        self.address = f"127.0.0.1:{port}"
        cfg = self.tmp / "config.yml"
        cfg.write_text(f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
                       f"    rootdirectory: {self.tmp}/data\n  delete:\n    enabled: true\n"
                       f"http:\n  addr: {self.address}\n")
        self.proc = subprocess.Popen([exe, "serve", str(cfg)], stdout=open(self.tmp / "registry.log", "wb"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://{self.address}/v2/", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.tmp / "registry.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"docker-registry did not answer on {self.address}:\n{log}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self) -> "PrivateRegistry":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def registry_available() -> bool:
    return shutil.which(BINARY) is not None and os.geteuid() == 0
