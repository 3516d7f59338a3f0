"""Writes notebooks/04-exploring-filesystems.ipynb from the cells below (sources only; run
``python -m tests.notebooks.refresh notebooks/04-exploring-filesystems.ipynb`` afterwards to
store the outputs). Kept next to the chapter's tests so the notebook can be regenerated."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "notebooks" / "04-exploring-filesystems.ipynb"

CELLS: list[tuple[str, str, dict | None]] = []


def md(src: str, nbg: dict | None = None) -> None:
    CELLS.append(("markdown", src.strip("\n"), nbg))


def code(src: str, nbg: dict | None = None) -> None:
    CELLS.append(("code", src.strip("\n"), nbg))


def locked(gid: str) -> dict:
    return {"grade": False, "grade_id": gid, "locked": True, "schema_version": 3, "solution": False}


def answer(gid: str) -> dict:
    return {"grade": False, "grade_id": gid, "locked": False, "schema_version": 3, "solution": True}


def tests(gid: str, points: int) -> dict:
    return {"grade": True, "grade_id": gid, "locked": True, "points": points, "schema_version": 3,
            "solution": False}


def written(gid: str, points: int) -> dict:
    return {"grade": True, "grade_id": gid, "locked": False, "points": points, "schema_version": 3,
            "solution": True}


# =====================================================================================
md("""
# Chapter 4 · Exploring a container's filesystem

**Time:** about 60 minutes · **Prerequisites:** [Chapter 1 · The Layer Architecture](01-layer-architecture.ipynb),
[Chapter 2 · Copy-on-Write](02-copy-on-write.ipynb) and [Chapter 3 · Storage Drivers](03-storage-drivers.ipynb)

An [image](glossary.md#image) is a stack of read-only [layers](glossary.md#layer), and a
[container](glossary.md#container) adds one thin [writable layer](glossary.md#writable-layer) on top.
This chapter is about *looking*: which commands show you the layers of an image, what each one
holds, what a container has changed, how much disk all of it really takes, and where an image
wastes bytes. Each command of the course material's section "Exploring Container Filesystem" is
run live on the engine, and where the material's sample output differs from what Docker prints
today, we say how and why.

Back to [the course start page](00-start-here.ipynb).
""")

md("""
## What you will be able to do

By the end of this chapter you can:

1. **read** an image's diff_id list and every column of `docker image history`, and explain
   `<missing>`, `#(nop)`, `# buildkit` and the `…` at 45 characters;
2. **predict** the exact lines `docker diff` prints (A, C, D) for a sequence of commands;
3. **compute** how much disk containers really use from `docker ps -s` and `docker system df -v`,
   and print a size the way Docker does;
4. **find** the wasted bytes of an image layer by layer, and say why each one is wasted;
5. **rewrite** a wasteful Dockerfile and **measure** how much smaller and more efficient it got.
""")

md("""
## Contents

1. [The layers of an image](#1.-The-layers-of-an-image)
2. [Reading docker history](#2.-Reading-docker-history)
3. [What a container changed](#3.-What-a-container-changed)
4. [How big is a container](#4.-How-big-is-a-container)
5. [Where the bytes of an image go](#5.-Where-the-bytes-of-an-image-go)
6. [Fixing a wasteful Dockerfile](#6.-Fixing-a-wasteful-Dockerfile)
7. [Try it in the image explorer](#7.-Try-it-in-the-image-explorer)
8. [Exercises](#Exercises): predict `docker diff`, print sizes like Docker, slim a Dockerfile,
   explain virtual size
9. [Key takeaways](#Key-takeaways)

Run the cells from top to bottom (**Shift + Enter**); later cells use what earlier ones made.
""")

code("""
# Setup: layerlab's engine plays the part of the Docker daemon,
# and the %docker command sends docker commands to it.
from layerlab import Engine, magic, render

docker = Engine()
magic.use(docker)
%load_ext layerlab.magic
""", locked("setup"))

md("""
As in the earlier chapters, `%docker …` runs a **docker command** and prints what Docker would
print, and `docker.something(...)` asks the engine from **Python** for values to compute with.
Some of Docker's tables are wide: hide the file browser on the left (**Ctrl + B**) to see each row
on one line.
""")

# ------------------------------------------------------------------------------------- 1
md("""
## 1. The layers of an image

The material's first command looks at the layers of `nginx:alpine`, a small web server image.
Let us [pull](glossary.md#pull) it first (layerlab's images come from a built-in catalog instead
of a registry, so this works offline):
""")

code("""
%docker pull nginx:alpine
""")

md("""
Each `Pull complete` line is one layer being downloaded. Now the material's command. Its
`--format '{{json .RootFS.Layers}}'` picks one field of the image's description and prints it
as JSON:
""")

code("""
%docker image inspect nginx:alpine --format '{{json .RootFS.Layers}}'
""")

md("""
Docker prints it on one line. The material pipes that line into `python3 -m json.tool`, a small
program *on your computer* (not in Docker) that re-prints JSON with one item per line. `%docker`
runs docker commands only: there is no shell here, so it has no pipe `|` and cannot start a host
program. The Python equivalent does the same two steps: run the docker command and keep what it
prints (`layerlab.cli.run` returns the exit status, stdout and stderr), then indent the JSON by
four spaces, which is exactly what `json.tool` does:
""")

code("""
import json
from layerlab.cli import run

status, out, err = run("docker image inspect nginx:alpine --format '{{json .RootFS.Layers}}'", docker)
print(json.dumps(json.loads(out), indent=4))      # = ... | python3 -m json.tool
""")

md("""
What does this list tell you?

* **How many layers** the image has — seven — and their **order**: the first line is the bottom
  layer, the last one the top.
* **Which content** each layer has, by fingerprint: each entry is a [diff_id](glossary.md#diff-id),
  the SHA-256 of the layer's uncompressed tar archive. The same files give the same diff_id on any
  machine.
* **What images share.** `nginx:alpine` was built `FROM alpine`, so its bottom layer should be
  alpine's only layer. Let us check:
""")

code("""
%docker pull alpine:3.19
""")

code("""
nginx, alpine = docker.image("nginx:alpine"), docker.image("alpine:3.19")
print("alpine:3.19 layers:", alpine.diff_ids)
print("same bottom layer: ", nginx.diff_ids[0] == alpine.diff_ids[0])
""")

md("""
Look at the pull above: `e3af27f46b0f: Already exists`. Docker did not download alpine's layer
again, because `nginx:alpine` had brought the very same layer (same diff_id, same
[chain ID](glossary.md#chain-id)) and it
is stored once for both images.

What the list does **not** tell you: which Dockerfile instruction made each layer, when, and how
big it is. That is what `docker image history` is for.
""")

md("""
**Quick check.** The diff_id list of an image you built has 5 entries and its base image's has 3.
How many layers did your Dockerfile add, and where are they in the list?

<details><summary>Show the answer</summary>

Two, and they are the **last two** entries: the list goes from the bottom layer (first) to the top
layer (last), and the base image's three layers come first, in the same order and with the same
diff_ids.
</details>
""")

# ------------------------------------------------------------------------------------- 2
md("""
## 2. Reading docker history

`docker image history` (or `docker history`) lists the image's
[history entries](glossary.md#history-entry), **newest first**: one per instruction of the
Dockerfile that made it, and of the Dockerfiles of the images below it.
""")

code("""
%docker image history nginx:alpine
""")

md("""
Reading the columns:

| column | what it is |
|---|---|
| **IMAGE** | the ID of the image this row *is*, if it is one: only the top row here; the others say `<missing>` (see below) |
| **CREATED** | how long ago the instruction ran, by the engine's clock ("22 months ago": the model follows the real image of February 2024) |
| **CREATED BY** | the instruction, as the builder recorded it, cut to 45 characters |
| **SIZE** | the size of the layer this instruction made; `0B` for instructions that only change settings and make no layer |
| **COMMENT** | a note from the builder: `buildkit.dockerfile.v0` for rows [BuildKit](glossary.md#buildkit) wrote, empty for older ones |

**Why `<missing>`?** Only the top row is an image of its own. With the classic builder, every
build step used to leave an intermediate image behind, and `docker history` could name each row
by it (the image's *Parent*, then its parent, …). A pulled image comes without those
intermediate images, and BuildKit never makes them, so every row below the top one has no image
to name: `<missing>` means "no image on this machine is this step", not that something is broken.

**Why the `…`?** Docker cuts CREATED BY to 45 columns, 44 characters plus `…`, to keep the table
readable. `--no-trunc` prints everything (and full 64-digit IDs). The `RUN` row of this image is
a whole shell script. With a `--format` template we print just each row's SIZE and its whole
CREATED BY:
""")

code("""
%docker image history --no-trunc --format '{{.Size}}  {{.CreatedBy}}' nginx:alpine
""")

md("""
That `RUN` row is long: a real Dockerfile line with a dozen commands joined by `&&`. In Python the
rows are values, so we can measure them:
""")

code("""
for row in docker.history("nginx:alpine"):
    if row.size:
        print(f"{len(row.created_by):5} characters  {row.created_by[:60]}")
""")

md("""
**The two markers.** Look at the bottom two rows: they start with `/bin/sh -c #(nop)`. That is how
the classic builder recorded instructions it did not run in a shell (`#(nop)` means "no
operation", see [#(nop)](glossary.md#nop)): `alpine:3.19` was built that way, and its rows have an
empty COMMENT. The rows above were written by BuildKit: it appends ` # buildkit` to the
instructions that made a layer (`RUN`, `COPY`, `ADD`) and writes settings (`ENV`, `CMD`,
`EXPOSE` …) as plain Dockerfile text.
""")

md("""
### The material's sample, line by line

The course material shows this output:

```
IMAGE CREATED CREATED BY SIZE
a1b2c3d4e5f6 2 weeks ago CMD ["nginx" "-g" "daemon off;"] 0B
<missing> 2 weeks ago EXPOSE map[80/tcp:{}] 0B
<missing> 2 weeks ago COPY docker-entrypoint.sh / 4.62kB
<missing> 2 weeks ago RUN /bin/sh -c set -x && addgroup... 26.8MB
<missing> 3 weeks ago /bin/sh -c #(nop) ADD file:... 7.38MB
```

Here is each of its lines next to the engine's (the engine's lines are taken from the output above):
""")

code("""
_, out, _ = run("docker image history nginx:alpine", docker)
engine_lines = out.decode().splitlines()

def engine_line(text):
    return next(line for line in engine_lines if text in line)

comparison = [
    ("IMAGE CREATED CREATED BY SIZE", engine_line("COMMENT"),
     "Docker prints a fifth column, COMMENT; the material left it out."),
    ('a1b2c3d4e5f6 2 weeks ago CMD ["nginx" "-g" "daemon off;"] 0B', engine_line('CMD ["nginx"'),
     "a1b2c3d4e5f6 is a made-up ID; the real one is the image's. The age depends on the day you look."),
    ("<missing> 2 weeks ago EXPOSE map[80/tcp:{}] 0B", engine_line("EXPOSE"),
     "The same: this image was built by an older BuildKit, which wrote the port set as a Go map."),
    ("<missing> 2 weeks ago COPY docker-entrypoint.sh / 4.62kB", engine_line("COPY docker-entrypoint.sh"),
     "BuildKit adds ' # buildkit' to rows that made a layer; the material dropped it."),
    ("<missing> 2 weeks ago RUN /bin/sh -c set -x && addgroup... 26.8MB", engine_line("RUN /bin/sh"),
     "Docker keeps the script's runs of spaces and cuts at 45 columns with one '…' character."),
    ("<missing> 3 weeks ago /bin/sh -c #(nop) ADD file:... 7.38MB", engine_line("ADD file:"),
     "The base layer's row: the classic builder's '#(nop)' form, cut the same way, no COMMENT."),
]
for material, engine, why in comparison:
    print("material:", material)
    print("engine:  ", engine.rstrip())
    print("why:     ", why, end="\\n\\n")
print(f"The material also leaves out {len(engine_lines) - len(comparison)} of the engine's "
      f"{len(engine_lines) - 1} rows: LABEL, the ENVs, four more COPYs, ENTRYPOINT, STOPSIGNAL and alpine's CMD.")
""")

md("""
About `EXPOSE map[80/tcp:{}]`: BuildKit writes the EXPOSE row by printing a Go value with `%v`.
When `nginx:alpine` was built (BuildKit of early 2024) that value was a *map* from port to
nothing, printed `map[80/tcp:{}]`; the BuildKit inside Docker Engine 20.10 still writes it that
way (we checked on Debian's Engine 20.10). Current BuildKit passes a *list* of ports, printed
`[80/tcp]` (moby/buildkit, `frontend/dockerfile/dockerfile2llb/convert_expose.go`, `dispatchExpose`).
So an image you build today says `EXPOSE [80/tcp]` — the engine models the current BuildKit:
""")

code("""
docker.build("FROM nginx:alpine\\nEXPOSE 80\\n", tag="web-expose")
%docker image history web-expose --format '{{.CreatedBy}}'
""")

md("""
The top row is ours, `EXPOSE [80/tcp]`; the second one is nginx's own, still `EXPOSE map[80/tcp:{}]`:
history rows are stored in the image and never rewritten.

**Quick check.** You build an image with BuildKit `FROM alpine:3.19` and two `RUN` lines. How many
rows of `docker history` show an image ID?

<details><summary>Show the answer</summary>

One, the top row. BuildKit makes no intermediate images, and alpine's rows come from a pulled
image, so every other row says `<missing>`.
</details>
""")

# ------------------------------------------------------------------------------------- 3
md("""
## 3. What a container changed

[`docker diff`](glossary.md#docker-diff) compares a container's files with its image and prints
one line per path that differs: **A** added, **C** changed, **D** deleted. Start a web server
from `nginx:alpine` and look right away:
""")

code("""
%docker run -d --name web nginx:alpine
%docker diff web
""")

md("""
The container has not been touched yet, but **nginx itself** wrote files when it started: its
process ID in `/run/nginx.pid`, and five working folders under `/var/cache/nginx`. Those are `A`.
Their parent folders are `C`: a folder counts as changed when something inside it changed.

Now let us change things on purpose — add a page, edit the config, delete one file and one whole
folder, and create a folder tree:
""")

code("""
%docker exec web sh -c "echo '<h1>hello</h1>' > /usr/share/nginx/html/hello.html"
%docker exec web sh -c "echo '# tuned' >> /etc/nginx/nginx.conf"
%docker exec web rm /etc/nginx/conf.d/default.conf
%docker exec web rm -r /docker-entrypoint.d
%docker exec web mkdir -p /srv/data/cache
%docker diff web
""")

md("""
Read it with these rules (moby's `ChangesDirs`, which every storage driver uses today):

| mark | meaning | here |
|---|---|---|
| **A** | the path is new; **every child of a new folder is listed too** | `A /srv`, `A /srv/data`, `A /srv/data/cache` |
| **C** | the path exists in both but its type, permissions, owner, size or modification time differ; **a folder with any change inside is C**, before its children | `C /etc/nginx/nginx.conf` (appended to), and the parents `C /etc`, `C /usr`, `C /usr/share` … |
| **D** | the path is gone; **the children of a deleted folder are not listed** | `D /docker-entrypoint.d` is one line, although the folder held four scripts |

Three more things to know:

* A folder's own size and time are not compared (they change whenever a child comes or goes),
  and file *contents* are never compared: only what `ls -l` would show.
* **The order means nothing.** Docker walks the tree depth first, and inside one folder it prints
  the present children before the deleted ones — but the order of siblings comes from a Go map,
  which is random each time. Run `docker diff` twice on real Docker and lines can swap places.
  layerlab sorts siblings by name so that this notebook prints the same thing every time. When
  you compare two diffs, compare them as **sets** of lines.
* Files Docker itself puts in every container (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`)
  are part of the starting point, so they never show.

From Python, the lines are values (`kind` and `path`):
""")

code("""
changes = docker.diff("web")
print(len(changes), "changes:", sorted({c.kind for c in changes}))
print([str(c) for c in changes if c.kind == "D"])
""")

md("""
### Where the writable layer lives on disk

On a Linux machine with the [overlay2](glossary.md#overlay2) storage driver (Chapter 3), each
layer is a folder under `/var/lib/docker/overlay2/`, and `docker inspect` tells you which ones a
container uses:
""")

code("""
_, out, _ = run("docker inspect web --format '{{json .GraphDriver.Data}}'", docker)
dirs = json.loads(out)
print("UpperDir: ", dirs["UpperDir"])
print("MergedDir:", dirs["MergedDir"])
print("LowerDir, top first:")
for lower in dirs["LowerDir"].split(":"):
    print("   ", lower)
""")

md("""
* **UpperDir** is the container's writable layer (the [upperdir](glossary.md#upperdir)): every file
  `docker diff` just listed as A or C is in there, and a D is a whiteout in there.
* **LowerDir** lists the read-only layers under it ([lowerdir](glossary.md#lowerdir)), top first:
  the container's own `-init` layer (where Docker puts `/etc/hosts` and its friends), then the
  seven layers of `nginx:alpine`.
* **MergedDir** is the one folder the container sees, all of them stacked
  ([merged directory](glossary.md#merged-dir)).

The long folder names are random [cache IDs](glossary.md#cache-id), not diff_ids: Docker's layer
database maps each layer's chain ID to its folder. (On Docker Desktop these folders are inside a
virtual machine, so you cannot browse them directly.)
""")

md("""
**Quick check.** A container runs `mkdir /opt/tmp && rm -r /opt/tmp`. What does `docker diff`
print for it?

<details><summary>Show the answer</summary>

Nothing. `/opt/tmp` is gone again, so it is neither added nor deleted, and `/opt` itself is only
reported when something inside it differs from the image — nothing does (a folder's own time is
not compared).
</details>
""")

# ------------------------------------------------------------------------------------- 4
md("""
## 4. How big is a container

`docker ps -s` (`--size`) adds a SIZE column to the list of containers:
""")

code("""
%docker ps -s
""")

md("""
The column holds two numbers, `SIZE (virtual VIRTUAL)`:

* **SIZE** is the container's writable layer alone: the bytes of every file it added or copied up
  (here `nginx.pid`, `hello.html`, and the *whole* `nginx.conf`, copied up when we appended one line
  to it — see [copy-up](glossary.md#copy-up) in Chapter 2);
* **virtual** ([virtual size](glossary.md#virtual-size)) is that plus the whole image underneath:
  what the container *sees*, not what it *owns*.

The same two numbers from Python (Docker's API calls them `SizeRw` and `SizeRootFs`):
""")

code("""
docker.size("web")
""")

md("""
### Ten containers are not ten images

Start nine more web servers from the same image:
""")

code("""
for i in range(2, 11):
    docker.run("nginx:alpine", name=f"web{i}", detach=True)
%docker ps -s --format 'table {{.Names}}\\t{{.Size}}'
""")

md("""
If you add up the *virtual* sizes you get ten times the image. But the image's layers are on disk
**once**, shared read-only by all ten; each container owns only its writable layer. Let us add
both ways:
""")

code("""
sizes = [docker.size(c.name) for c in docker.ps()]
virtual_total = sum(s.root_fs for s in sizes)
real_total = docker.image("nginx:alpine").size + sum(s.rw for s in sizes)
print("adding up the virtual sizes:", render.size_text(virtual_total))
print("what is really on disk:     ", render.size_text(real_total),
      "= the image once + the ten writable layers")
""")

md("""
`docker system df` ("disk free") does the honest addition for you: each layer once, each writable
layer once. Its SIZE column uses four significant digits (more on that below).
""")

code("""
%docker system df
""")

md("""
With `-v` it splits the image sizes: **SHARED SIZE** is the part of an image made of layers that
other images use too, **UNIQUE SIZE** is its own. Our `web-expose` image from section 2 is
`nginx:alpine` plus one `EXPOSE` line (which makes no layer), so it shares everything:
""")

code("""
%docker system df -v
""")

md("""
`nginx:alpine` is 34.2MB, all of it shared (with `web-expose`), none unique; `alpine:3.19`'s one
layer is shared with both. Everything adds up to the 34.23MB of the summary.

One oddity of the summary: it calls all 34.23MB of images RECLAIMABLE (100%), although ten
containers use `nginx:alpine`. Docker CLI 28 computes that column itself as *total minus the
unique size of every image in use* — and the unique size of `nginx:alpine` is 0 because
`web-expose` shares all its layers. Engine 29 computes it on the daemon instead and would report
0B here. Read RECLAIMABLE with care; SIZE is the honest number.
""")

md("""
### How Docker prints a size

All these sizes follow one rule, from Docker's `go-units` library:

* **decimal units**: 1 kB is 1000 bytes, 1 MB is 1000 kB (not 1024!), with the unit names
  `B kB MB GB TB PB EB ZB YB` and no space before the unit;
* **three significant digits** in `docker ps -s`, `docker history` and `docker images` (Go's
  `%.3g`), **four** in the `docker system df` totals and in SHARED/UNIQUE SIZE — that is why the
  same image shows as `34.2MB` in one table and `34.23MB` in the other.

So a file of 1,048,577 bytes (1 MiB and one byte) prints as `1.05MB`:
""")

code("""
%docker exec web2 dd if=/dev/zero of=/big.bin bs=1048577 count=1
%docker ps -s --filter name=web2 --format 'table {{.Names}}\\t{{.Size}}'
""")

md("""
You will write this formatting yourself in Exercise 2.

**Quick check.** Ten containers of a 34.2MB image each show `2B (virtual 34.2MB)`. About how much
disk do they use together?

<details><summary>Show the answer</summary>

About 34.2MB: the image once, plus 10 × 2 bytes of writable layers. The virtual sizes add up to
342MB only because each one counts the same shared image again.
</details>
""")

# ------------------------------------------------------------------------------------- 5
md("""
## 5. Where the bytes of an image go

Layers never change once they are made. So when a later layer deletes or overwrites a file, the
file is hidden from the container, but **its bytes stay in the earlier layer**: they are still
stored, still pulled and still counted in the image's size. Those bytes are
[*wasted*](glossary.md#wasted-space). The tool
[dive](https://github.com/wagoodman/dive) made this visible; layerlab has the same analysis as an
engine method, `docker.efficiency(image)`, and as a layerlab command (real Docker has no such
command): `layerlab image efficiency IMAGE`.

Here is a small image that runs a report script (`report.sh`, which uses `curl` and `jq`). Its
project folder also holds a Git history (18 MB) and a log file (6 MB), and the Dockerfile cleans
up at the end, the way many first Dockerfiles do:
""")

code("""
from layerlab.content import Content

report_context = {
    "report.sh": "#!/bin/sh\\ncurl -s https://example.com/api/stats | jq '.total'\\n",
    "README.md": "# report\\nPrints today's total.\\n",
    ".git/objects/pack/pack-3f2a.pack": Content.synthetic("git-pack", 18_000_000),  # 18 MB
    "logs/debug.log": Content.synthetic("debug-log", 6_000_000),                    # 6 MB
}
wasteful = \"\"\"\\
FROM alpine:3.19
COPY . /app
RUN apk update
RUN apk add curl jq
RUN rm -rf /var/cache/apk/* /app/.git /app/logs
CMD ["sh", "/app/report.sh"]
\"\"\"
print(render.build_steps(docker.build(wasteful, report_context, tag="report").output))
""")

code("""
%docker image history report
""")

md("""
Here is the stack, newest layer on top. The last layer only *records* deletions
([whiteouts](glossary.md#whiteout)); the bytes it hides are still in layers 1 and 2:

```mermaid
flowchart TB
    C["container: no .git, logs<br/>or indexes in sight"]
    L4["L4 · RUN rm -rf … · 0B<br/>whiteouts only"]
    L3["L3 · RUN apk add · 6.37MB"]
    L2["L2 · RUN apk update · 3.33MB<br/>indexes, hidden above"]
    L1["L1 · COPY . /app · 24MB<br/>.git and logs, hidden above"]
    L0["L0 · alpine:3.19 · 7.38MB"]
    C --- L4 --- L3 --- L2 --- L1 --- L0
    style C fill:#fff3e0,stroke:#ef6c00
    style L4 fill:#e3f2fd,stroke:#1565c0
    style L3 fill:#e3f2fd,stroke:#1565c0
    style L2 fill:#ffebee,stroke:#c62828
    style L1 fill:#ffebee,stroke:#c62828
    style L0 fill:#e3f2fd,stroke:#1565c0
```

The cleanup `RUN rm -rf …` made a layer of `0B` — and the image is still 41.1MB, although alpine
(7.38MB) plus curl and jq are only about 14MB. Where are the other 27MB? Ask the engine:
""")

code("""
%docker image efficiency report
""")

md("""
The first table has one row per layer (0 is the bottom one, alpine's): how many paths it
**adds**, **changes** (a new copy of a file that existed, or a folder copied up because something
inside changed — the same A and C as `docker diff`) and **deletes**, and how many of its bytes a
later layer hides (**WASTED**). The second table lists every wasted file, biggest first, with
its story:

* the Git pack and the log were *added in layer 1* by `COPY . /app` and *deleted in layer 4*:
  all their bytes are still in layer 1;
* the package indexes `APKINDEX…tar.gz` were downloaded by `apk update` in layer 2 and deleted in
  layer 4;
* `/lib/apk/db/installed` and a few more were *added in layer 0, overwritten in layer 3*: `apk add`
  rewrote alpine's package database, so the old copy in layer 0 is hidden. Small, and hard to
  avoid: every package install does it.

**Counting copies.** A file changed in *n* layers is stored *n* times, or *n − 1* times and then
deleted; either way all copies but the last are hidden: *n − 1* wasted copies. COUNT is *n*.

The same analysis from Python, with every number as a value (`--json` on the command prints it all
as JSON, including each layer's lists of paths):
""")

code("""
rep = docker.efficiency("report")
print("image size:  ", rep.image_size, "bytes")
print("wasted bytes:", rep.wasted_bytes, f"({rep.wasted_bytes / rep.image_size:.0%} of the image)")
print("layer 4 deletes:", rep.layers[4].deleted)
print("biggest waste:  ", rep.wasted[0])
""")

md("""
A picture of the same numbers: one bar per layer, red for its bytes that a later layer hides.
""")

code("""
from layerlab.render.filetree import efficiency_svg

render.show(efficiency_svg(rep), "efficiency of report")
""")

md("""
### The efficiency score

dive also gives an image one number, its [**efficiency score**](glossary.md#efficiency-score), and
layerlab computes it the way
dive's code does (`dive/filetree/efficiency.go`): for every path found in any layer, take the
size of its *smallest* copy and the total of *all* its copies; the score is the sum of the
smallest copies divided by the sum of all copies. An image where no file is ever stored twice
scores 1 (100 %). A deleted file's smallest copy is its deletion marker (a
[whiteout](glossary.md#whiteout), 0 bytes), so every byte of it lowers the score.

Our image scores:
""")

code("""
print(f"efficiency score: {rep.score:.4f}, although {rep.wasted_bytes / rep.image_size:.0%} of the image is wasted")
""")

md("""
Why so high? A quirk of dive's rule: `rm -rf /app/.git` deletes a whole *folder*, which a layer
records as one whiteout for the folder. dive sizes that whiteout as everything that was in the
folder and counts it as a path of its own, seen once — so it adds the same bytes to both sums,
and the Git pack and the log do not lower the score at all. Only the APKINDEX files, deleted one
by one by `rm -rf /var/cache/apk/*`, do. **Look at the wasted bytes, not only at the score.**

dive prints one more number, "potential wasted space": it adds up *all* copies (the surviving
one included) of every path it finds in two or more layers. layerlab keeps it as
`rep.dive_wasted_bytes`; `rep.wasted_bytes` counts only the hidden copies, file by file. Here
dive's number is much *smaller*, for the same reason as above: to dive, the Git pack and the log
are paths seen once, because their deletion is recorded on their folders.
""")

code("""
print("dive's potential wasted space:", render.size_text(rep.dive_wasted_bytes))
print("hidden copies only:           ", render.size_text(rep.wasted_bytes))
""")

md("""
**Quick check.** Why does the last line, `RUN rm -rf /var/cache/apk/* /app/.git /app/logs`, not
make the image smaller?

<details><summary>Show the answer</summary>

Because it makes a new layer that only *records* the deletions (whiteouts). The files' bytes stay
in the layers that added them (layers 1 and 2), which are read-only and still part of the image.
</details>
""")

# ------------------------------------------------------------------------------------- 6
md("""
## 6. Fixing a wasteful Dockerfile

Four habits keep bytes out of an image. We apply them one at a time to the report image and
measure each step.

**1. Clean up in the same `RUN` that made the mess.** A file created and deleted inside one `RUN`
never reaches a layer. For apk, `--no-cache` does it in one word (it fetches the indexes into a
temporary place); for apt it is `apt-get update && apt-get install -y … && rm -rf /var/lib/apt/lists/*`
in one `RUN`.
""")

code("""
same_run = \"\"\"\\
FROM alpine:3.19
COPY . /app
RUN apk add --no-cache curl jq
RUN rm -rf /app/.git /app/logs
CMD ["sh", "/app/report.sh"]
\"\"\"
docker.build(same_run, report_context, tag="report:same-run")
%docker image efficiency report:same-run
""")

md("""
The APKINDEX files are gone from the waste; the Git pack and the log are still there, because
`COPY` put them in a layer before anything could delete them. Note the score: 99.93 %, with 24MB
(64 % of the image) wasted — the folder quirk of section 5 again.

**2. Keep junk out of the build context with `.dockerignore`.** The
[build context](glossary.md#build-context) is everything `docker build` sends to the builder. A
file named [`.dockerignore`](glossary.md#dockerignore) in it lists patterns of paths to leave out
(like `.gitignore`), so `COPY . /app` cannot copy them in the first place — and the deletion line
is not needed at all:
""")

code("""
ignoring = {**report_context, ".dockerignore": ".git\\nlogs/\\n"}
with_ignore = \"\"\"\\
FROM alpine:3.19
COPY . /app
RUN apk add --no-cache curl jq
CMD ["sh", "/app/report.sh"]
\"\"\"
docker.build(with_ignore, ignoring, tag="report:ignore")
%docker image efficiency report:ignore
""")

md("""
**3. Order the layers for the [build cache](glossary.md#build-cache).** This changes no size, it
saves work: after the first changed step, BuildKit runs every later step again. `COPY . /app`
comes first, so editing `report.sh` re-runs `apk add` too. Put what changes rarely (the packages)
first and what changes often (your code) last, and copy only what the image needs:
""")

code("""
ordered = \"\"\"\\
FROM alpine:3.19
RUN apk add --no-cache curl jq
COPY report.sh /app/
CMD ["sh", "/app/report.sh"]
\"\"\"
docker.build(ordered, ignoring, tag="report:ordered")
docker.build(with_ignore, ignoring, tag="report:ignore")   # both built once: the cache is warm

def apk_step_reused(log):
    lines = log.splitlines()
    i = next(k for k, line in enumerate(lines) if "] RUN apk add" in line)
    return i + 1 < len(lines) and lines[i + 1].endswith("CACHED")

edited = {**ignoring, "report.sh": ignoring["report.sh"] + "echo done\\n"}   # you edit the script
for name, dockerfile in (("COPY first:", with_ignore), ("packages first:", ordered)):
    log = docker.build(dockerfile, edited).output
    print(f"{name:16} after editing report.sh, apk add was",
          "reused from the cache" if apk_step_reused(log) else "run again")
""")

md("""
With the packages first, editing the script rebuilds only the small `COPY` layer; the 6MB package
layer is reused (and a registry that has it already does not need it pushed again).

**4. Build in one stage, ship another: a multi-stage build.** Tools you need only *while
building* — compilers, `npm` and its `node_modules`, test frameworks — should not ship. A
[multi-stage build](glossary.md#multi-stage-build) has several `FROM` lines; only the last stage
becomes the image, and `COPY --from=<stage>` takes just the results out of an earlier one. Here
is a static website whose build needs Node.js and npm packages, but whose result is plain HTML
that nginx can serve (the `cp` stands in for a real `npm run build`):
""")

code("""
site = {
    "package.json": '{"name": "site", "version": "1.0.0", "devDependencies": {"typescript": "^5.4.0"}}\\n',
    "src/index.html": "<h1>Reports</h1>\\n",
}
one_stage = \"\"\"\\
FROM node:20-alpine
WORKDIR /site
COPY package.json .
RUN npm install
COPY src/ src/
RUN mkdir dist && cp src/index.html dist/
\"\"\"
two_stages = \"\"\"\\
FROM node:20-alpine AS build
WORKDIR /site
COPY package.json .
RUN npm install
COPY src/ src/
RUN mkdir dist && cp src/index.html dist/

FROM nginx:alpine
COPY --from=build /site/dist /usr/share/nginx/html
\"\"\"
docker.build(one_stage, site, tag="site:one-stage")
docker.build(two_stages, site, tag="site:two-stages")
%docker images site
""")

md("""
The one-stage image carries Node.js, npm and `node_modules` to every server that runs it; the
two-stage image is `nginx:alpine` plus 17 bytes of HTML.

**The gain, measured.** Each step of the report image, by the engine:
""")

code("""
steps = [("report", "as written"), ("report:same-run", "1. clean up in the same RUN"),
         ("report:ignore", "2. + .dockerignore"), ("report:ordered", "3. + packages first, copy only report.sh")]
rows = []
for tag, change in steps:
    r = docker.efficiency(tag)
    rows.append([change, render.size_text(r.image_size), render.size_text(r.wasted_bytes), f"{r.score:.4f}"])
render.table(["Dockerfile", "image size", "wasted", "efficiency score"], rows)
""")

md("""
From 41.1MB to 13.7MB, the size of alpine plus the two packages — and nothing left to waste but
the few kilobytes of alpine's package database that `apk add` rewrites.
""")

# ------------------------------------------------------------------------------------- 7
md("""
## 7. Try it in the image explorer

Choose an **image** and one of its **layers**: the explorer shows the merged file tree as it is at
that layer, with what the layer added (**A**, green), changed (**C**, orange) and deleted (**D**,
red, struck through) and the sizes, above it one bar per layer with its wasted bytes in red, and
below it the wasted-space table. Untick *only what changed* to see the whole tree. Choose a
**container** to see its writable layer the same way (its `docker diff`). Type an image name and
press **Pull** to add one, e.g. `python:3.12-slim`.

Things to try:

* `report:latest`, layer 4 (the `rm -rf` line): the deleted `.git` and `logs` are there, struck
  through — and layer 1 below still holds their 24MB;
* `report:ordered`: almost no red left;
* `site:one-stage`, the `npm install` layer: thousands of small files, none of them in
  `site:two-stages`;
* container `web`: the page you added, the deleted config file, nginx's own files.
""")

code("""
# NBVAL_IGNORE_OUTPUT
from layerlab.widgets.image_explorer import ImageExplorer

explorer = ImageExplorer(docker, image="report:latest")
explorer
""")

# ------------------------------------------------------------------------------------- exercises
md("""
## Exercises

Four exercises: write each answer in the cell under the question, run it, then run the check
cell under it. Save with **Ctrl + S**. In the practice version a check says *right* or *not yet*
with a hint; in the graded version it only catches format mistakes and the grader runs hidden
tests on your submitted notebook (see [the course start page](00-start-here.ipynb) for how to
submit).
""")

md("""
## Exercise 1 · Predict docker diff (3 points)

**Without running anything**, predict what `docker diff box` prints after these commands
(in `alpine:3.19`, `/srv` and `/tmp` exist and are empty, `/etc/motd` is a file, and `/etc/apk/keys`
is a folder holding a few key files):

```
docker run -d --name box alpine:3.19 sleep 3600
docker exec box mkdir -p /srv/www/img
docker exec box sh -c "echo hello > /srv/www/index.html"
docker exec box rm /etc/motd
docker exec box rm -r /etc/apk/keys
docker exec box sh -c "echo 'export EDITOR=vi' >> /etc/profile"
docker exec box sh -c "touch /tmp/scratch && rm /tmp/scratch"
```

Write `diff_lines`: a **list of strings**, one per line docker prints, each exactly like
`"A /some/path"` (the letter, one space, the absolute path). The order does not matter (it is not
meaningful, see section 3); every line counts.
""", locked("ex1_prompt"))

code("""
# diff_lines = ["A /some/path", ...]
### BEGIN SOLUTION
diff_lines = [
    "C /etc",
    "C /etc/apk",
    "D /etc/apk/keys",
    "C /etc/profile",
    "D /etc/motd",
    "C /srv",
    "A /srv/www",
    "A /srv/www/img",
    "A /srv/www/index.html",
]
### END SOLUTION
""", answer("ex1_answer"))

code("""
# Check your answer (visible checks catch format mistakes only)
import re as _re
assert isinstance(diff_lines, (list, tuple)), "diff_lines must be a list of strings"
assert all(isinstance(x, str) for x in diff_lines), "every item of diff_lines must be a string like 'A /srv'"
_bad = [x for x in diff_lines if not _re.fullmatch(r"[ACD] /\\S*", x.strip())]
assert not _bad, f"these items are not of the form 'A /path', 'C /path' or 'D /path': {_bad}"
print(f"{len(diff_lines)} lines, all well formed. The grader compares them with the engine's docker diff.")
### BEGIN HIDDEN TESTS
import shlex as _shlex
from layerlab import Engine as _Engine
from layerlab.cli import run as _run
_eng = _Engine()
for _cmd in ["docker run -d --name box alpine:3.19 sleep 3600",
             "docker exec box mkdir -p /srv/www/img",
             "docker exec box sh -c \\"echo hello > /srv/www/index.html\\"",
             "docker exec box rm /etc/motd",
             "docker exec box rm -r /etc/apk/keys",
             "docker exec box sh -c \\"echo 'export EDITOR=vi' >> /etc/profile\\"",
             "docker exec box sh -c \\"touch /tmp/scratch && rm /tmp/scratch\\""]:
    assert _run(_shlex.split(_cmd)[1:], _eng)[0] == 0, "the grader could not replay the commands: please tell your instructor"
_truth = {str(_c) for _c in _eng.diff("box")}
_mine = {_x.strip() for _x in diff_lines}
_missing, _extra = _truth - _mine, _mine - _truth
assert len(diff_lines) == len(_mine), "a line appears twice: docker prints each path once"
assert not any(_x.startswith("D /etc/apk/keys/") for _x in _extra), \\
    "the children of a deleted folder are not listed, only the folder itself"
assert not any(_x.startswith("A ") and "/tmp" in _x or _x.endswith(" /tmp") for _x in _extra), \\
    "a file created and deleted again leaves no trace, and a folder's own time is not compared"
assert not {_x for _x in _missing if _x.startswith("C ") and _x[2:] in ("/etc", "/etc/apk")}, \\
    "a folder with a change anywhere inside it is reported as C too"
assert "C /srv" not in _missing and "A /srv" not in _mine, \\
    "look again at /srv: it already existed in the image (the prompt says so)"
assert not {_x for _x in _missing if _x.startswith("A ")}, \\
    "mkdir -p lists every new folder it makes, and every child of a new folder is listed as A"
assert not _missing, "some changes are missing: an appended file, a deleted file or a deleted folder"
assert not _extra, "some lines are not in docker's output: check the marks (A, C, D) and the paths"
### END HIDDEN TESTS
""", tests("ex1_tests", 3))

md("""
## Exercise 2 · Print sizes like Docker (3 points)

Write `human_size(n)`: given a number of bytes `n` (an `int`, 0 or more), return the text
`docker ps -s` and `docker history` print for it, following section 4:

* decimal units: divide by 1000 while the number is 1000 or more, and use the unit names
  `B`, `kB`, `MB`, `GB`, `TB`, `PB`, `EB`, `ZB`, `YB` (in that order);
* three significant digits, formatted the way Python's `format(x, ".3g")` does (it is the same as
  Go's `%.3g`, trailing zeros dropped);
* no space between the number and the unit.

For example `human_size(1_048_577)` is `"1.05MB"` and `human_size(999)` is `"999B"`. Do not use
layerlab's own function (the grader compares yours with it).
""", locked("ex2_prompt"))

code("""
def human_size(n):
    ### BEGIN SOLUTION
    units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    value, i = float(n), 0
    while value >= 1000 and i < len(units) - 1:
        value /= 1000
        i += 1
    return format(value, ".3g") + units[i]
    ### END SOLUTION
""", answer("ex2_answer"))

code("""
# Check your answer (visible checks catch format mistakes only)
assert callable(human_size), "human_size must be a function"
assert isinstance(human_size(0), str), "human_size(0) must return a string"
assert isinstance(human_size(1_048_577), str), "human_size must return a string"
assert " " not in human_size(1_048_577), "Docker prints no space between the number and the unit"
print("human_size returns text. The grader tries it on sizes you cannot see.")
### BEGIN HIDDEN TESTS
from layerlab.units import human_size_with_precision as _hs
assert human_size(0) == _hs(0, 3), "zero bytes is printed with the unit B"
assert [human_size(_n) for _n in (5, 999)] == [_hs(_n, 3) for _n in (5, 999)], "below 1000 the unit is B"
assert human_size(1000) == _hs(1000, 3), "1000 bytes is exactly 1 kB: divide while the number is 1000 or more"
assert [human_size(_n) for _n in (1499, 4620, 1_048_577)] == [_hs(_n, 3) for _n in (1499, 4620, 1_048_577)], \\
    "three significant digits: format the divided value with '.3g'"
assert [human_size(_n) for _n in (26_842_310, 34_234_848, 7_377_818)] == \\
    [_hs(_n, 3) for _n in (26_842_310, 34_234_848, 7_377_818)], "units are powers of 1000, not 1024"
assert human_size(10**12) == _hs(10**12, 3) and human_size(123_456_789_012_345) == _hs(123_456_789_012_345, 3), \\
    "keep dividing for the big units: GB, TB, PB ..."
assert human_size(999_999) == _hs(999_999, 3), \\
    "999,999 bytes: the unit is chosen before rounding, and '.3g' of 999.999 is written in exponent form"
try:
    _huge = human_size(5 * 10**27)
except Exception:
    _huge = None
assert _huge == _hs(5 * 10**27, 3), "YB is the last unit: do not divide past it, even for a number of 1000 YB or more"
### END HIDDEN TESTS
""", tests("ex2_tests", 3))

md("""
## Exercise 3 · Slim a Dockerfile (4 points)

Here is the wasteful report Dockerfile of section 5 again, and its build context (the same files).
Rewrite it so that, built on a fresh engine with this context,

* the image is **at most 14,000,000 bytes** (it is 41.1MB now) and its **efficiency score is at
  least 0.99**;
* it still works: `/app/report.sh` is in the image, `curl` and `jq` are installed, and its `CMD`
  still runs `/app/report.sh`.

Write two strings: `dockerfile`, your Dockerfile, and `dockerignore`, the contents of a
`.dockerignore` file to put in the context (`""` if you do not want one). Use any of the four
habits of section 6. To measure an attempt on this notebook's engine, call
`try_dockerfile(dockerfile, dockerignore)` (defined in the next cell); it tags the image
`report:try`, so you can also look at it in the explorer above (press **Refresh**).
""", locked("ex3_prompt"))

code("""
from layerlab.errors import BuildError

def try_dockerfile(dockerfile, dockerignore=""):
    \"\"\"Build `dockerfile` with the report's context (plus your .dockerignore) and print its measures.\"\"\"
    context = dict(report_context)
    if dockerignore.strip():
        context[".dockerignore"] = dockerignore
    try:
        docker.build(dockerfile, context, tag="report:try")
    except BuildError as err:
        print("the build failed:", err)
        return
    r = docker.efficiency("report:try")
    print(f"size {r.image_size:,} bytes ({render.size_text(r.image_size)}), "
          f"efficiency score {r.score:.4f}, wasted {render.size_text(r.wasted_bytes)}")

print(wasteful)                        # the Dockerfile to improve (from section 5)
print("context files:", sorted(report_context))
try_dockerfile(wasteful)
""", locked("ex3_data"))

code("""
# dockerfile = \"\"\"FROM ...\"\"\"      and      dockerignore = "..." (or "")
# then measure it with:  try_dockerfile(dockerfile, dockerignore)
### BEGIN SOLUTION
dockerfile = \"\"\"\\
FROM alpine:3.19
RUN apk add --no-cache curl jq
COPY report.sh /app/
CMD ["sh", "/app/report.sh"]
\"\"\"
dockerignore = ".git\\nlogs/\\n"
### END SOLUTION
""", answer("ex3_answer"))

code("""
# Check your answer (visible checks catch format mistakes only)
assert isinstance(dockerfile, str), "dockerfile must be a string holding the Dockerfile"
assert isinstance(dockerignore, str), 'dockerignore must be a string ("" for no .dockerignore)'
_first = next((ln.split()[0].upper() for ln in dockerfile.splitlines()
               if ln.strip() and not ln.lstrip().startswith("#")), "")
assert _first in ("FROM", "ARG"), "a Dockerfile starts with FROM (after comments)"
print("Both strings are there. The grader builds your Dockerfile on a fresh engine and measures it.")
### BEGIN HIDDEN TESTS
from layerlab import Engine as _Engine
from layerlab.content import Content as _Content
_ctx = {
    "report.sh": "#!/bin/sh\\ncurl -s https://example.com/api/stats | jq '.total'\\n",
    "README.md": "# report\\nPrints today's total.\\n",
    ".git/objects/pack/pack-3f2a.pack": _Content.synthetic("git-pack", 18_000_000),
    "logs/debug.log": _Content.synthetic("debug-log", 6_000_000),
}
if dockerignore.strip():
    _ctx[".dockerignore"] = dockerignore
_eng = _Engine()
try:
    _img = _eng.build(dockerfile, _ctx, tag="report-fixed").image
    _build_error = ""
except Exception as _exc:
    _img, _build_error = None, str(_exc)
assert _img is not None, f"the Dockerfile does not build on a fresh engine: {_build_error}"
_check = _eng.run("report-fixed", ["sh", "-c", "test -f /app/report.sh && command -v curl && command -v jq"], rm=True)
assert _check.exit_code == 0, "the image must still hold /app/report.sh and have curl and jq installed"
_cmd = " ".join(list(_img.config.entrypoint or ()) + list(_img.config.cmd or ()))
assert "/app/report.sh" in _cmd, "the image's CMD (or ENTRYPOINT) must still run /app/report.sh"
_rep = _eng.efficiency("report-fixed")
assert _rep.image_size <= 14_000_000, (
    "the image is still bigger than 14,000,000 bytes: look for files a later layer deletes, "
    "and for files COPY brings in that the report does not need")
assert _rep.score >= 0.99, "the efficiency score is below 0.99: some layer still hides files of a layer below"
### END HIDDEN TESTS
""", tests("ex3_tests", 4))

md("""
## Exercise 4 · Explain virtual size (3 points, graded by a person)

A colleague runs `docker ps -s` on a server. It lists 10 containers started from the same
`nginx:alpine` image, each showing `2B (virtual 34.2MB)`. She adds up the virtual sizes and writes
in a report: "the containers use 342MB of disk". Explain in 3–6 sentences what SIZE and *virtual*
mean, why her total is wrong, about how much disk the containers really use, and which command
gives honest totals.
""", locked("ex4_prompt"))

md("""
SIZE is the container's own writable layer (the bytes of the files it added or copied up: 2 bytes
each here); *virtual* is that plus the whole image the container is started from, i.e. what the
container *sees*. The image's layers are stored once and shared read-only by all ten containers,
so adding the virtual sizes counts the same 34.2MB ten times. The containers really use about
34.2MB (the image once) plus 10 × 2 bytes. `docker system df` counts each layer and each writable
layer once (and `docker system df -v` shows each image's shared and unique size), so it gives the
honest total.

**Mark scheme (3 points):** 1 point for SIZE = the writable layer and virtual = writable layer +
image; 1 point for saying the image layers are shared (stored once), so summing virtual sizes
counts the image 10 times, with a total of about 34.2MB (+ 20 B); 1 point for naming
`docker system df` (or `-v`, SHARED/UNIQUE SIZE) as the honest total.
""", written("ex4_answer", 3))

# ------------------------------------------------------------------------------------- end
md("""
## Key takeaways

* `docker image inspect --format '{{json .RootFS.Layers}}'` lists an image's **diff_ids**, bottom
  first: how many layers it has, and which ones it shares with other images.
* `docker image history` shows one row per instruction, newest first. `<missing>` means no image on
  this machine is that step (pulled and BuildKit images have none); CREATED BY is cut at 45
  columns unless `--no-trunc`; `#(nop)` rows come from the classic builder, `# buildkit` rows from
  BuildKit.
* `docker diff` prints **A**, **C** and **D** lines: parents of a change are C, children of an
  added folder are listed, children of a deleted one are not, and the order means nothing.
* `docker ps -s` shows the **writable layer** and a **virtual** size that counts the shared image
  again; `docker system df` (`-v`) gives the honest totals. Sizes are decimal, three significant
  digits: `1.05MB` is 1,048,577 bytes.
* A file deleted or overwritten in a later layer still costs its bytes in the earlier one. Clean up
  in the same `RUN`, keep junk out with `.dockerignore`, put rarely changing steps first, and
  ship only the last stage of a multi-stage build.

**Next:** [Chapter 5 · Why Container Data Is Ephemeral](05-ephemeral-data.ipynb)
""")


def main() -> None:
    cells = []
    counts = {"markdown": 0, "code": 0}
    for kind, src, nbg in CELLS:
        counts[kind] += 1
        cid = f"{'md' if kind == 'markdown' else 'code'}-{len(cells) + 1:02d}"
        cell = {"cell_type": kind, "id": cid, "metadata": {}, "source": src.splitlines(keepends=True)}
        if nbg is not None:
            cell["metadata"]["nbgrader"] = nbg
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        cells.append(cell)
    nb = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                          "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                          "pygments_lexer": "ipython3", "version": "3.11.7"}},
        "nbformat": 4, "nbformat_minor": 5}
    OUT.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT} ({counts['markdown']} markdown, {counts['code']} code cells)")


if __name__ == "__main__":
    main()
