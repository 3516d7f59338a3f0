"""The daemon's API documents, built from the Engine's values.

The docker CLI formats what the Engine API returns (``container.Summary``, ``image.Summary``,
``ContainerJSON`` ...). These functions build the same shapes from :class:`layerlab.Engine`
values, so the formatter code can follow docker/cli line by line. Nothing here prints.
"""
from __future__ import annotations

from ..clock import rfc3339nano
from ..gotemplate import NilDict, NilList

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
    from ..units import human_duration_ns
    if c.state == "running":
        s = f"Up {human_duration_ns(now_ns - c.started_at)}"
        return s + " (Paused)" if getattr(c, "paused", False) else s
    if c.state == "dead":
        return "Dead"
    if c.state == "created" or not c.started_at:
        return "Created"
    if not c.finished_at:
        return ""
    return f"Exited ({c.exit_code}) {human_duration_ns(now_ns - c.finished_at)} ago"


def state_name(c) -> str:
    if c.state == "running" and getattr(c, "paused", False):
        return "paused"
    return c.state


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


def mounts_of(c, engine=None) -> list[dict]:
    """``MountPoint`` documents of a container's mounts (as the storage layer reports them)."""
    hooks = getattr(engine, "hooks", None)
    if hooks is not None and hasattr(hooks, "container_mounts"):
        return list(hooks.container_mounts(c))
    out = []
    for m in getattr(c, "mounts", None) or []:
        if isinstance(m, dict):
            out.append(m)
            continue
        to_json = getattr(m, "to_json", None)
        if callable(to_json):
            out.append(to_json())
            continue
        kind = getattr(m, "type", "volume")
        doc = {"Type": kind}
        if kind == "volume":
            doc["Name"] = getattr(m, "name", "")
        doc["Source"] = getattr(m, "source", "")
        doc["Destination"] = getattr(m, "target", getattr(m, "destination", ""))
        if kind == "volume":
            doc["Driver"] = "local"
        doc["Mode"] = getattr(m, "mode", "")
        doc["RW"] = not getattr(m, "read_only", False)
        doc["Propagation"] = getattr(m, "propagation", "") if kind == "bind" else ""
        out.append(doc)
    return out


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
    image_env = c.image.config.env_dict() if hasattr(c.image.config, "env_dict") else {}
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
    started = rfc3339nano(c.started_at) if c.started_at and c.state != "created" else ZERO_TIME
    finished = rfc3339nano(c.finished_at) if c.finished_at else ZERO_TIME
    root = "/var/lib/docker"
    gd = None
    hooks = getattr(engine, "hooks", None)
    if hooks is not None and hasattr(hooks, "container_graphdriver"):
        try:
            gd = hooks.container_graphdriver(c)
        except Exception:
            gd = None
    if gd is None:
        gd = {"Data": None, "Name": engine.info().get("Driver", "overlay2")}
    # the requests as the API keeps them (layerlab.storage.host_config_mounts); a Mounted has no
    # ``type``: its request has, and only ``--tmpfs`` requests belong in HostConfig.Tmpfs
    hc = getattr(c, "host_config_mounts", None) or {}
    tmpfs = dict(hc.get("Tmpfs") or {})
    binds = list(hc.get("Binds") or []) or None
    hc_mounts = list(hc.get("Mounts") or [])
    cfg_volumes = dict(cfg.to_json().get("Volumes") or {}) if hasattr(cfg, "to_json") else {}
    for target in hc.get("Volumes") or []:
        cfg_volumes.setdefault(target, {})
    doc = {
        "Id": c.id,
        "Created": rfc3339nano(c.created),
        "Path": argv[0] if argv else "",
        "Args": argv[1:],
        "State": {
            "Status": state_name(c),
            "Running": c.state == "running",
            "Paused": bool(getattr(c, "paused", False)),
            "Restarting": False,
            "OOMKilled": False,
            "Dead": c.state == "dead",
            "Pid": 4242 if c.state == "running" else 0,
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
            "VolumesFrom": list(getattr(c, "volumes_from", None) or ()) or None,
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
        **({"ExposedPorts": cfg.to_json().get("ExposedPorts")} if getattr(cfg, "exposed_ports", None) else {}),
        "Tty": False,
        "OpenStdin": False,
        "StdinOnce": False,
        "Env": config_env(c) or None,
        "Cmd": list(c.argv) or None,
        "Image": c.image_ref,
        "Volumes": cfg_volumes or None,
        "WorkingDir": c.working_dir if c.working_dir not in ("/",) or getattr(cfg, "working_dir", "") else "",
        "Entrypoint": list(c.entrypoint) or None,
        "OnBuild": None,
        "Labels": dict(c.labels or {}),
    }
    if getattr(c, "stop_signal", "SIGTERM") not in ("SIGTERM", "", None):
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
            s = {"Id": img.id, "ParentId": img.parent or "", "RepoTags": [], "RepoDigests": [],
                 "Created": img.created // NS, "Size": engine.hooks.image_size(img), "SharedSize": -1,
                 "Labels": None, "Containers": -1}
            seen[img.id] = s
            order.append(img.id)
        if tag:
            s["RepoTags"].append(tag)
    return [seen[i] for i in order]


# ---------------------------------------------------------------------- Go values for templates
# docker executes ``inspect -f`` templates on the typed Go structs: nil slices print "[]",
# nil maps "map[]", structs "{...}" with fields in declaration order. These keys hold Go maps
# (printed and JSON-encoded with sorted keys); every other JSON object is a struct.
_MAP_KEYS = {"Labels", "Data", "Volumes", "ExposedPorts", "Networks", "Ports", "PortBindings",
             "Options", "DriverOpts", "Tmpfs", "Status", "Config@LogConfig", "Sysctls"}
_LIST_KEYS = {"Env", "Cmd", "Entrypoint", "OnBuild", "Layers", "Args", "Binds", "RepoTags",
              "RepoDigests", "Mounts", "CapAdd", "CapDrop", "Dns", "DnsOptions", "DnsSearch",
              "ExtraHosts", "GroupAdd", "Links", "SecurityOpt", "VolumesFrom", "ExecIDs",
              "Aliases", "DNSNames", "SecondaryIPAddresses", "SecondaryIPv6Addresses",
              "DeviceCgroupRules", "DeviceRequests", "MaskedPaths", "ReadonlyPaths", "Shell"}


class GoStruct:
    """A Go struct value for the template engine: fields in order, ``{a b c}`` when printed."""

    def __init__(self, fields: dict):
        for k, v in fields.items():
            setattr(self, k, v)

    def __repr__(self) -> str:
        return f"GoStruct({vars(self)!r})"


GoStruct.__name__ = "struct"


class HostConfigStruct(GoStruct):
    """``container.HostConfig``: its ``omitempty`` fields the raw JSON leaves out when empty
    (``Tmpfs``, ``Mounts``) still exist on the Go struct, as a nil map / nil slice: a template
    reads ``{{json .HostConfig.Tmpfs}}`` as ``null``, while ``{{json .HostConfig}}`` omits them
    (class attributes: the template finds them, the struct's own fields do not list them)."""

    Tmpfs = NilDict()
    Mounts = NilList()


HostConfigStruct.__name__ = "struct"


def go_value(v, key: str = "", parent: str = ""):
    """JSON-shaped data -> values the template engine treats as docker's Go types."""
    if isinstance(v, dict):
        if key in _MAP_KEYS or f"{key}@{parent}" in _MAP_KEYS:
            return {k: go_value(x, k, key) for k, x in v.items()}
        if key == "HostConfig":
            return HostConfigStruct({k: go_value(x, k, key) for k, x in v.items()})
        return GoStruct({k: go_value(x, k, key) for k, x in v.items()})
    if isinstance(v, list):
        return [go_value(x, key, parent) for x in v]
    if v is None:
        if key in _LIST_KEYS:
            return NilList()
        if key in _MAP_KEYS:
            return NilDict()
    return v


# ---------------------------------------------------------------------- JSON like Go's MarshalIndent
def _json_str(s: str) -> str:
    from ..gotemplate import _json_str as js
    return js(s, True)


def marshal_indent(v, indent: str = "    ", level: int = 0) -> str:
    """Go ``json.MarshalIndent(v, "", indent)`` for JSON-shaped Python data (insertion order)."""
    pad = indent * (level + 1)
    end = indent * level
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        from ..gotemplate import go_json
        return go_json(v)
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        return "[\n" + ",\n".join(pad + marshal_indent(x, indent, level + 1) for x in v) + "\n" + end + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(f"{pad}{_json_str(str(k))}: {marshal_indent(x, indent, level + 1)}"
                                   for k, x in v.items()) + "\n" + end + "}"
    raise TypeError(f"cannot marshal {type(v).__name__}")
