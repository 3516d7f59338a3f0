"""A Dask cluster on loopback for tests and benchmarks: a real ``dask scheduler`` and
``dask worker`` processes (one thread, no nanny, each with its own local directory), all on
127.0.0.1, each stopped by its PID (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _dask() -> str:
    return str(Path(sys.executable).parent / "dask")


class Cluster:
    """A scheduler and workers started here, on loopback, stopped by PID; logs in `root`."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self.file = root / "scheduler.json"
        self.address = ""

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "wb")
        # Dask's lock files go here too, not into the system's /tmp/dask-scratch-space
        env = {**os.environ, "DASK_TEMPORARY_DIRECTORY": str(self.root / "tmp")}
        proc = subprocess.Popen([_dask(), *args], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        log.close()
        self.procs[name] = proc
        return proc

    def start_scheduler(self) -> None:
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(self.file)])
        deadline = time.monotonic() + 60
        while not self.file.exists():
            if self.procs["scheduler"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dask scheduler did not start:\n" + self.log("scheduler"))
            time.sleep(0.2)
        time.sleep(0.2)  # the file is written in one go, but be sure it is complete
        self.address = json.loads(self.file.read_text())["address"]

    def start_worker(self, name: str) -> subprocess.Popen:
        return self._start(name, ["worker", "--scheduler-file", str(self.file),
                                  "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                  "--host", "127.0.0.1", "--name", name,
                                  "--local-directory", str(self.root / name)])

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=90)

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop_all(self) -> None:
        for name in [n for n in self.procs if n != "scheduler"] + ["scheduler"]:
            if name in self.procs:
                self.stop(name)

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()
