"""The daemon's API documents, built from the Engine's values.

The docker CLI formats what the Engine API returns (``container.Summary``, ``image.Summary``,
``ContainerJSON`` ...). These functions build the same shapes from :class:`layerlab.Engine`
values; the Engine serves them (``Engine.inspect_container``, ``container_summary``,
``image_summaries``), so the CLI only formats them, following docker/cli line by line.
Nothing here prints.
"""
from __future__ import annotations

from .clock import rfc3339nano
from .container import State

NS = 1_000_000_000
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ZERO_TIME = "0001-01-01T00:00:00Z"


# ---------------------------------------------------------------------- containers
def command_string(c) -> str:
    """moby's list ``Command``: Path, then Args with any arg containing a space in '...'."""
    argv = list(c.command)
    if not argv:
        return ""
    path, args = argv[0], argv[1:]
    if not args:
        return path
    return path + " " + " ".join(f"'{a}'" if " " in a else a for a in args)


def status_string(c, now_ns: int) -> str:
    """moby ``State.String()``."""
    from .units import human_duration_ns
    if c.state == State.RUNNING:
        s = f"Up {human_duration_ns(now_ns - c.started_at)}"
        return s + " (Paused)" if c.paused else s
    if c.state == State.DEAD:
        return "Dead"
    if c.state == State.CREATED or not c.started_at:
        return "Created"
    if not c.finished_at:
        return ""
    return f"Exited ({c.exit_code}) {human_duration_ns(now_ns - c.finished_at)} ago"


def state_name(c) -> str:
    """``State`` in the API: the state's word, ``paused`` for a frozen running container."""
    if c.state == State.RUNNING and c.paused:
        return "paused"
    return str(c.state)


def image_field(engine, c) -> str:
    """The list API's ``Image``: the reference the container was created with while it still
    names the same image, else the image ID."""
    ref = c.image_ref
    if ref == c.image.id:
        return ref
    found = engine.find_image(ref)
    if found is None or found.id != c.image.id:
        return c.image.id
    return ref


def mounts_of(c, engine) -> list[dict]:
    """``MountPoint`` documents of a container's mounts (as the storage layer reports them)."""
    return list(engine.hooks.container_mounts(c))


def container_summary(engine, c, size: bool = False) -> dict:
    doc = {
        "Id": c.id,
        "Names": ["/" + c.name],
        "Image": image_field(engine, c),
        "ImageID": c.image.id,
        "Command": command_string(c),
        "Created": c.created // NS,
        "State": state_name(c),
        "Status": status_string(c, engine.clock()),
        "Labels": dict(c.labels or {}),
        "Mounts": mounts_of(c, engine),
        "Networks": ["bridge"],
    }
    if size:
        s = engine.size(c.id)
        doc["SizeRw"] = s.rw
        doc["SizeRootFs"] = s.root_fs
    return doc


def config_env(c) -> list[str]:
    """``Config.Env`` as docker stores it: the image's env, then ``-e`` values (no HOSTNAME
    unless the image or the user set one, and no PATH unless the image or the user set one)."""
    image_env = c.image.config.env_dict()
    out = []
    for k, v in c.env.items():
        if k == "HOSTNAME" and v == c.id[:12]:
            continue
        if k == "PATH" and "PATH" not in image_env and v == DEFAULT_PATH:
            continue
        out.append(f"{k}={v}")
    return out


def container_inspect(engine, c, size: bool = False) -> dict:
    """``docker container inspect``: the ContainerJSON document (current Engine's shape)."""
    cfg = c.image.config
    argv = c.command
    started = rfc3339nano(c.started_at) if c.started_at and c.state != State.CREATED else ZERO_TIME
    finished = rfc3339nano(c.finished_at) if c.finished_at else ZERO_TIME
    root = "/var/lib/docker"
    gd = engine.hooks.container_graphdriver(c)
    # the requests as the API keeps them (layerlab.storage.hooks.host_config_mounts); a Mounted has no
    # ``type``: its request has, and only ``--tmpfs`` requests belong in HostConfig.Tmpfs
    hc = c.host_config_mounts
    tmpfs = dict(hc.get("Tmpfs") or {})
    binds = list(hc.get("Binds") or []) or None
    hc_mounts = list(hc.get("Mounts") or [])
    cfg_volumes = dict(cfg.to_json().get("Volumes") or {})
    for target in hc.get("Volumes") or []:
        cfg_volumes.setdefault(target, {})
    doc = {
        "Id": c.id,
        "Created": rfc3339nano(c.created),
        "Path": argv[0] if argv else "",
        "Args": argv[1:],
        "State": {
            "Status": state_name(c),
            "Running": c.state == State.RUNNING,
            "Paused": c.paused,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": c.state == State.DEAD,
            "Pid": 4242 if c.state == State.RUNNING else 0,
            "ExitCode": c.exit_code,
            "Error": "",
            "StartedAt": started,
            "FinishedAt": finished,
        },
        "Image": c.image.id,
        "ResolvConfPath": f"{root}/containers/{c.id}/resolv.conf",
        "HostnamePath": f"{root}/containers/{c.id}/hostname",
        "HostsPath": f"{root}/containers/{c.id}/hosts",
        "LogPath": f"{root}/containers/{c.id}/{c.id}-json.log",
        "Name": "/" + c.name,
        "RestartCount": c.restart_count,
        "Driver": gd.get("Name", "overlay2"),
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "",
        "ExecIDs": None,
        "HostConfig": {
            "Binds": binds,
            "ContainerIDFile": "",
            "LogConfig": {"Type": "json-file", "Config": {}},
            "NetworkMode": "bridge",
            "PortBindings": {},
            "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
            "AutoRemove": bool(c.auto_remove),
            "VolumeDriver": "",
            "VolumesFrom": list(c.volumes_from) or None,
            "ConsoleSize": [0, 0],
            "CapAdd": None,
            "CapDrop": None,
            "CgroupnsMode": "private",
            "Dns": [],
            "DnsOptions": [],
            "DnsSearch": [],
            "ExtraHosts": None,
            "GroupAdd": None,
            "IpcMode": "private",
            "Cgroup": "",
            "Links": None,
            "OomScoreAdj": 0,
            "PidMode": "",
            "Privileged": False,
            "PublishAllPorts": False,
            "ReadonlyRootfs": bool(c.read_only),
            "SecurityOpt": None,
            **({"Tmpfs": tmpfs} if tmpfs else {}),
            "UTSMode": "",
            "UsernsMode": "",
            "ShmSize": 67108864,
            "Runtime": "runc",
            "Isolation": "",
            **({"Mounts": hc_mounts} if hc_mounts else {}),
        },
        "GraphDriver": gd,
    }
    if size:
        s = engine.size(c.id)
        doc["SizeRw"] = s.rw
        doc["SizeRootFs"] = s.root_fs
    doc["Mounts"] = mounts_of(c, engine)
    doc["Config"] = {
        "Hostname": c.id[:12],
        "Domainname": "",
        "User": c.user or "",
        "AttachStdin": False,
        "AttachStdout": False,
        "AttachStderr": False,
        **({"ExposedPorts": cfg.to_json().get("ExposedPorts")} if cfg.exposed_ports else {}),
        "Tty": False,
        "OpenStdin": False,
        "StdinOnce": False,
        "Env": config_env(c) or None,
        "Cmd": list(c.argv) or None,
        "Image": c.image_ref,
        "Volumes": cfg_volumes or None,
        "WorkingDir": c.working_dir if c.working_dir not in ("/",) or cfg.working_dir else "",
        "Entrypoint": list(c.entrypoint) or None,
        "OnBuild": None,
        "Labels": dict(c.labels or {}),
    }
    if c.stop_signal not in ("SIGTERM", "", None):
        doc["Config"]["StopSignal"] = c.stop_signal
    doc["NetworkSettings"] = {
        "Bridge": "",
        "SandboxID": "",
        "SandboxKey": "",
        "Ports": {},
        "HairpinMode": False,
        "LinkLocalIPv6Address": "",
        "LinkLocalIPv6PrefixLen": 0,
        "SecondaryIPAddresses": None,
        "SecondaryIPv6Addresses": None,
        "EndpointID": "",
        "Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "IPAddress": "",
        "IPPrefixLen": 0,
        "IPv6Gateway": "",
        "MacAddress": "",
        "Networks": {
            "bridge": {
                "IPAMConfig": None, "Links": None, "Aliases": None, "MacAddress": "",
                "DriverOpts": None, "NetworkID": "", "EndpointID": "", "Gateway": "",
                "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "", "GlobalIPv6Address": "",
                "GlobalIPv6PrefixLen": 0, "DNSNames": None,
            }
        },
    }
    return doc


# ---------------------------------------------------------------------- images
def image_summaries(engine, all: bool = False) -> list[dict]:
    """``GET /images/json``: one summary per image (tags grouped), newest first."""
    seen: dict[str, dict] = {}
    order: list[str] = []
    for tag, img in engine.images(all=all):
        s = seen.get(img.id)
        if s is None:
            s = {"Id": img.id, "ParentId": img.parent or "", "RepoTags": [], "RepoDigests": list(engine.repo_digests.get(img.id, [])),
                 "Created": img.created // NS, "Size": engine.hooks.image_size(img), "SharedSize": -1,
                 "Labels": None, "Containers": -1}
            seen[img.id] = s
            order.append(img.id)
        if tag:
            s["RepoTags"].append(tag)
    return [seen[i] for i in order]
