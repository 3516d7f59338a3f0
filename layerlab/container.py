"""A container: an image, a writable layer on top, a process model and a lifecycle.

Lifecycle facts (docs/docker-storage-facts.md §7): ``create`` allocates an empty writable
layer over the image and a small *init* layer (``/etc/hosts``, ``/etc/hostname``,
``/etc/resolv.conf``, ``/.dockerenv``, ``/dev/console``, ``/etc/mtab``, ``/dev/pts``,
``/dev/shm``, ``/proc``, ``/sys``); ``stop``/``start``/``restart`` keep the writable layer (only
tmpfs contents are lost); ``rm`` deletes it; ``run`` always starts from a fresh one.

The process model is simple: the command runs to completion at ``start`` (its output goes to the
logs) unless it blocks (``sleep 3600``, a server in the foreground), in which case the container
stays *running* until it is stopped or killed. A PID 1 that ignores SIGTERM (``sh``, ``sleep``:
the kernel ignores default-action signals for PID 1) is killed after the stop timeout and exits
with 137, as Docker shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .image import Image
from .fs.rootfs import RootFS
from .fs.tree import Node, directory, symlink

# Programs that handle SIGTERM and exit 0 when stopped; any other PID 1 ignores it.
HANDLES_SIGTERM = {"nginx", "httpd", "node", "python", "python3", "postgres", "redis-server"}


def init_entries(now: int, image: Image) -> dict[str, Node]:
    """What moby's ``initlayer.Setup`` writes into a container's ``<id>-init`` layer, the layer
    Docker puts between the image and the writable layer: the mount points and files runc
    needs (``/dev/pts``, ``/etc/hosts``, ``/.dockerenv``...). It creates only what the image
    lacks; the parents it needs are copies of the image's own directories (the init layer is
    an overlay upper over the image)."""
    f = Node("file", 0o755, 0, 0, now)
    d = directory(0o755, mtime=now)
    entries = {
        "/dev": d, "/dev/pts": d, "/dev/shm": d, "/dev/console": f,
        "/proc": d, "/sys": d, "/.dockerenv": f,
        "/etc": d, "/etc/hosts": f, "/etc/hostname": f, "/etc/resolv.conf": f,
        "/etc/mtab": symlink("/proc/mounts", mtime=now),
    }
    flat = image.flat.entries
    entries = {p: n for p, n in entries.items() if p not in flat}
    for path in ("/dev", "/etc"):
        if path in flat and flat[path].kind == "dir" and any(p.startswith(path + "/") for p in entries):
            entries[path] = flat[path]
    return entries


def write_init_layer(fs, now: int, image: Image) -> None:
    """Write the init layer into ``fs``, the snapshot prepared for it on the image."""
    for path, node in sorted(init_entries(now, image).items()):
        fs.upper.put(path, node)


class State(StrEnum):
    """A container's state as the daemon reports it (moby ``container.State.StateString``;
    ``paused`` is a running container whose processes are frozen, so it is a flag, not a state
    here). A StrEnum: ``State.RUNNING == "running"``, and it prints, shows and marshals as the word."""

    CREATED = "created"
    RUNNING = "running"
    EXITED = "exited"
    DEAD = "dead"

    def __repr__(self) -> str:          # a notebook shows c.state as the word docker prints
        return repr(self.value)


@dataclass
class Container:
    id: str
    name: str
    image: Image
    image_ref: str
    argv: list[str]
    env: dict[str, str]
    working_dir: str
    user: str
    created: int
    rootfs: RootFS
    entrypoint: list[str] = field(default_factory=list)
    state: State = State.CREATED
    exit_code: int = 0
    started_at: int = 0
    finished_at: int = 0
    logs: bytes = b""
    read_only: bool = False
    auto_remove: bool = False
    mounts: list = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    stop_signal: str = "SIGTERM"
    restart_count: int = 0
    ns: object = None               # the mount namespace (files as the process sees them)
    paused: bool = False
    volumes_from: list[str] = field(default_factory=list)   # --volumes-from, as given
    host_config_mounts: dict = field(default_factory=dict)  # the mount requests as the API keeps them
    # what the process wrote, in order: (1 = stdout | 2 = stderr, bytes); `docker logs` reads it
    log_chunks: list[tuple[int, bytes]] = field(default_factory=list)
    last_stdout: bytes = b""        # the last start's output (`docker run` / `start -a` print it)
    last_stderr: bytes = b""
    last_output: str = ""           # both, decoded (what a notebook shows)

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        return self.state == State.RUNNING

    @property
    def command(self) -> list[str]:
        return list(self.entrypoint) + list(self.argv)

    @property
    def fs(self):
        """What the process sees: the root filesystem plus any mounts."""
        return self.ns if self.ns is not None else self.rootfs

    def __repr__(self) -> str:
        return f"<Container {self.short_id} {self.name} {self.state}>"


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    output: str
    stdout: bytes = b""
    stderr: bytes = b""
    running: bool = False
