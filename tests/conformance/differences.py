"""The ONE explicit list of places where the 20.10 oracle and current Docker print different
things. layerlab follows current Docker (DESIGN.md, "Which Docker we emulate"), so a scenario
command annotated ``# expect-differ: KEY [ARG...]`` has its *real* (20.10) output rewritten by
that entry before it is compared — exactly the listed substitution, nothing else. Every other
byte must match.

Each entry: what 20.10 prints, what current Docker prints, and where that comes from
(``facts`` = docs/docker-storage-facts.md, ``OBSERVED`` =
tests/oracle/OBSERVED.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    old: str                     # what the 20.10 oracle prints (for the doc)
    new: str                     # what current Docker prints (for the doc)
    source: str
    rules: tuple[tuple[str, str, str], ...]   # (stream "stdout"/"stderr", regex, replacement)

    def apply(self, result: tuple[str, str, int], args) -> tuple[str, str, int]:
        out, err, rc = result
        for stream, pattern, repl in self.rules:
            pattern = pattern.format(*[re.escape(a) for a in args])
            repl = repl.format(*args)
            if stream == "stdout":
                new = re.sub(pattern, lambda m: m.expand(repl), out, flags=re.S)
                if new == out:
                    raise AssertionError(f"expected 20.10 difference not seen in stdout: {pattern!r}")
                out = new
            else:
                new = re.sub(pattern, lambda m: m.expand(repl), err, flags=re.S)
                if new == err:
                    raise AssertionError(f"expected 20.10 difference not seen in stderr: {pattern!r}")
                err = new
        return out, err, rc


DIFFERENCES: dict[str, Difference] = {
    "volume-prune-named": Difference(
        "`volume prune -f` also deletes unused *named* volumes (listed under `Deleted Volumes:`)",
        "only anonymous volumes are pruned unless `--all`; named ones stay",
        "DESIGN.md; facts §8.1/§12.10 (Engine 23 changed the default, API 1.42); OBSERVED finding list",
        (("stdout", r"Deleted Volumes:\n{0}\n\n", ""),),
    ),
    "rm-running": Difference(
        "`You cannot remove a running container <64hex>. Stop the container before attempting removal or force remove`",
        "`cannot remove container \"/NAME\": container is running: stop the container before removing or force remove`",
        "OBSERVED finding 5; facts §7; moby daemon/delete.go cleanupContainer (current)",
        (("stderr", r"You cannot remove a running container [0-9a-f]{{64}}\. Stop the container before "
                    r"attempting removal or force remove",
          'cannot remove container "/{0}": container is running: stop the container before removing or force remove'),),
    ),
    "image-inspect-missing": Difference(
        "`Error response from daemon: no such image: X: No such image: X:latest`",
        "`Error response from daemon: No such image: X:latest`",
        "OBSERVED finding 5; moby daemon/images/image.go ErrImageDoesNotExist (current: not wrapped)",
        (("stderr", r"no such image: \S+: No such image: ", "No such image: "),),
    ),
    "oci-create-prefix": Difference(
        "`failed to create shim task: OCI runtime create failed: …` (containerd 1.6)",
        "`failed to create task for container: failed to create shim task: OCI runtime create failed: …`",
        "OBSERVED finding 6; moby daemon/start.go (v23+ wraps the containerd error)",
        (("stderr", r"Error response from daemon: failed to create shim task:",
          "Error response from daemon: failed to create task for container: failed to create shim task:"),),
    ),
    "driver-status-metacopy": Difference(
        "overlay2 DriverStatus has 4 pairs (no `Using metacopy`)",
        "5 pairs: `[\"Using metacopy\",\"false\"]` after `Supports d_type`",
        "OBSERVED finding 2; facts §6.2 (current engines)",
        (("stdout", r'\["Supports d_type","true"\],', '["Supports d_type","true"],["Using metacopy","false"],'),),
    ),
    "bk20-expose": Difference(
        "BuildKit v0.8 history: `EXPOSE map[53/udp:{} 8080/tcp:{}]` (Go map formatting)",
        "`EXPOSE [8080/tcp 53/udp]` (`%v` of the ports as written; the annotation gives them)",
        "OBSERVED finding 4; facts §1.1 (current BuildKit formats a slice)",
        (("stdout", r"EXPOSE map\[[^\]]*\]", "EXPOSE [{0} {1}]"),),
    ),
}
