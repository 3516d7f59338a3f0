"""The Go side of docker's output: API documents as the Go values ``--format`` templates see
(nil slices, nil maps, structs in field order) and JSON as Go's ``MarshalIndent`` writes it."""
from __future__ import annotations

from .gotemplate import NilDict, NilList

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
    from .gotemplate import _json_str as js
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
        from .gotemplate import go_json
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
