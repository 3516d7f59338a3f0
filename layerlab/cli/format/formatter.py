"""docker/cli's formatter package: table/JSON/template output, IDs, ellipsis, times.

A *context* object (``ContainerContext``, ``ImageContext``...) exposes docker's template fields
as methods (``{{.ID}}`` calls ``ID()``), and ``_raw_json()`` gives what docker's reflective
``MarshalJSON`` would (every exported no-argument method, HTML-escaped by ``json.Marshal``).
:func:`write` is docker's ``formatter.Context.Write``: ``table`` formats go through the
tabwriter (min width 10, padding 3) with a header rendered from the context's header map.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from . import gotemplate as gt
from ...units import human_duration_ns, human_size, human_size_with_precision

NS = 1_000_000_000

TABLE = "table"
RAW = "raw"
JSON = "json"


class FormatError(Exception):
    """A template failed; ``str()`` is what docker prints."""


# ---------------------------------------------------------------------- small helpers
from .textfmt import HeaderContext, ellipsis, format_table, is_table, pre_format, truncate_id  # noqa: E402,F401


def go_quote(s: str) -> str:
    return gt.go_quote(s)


def since(created_ns: int, now_ns: int) -> str:
    """``units.HumanDuration(now - created) + " ago"``."""
    return human_duration_ns(now_ns - created_ns) + " ago"


def floor_sec(ns: int) -> int:
    """The API gives list ``Created`` fields in whole seconds."""
    return ns // NS


def _local(sec: int, tz: tzinfo | None) -> datetime:
    if tz is None:
        return datetime.fromtimestamp(sec).astimezone()
    return datetime.fromtimestamp(sec, tz)


def go_time_string(sec: int, tz: tzinfo | None = None) -> str:
    """Go ``time.Unix(sec, 0).String()``: ``2026-11-28 20:38:52 +0000 UTC``."""
    d = _local(sec, tz)
    off = d.utcoffset() or timedelta(0)
    mins = int(off.total_seconds()) // 60
    sign = "-" if mins < 0 else "+"
    mins = abs(mins)
    name = d.tzname() or ""
    if not name or name[0] in "+-" or name.startswith("UTC") and name != "UTC":
        name = f"{sign}{mins // 60:02d}{mins % 60:02d}"
    return d.strftime("%Y-%m-%d %H:%M:%S") + f" {sign}{mins // 60:02d}{mins % 60:02d} {name}"


def rfc3339(sec: int, tz: tzinfo | None = None) -> str:
    """Go ``time.Unix(sec, 0).Format(time.RFC3339)`` in the local zone."""
    d = _local(sec, tz)
    off = d.utcoffset() or timedelta(0)
    if not off:
        return d.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    mins = int(off.total_seconds()) // 60
    sign = "-" if mins < 0 else "+"
    mins = abs(mins)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{mins // 60:02d}:{mins % 60:02d}"


UTC = timezone.utc


# ---------------------------------------------------------------------- template plumbing
def _json_func(v):
    raw = getattr(v, "_raw_json", None)
    if raw is not None and callable(raw):
        return gt.go_json(raw(), escape_html=True)
    try:
        return gt.go_json(v, escape_html=False)
    except ValueError:
        return ""


FUNCS = dict(gt.BASIC_FUNCS)
FUNCS["json"] = gt._Func(_json_func, ("any",))


def parse(text: str) -> gt.Template:
    return gt.Template(text, "", FUNCS)


class Context:
    """A formatter sub-context. Subclasses list their header names in ``HEADER``."""

    HEADER: dict[str, str] = {}

    def _raw_json(self) -> dict:
        out = {}
        for name in dir(type(self)):
            if not name[:1].isupper() or name in ("FullHeader", "HEADER"):
                continue
            attr = getattr(self, name)
            if not callable(attr):
                continue
            try:
                out[name] = attr()
            except TypeError:
                continue        # methods with arguments (Label) are not marshalled
        return out


prepare = pre_format      # formatter.Context.preFormat (is_table: Format.IsTable, imported)


def write(fmt: str, rows, header: dict[str, str] | None = None) -> str:
    """formatter.Context.Write (one implementation: :func:`layerlab.cli.format.textfmt.format_table`) with
    the CLI's template functions; a failing template prints nothing, the error says why."""
    try:
        return format_table(fmt, rows, header, funcs=FUNCS)
    except gt.TemplateError as exc:
        raise FormatError(str(exc)) from None


# ---------------------------------------------------------------------- contexts
class ContainerContext(Context):
    HEADER = {
        "ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND",
        "CreatedAt": "CREATED AT", "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE",
        "Status": "STATUS", "Size": "SIZE", "Labels": "LABELS", "Mounts": "MOUNTS",
        "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS", "Platform": "PLATFORM",
    }

    def __init__(self, summary: dict, trunc: bool, now_ns: int, tz=None):
        self.c = summary
        self.trunc = trunc
        self.now_ns = now_ns
        self.tz = tz
        self.fields_used: set[str] = set()

    def ID(self) -> str:
        return truncate_id(self.c["Id"]) if self.trunc else self.c["Id"]

    def Names(self) -> str:
        names = [n.lstrip("/") for n in self.c["Names"]]
        if self.trunc:
            for n in names:
                if "/" not in n:
                    return n
            return ""
        return ",".join(names)

    def Image(self) -> str:
        image = self.c["Image"]
        if not image:
            return "<no image>"
        if not self.trunc:
            return image
        if truncate_id(self.c["ImageID"]) == truncate_id(image):
            return truncate_id(image)
        return familiar(image)

    def Command(self) -> str:
        cmd = self.c["Command"]
        if self.trunc:
            cmd = ellipsis(cmd, 20)
        return go_quote(cmd)

    def CreatedAt(self) -> str:
        return go_time_string(self.c["Created"], self.tz)

    def RunningFor(self) -> str:
        return since(self.c["Created"] * NS, self.now_ns)

    def Platform(self):
        return None

    def Ports(self) -> str:
        return ""

    def State(self) -> str:
        return self.c["State"]

    def Status(self) -> str:
        return self.c["Status"]

    def Size(self) -> str:
        self.fields_used.add("Size")
        srw = human_size_with_precision(self.c.get("SizeRw", 0), 3)
        root = self.c.get("SizeRootFs", 0)
        if root > 0:
            return f"{srw} (virtual {human_size_with_precision(root, 3)})"
        return srw

    def Labels(self) -> str:
        labels = self.c.get("Labels") or {}
        return ",".join(sorted(f"{k}={v}" for k, v in labels.items()))

    def Label(self, name: str) -> str:
        return (self.c.get("Labels") or {}).get(name, "")

    def Mounts(self) -> str:
        out = []
        for m in self.c.get("Mounts") or []:
            name = m.get("Name") or m.get("Source", "")
            if self.trunc:
                name = ellipsis(name, 15)
            out.append(name)
        return ",".join(out)

    def LocalVolumes(self) -> str:
        return str(sum(1 for m in self.c.get("Mounts") or [] if m.get("Driver") == "local"))

    def Networks(self) -> str:
        return ",".join(self.c.get("Networks", ["bridge"]))


ContainerContext.__name__ = "*formatter.ContainerContext"


def familiar(ref: str) -> str:
    for prefix in ("docker.io/library/", "docker.io/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


class ImageContext(Context):
    HEADER = {
        "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
        "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE",
        "Containers": "CONTAINERS", "VirtualSize": "SIZE", "SharedSize": "SHARED SIZE",
        "UniqueSize": "UNIQUE SIZE",
    }

    def __init__(self, summary: dict, repo: str, tag: str, digest: str, trunc: bool, now_ns: int, tz=None):
        self.i = summary
        self.repo, self.tag, self.digest = repo, tag, digest
        self.trunc = trunc
        self.now_ns = now_ns
        self.tz = tz

    def ID(self) -> str:
        return truncate_id(self.i["Id"]) if self.trunc else self.i["Id"]

    def Repository(self) -> str:
        return self.repo

    def Tag(self) -> str:
        return self.tag

    def Digest(self) -> str:
        return self.digest

    def CreatedSince(self) -> str:
        return since(self.i["Created"] * NS, self.now_ns)

    def CreatedAt(self) -> str:
        return go_time_string(self.i["Created"], self.tz)

    def Size(self) -> str:
        return human_size_with_precision(self.i["Size"], 3)

    def Containers(self) -> str:
        n = self.i.get("Containers", -1)
        return "N/A" if n == -1 else str(n)

    def VirtualSize(self) -> str:
        return human_size(self.i["Size"])

    def SharedSize(self) -> str:
        s = self.i.get("SharedSize", -1)
        return "N/A" if s == -1 else human_size(s)

    def UniqueSize(self) -> str:
        s = self.i.get("SharedSize", -1)
        if self.i["Size"] == -1 or s == -1:
            return "N/A"
        return human_size(self.i["Size"] - s)


ImageContext.__name__ = "*formatter.imageContext"


class HistoryContext(Context):
    HEADER = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
              "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"}

    def __init__(self, row, trunc: bool, human: bool, now_ns: int, tz=None):
        self.h = row
        self.trunc = trunc
        self.human = human
        self.now_ns = now_ns
        self.tz = tz

    def ID(self) -> str:
        return truncate_id(self.h.id) if self.trunc and self.h.id != "<missing>" else self.h.id

    def CreatedAt(self) -> str:
        return rfc3339(floor_sec(self.h.created), self.tz)

    def CreatedSince(self) -> str:
        if not self.human:
            return self.CreatedAt()
        sec = floor_sec(self.h.created)
        if sec <= 946684800:          # 2000-01-01
            return ""
        return since(sec * NS, self.now_ns)

    def CreatedBy(self) -> str:
        by = self.h.created_by.replace("\t", " ")
        return ellipsis(by, 45) if self.trunc else by

    def Size(self) -> str:
        if self.human:
            return human_size_with_precision(self.h.size, 3)
        return str(self.h.size)

    def Comment(self) -> str:
        return self.h.comment


HistoryContext.__name__ = "*image.historyContext"


class VolumeContext(Context):
    HEADER = {"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE",
              "Mountpoint": "MOUNTPOINT", "Labels": "LABELS", "Links": "LINKS", "Size": "SIZE",
              "Group": "GROUP", "Availability": "AVAILABILITY", "Status": "STATUS"}

    def __init__(self, v: dict, trunc: bool = True):
        self.v = v
        self.trunc = trunc

    def Name(self) -> str:
        return self.v["Name"]

    def Driver(self) -> str:
        return self.v.get("Driver", "local")

    def Scope(self) -> str:
        return self.v.get("Scope", "local")

    def Mountpoint(self) -> str:
        return self.v.get("Mountpoint", "")

    def Labels(self) -> str:
        labels = self.v.get("Labels") or {}
        return ",".join(sorted(f"{k}={v}" for k, v in labels.items()))

    def Label(self, name: str) -> str:
        return (self.v.get("Labels") or {}).get(name, "")

    def Links(self) -> str:
        u = self.v.get("UsageData")
        return "N/A" if not u else str(u.get("RefCount", -1))

    def Size(self) -> str:
        u = self.v.get("UsageData")
        if not u or u.get("Size", -1) == -1:
            return "N/A"
        return human_size(u["Size"])

    def Group(self) -> str:
        return "N/A"

    def Availability(self) -> str:
        return "N/A"

    def Status(self) -> str:
        return "N/A"


VolumeContext.__name__ = "*formatter.volumeContext"


class _DUBase(Context):
    HEADER = {"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE",
              "Reclaimable": "RECLAIMABLE"}


def _pct(reclaimable: int, total: int) -> str:
    if total > 0:
        return f"{human_size(reclaimable)} ({reclaimable * 100 // total}%)"
    return human_size(reclaimable)


class DUImages(_DUBase):
    def __init__(self, total_size: int, images: list[dict]):
        self.total_size, self.images = total_size, images

    def Type(self):
        return "Images"

    def TotalCount(self):
        return str(len(self.images))

    def Active(self):
        return str(sum(1 for i in self.images if i["Containers"] > 0))

    def Size(self):
        return human_size(self.total_size)

    def Reclaimable(self):
        used = sum(i["Size"] - i["SharedSize"] for i in self.images
                   if i["Containers"] != 0 and i["Size"] != -1 and i["SharedSize"] != -1)
        return _pct(self.total_size - used, self.total_size)


class DUContainers(_DUBase):
    def __init__(self, containers: list[dict]):
        self.containers = containers

    @staticmethod
    def _active(c):
        return any(s in c["State"] for s in ("running", "paused", "restarting"))

    def Type(self):
        return "Containers"

    def TotalCount(self):
        return str(len(self.containers))

    def Active(self):
        return str(sum(1 for c in self.containers if self._active(c)))

    def Size(self):
        return human_size(sum(c.get("SizeRw", 0) for c in self.containers))

    def Reclaimable(self):
        total = sum(c.get("SizeRw", 0) for c in self.containers)
        rec = sum(c.get("SizeRw", 0) for c in self.containers if not self._active(c))
        return _pct(rec, total)


class DUVolumes(_DUBase):
    def __init__(self, volumes: list[dict]):
        self.volumes = volumes

    def Type(self):
        return "Local Volumes"

    def TotalCount(self):
        return str(len(self.volumes))

    def Active(self):
        return str(sum(1 for v in self.volumes if v["UsageData"]["RefCount"] > 0))

    def Size(self):
        return human_size(sum(v["UsageData"]["Size"] for v in self.volumes if v["UsageData"]["Size"] != -1))

    def Reclaimable(self):
        total = sum(v["UsageData"]["Size"] for v in self.volumes if v["UsageData"]["Size"] != -1)
        rec = sum(v["UsageData"]["Size"] for v in self.volumes
                  if v["UsageData"]["Size"] != -1 and v["UsageData"]["RefCount"] == 0)
        return _pct(rec, total)


class DUBuildCache(_DUBase):
    def __init__(self, size: int, records: list[dict]):
        self.size, self.records = size, records

    def Type(self):
        return "Build Cache"

    def TotalCount(self):
        return str(len(self.records))

    def Active(self):
        return str(sum(1 for r in self.records if r.get("InUse")))

    def Size(self):
        return human_size(self.size)

    def Reclaimable(self):
        in_use = sum(r["Size"] for r in self.records if r.get("InUse") and not r.get("Shared"))
        return human_size(self.size - in_use)


for _cls, _name in ((DUImages, "*formatter.diskUsageImagesContext"),
                    (DUContainers, "*formatter.diskUsageContainersContext"),
                    (DUVolumes, "*formatter.diskUsageVolumesContext"),
                    (DUBuildCache, "*formatter.diskUsageBuilderContext")):
    _cls.__name__ = _name


class BuildCacheContext(Context):
    HEADER = {"ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE",
              "CreatedSince": "CREATED", "LastUsedSince": "LAST USED", "UsageCount": "USAGE",
              "Shared": "SHARED", "InUse": "IN USE", "Parent": "PARENT", "Description": "DESCRIPTION"}
