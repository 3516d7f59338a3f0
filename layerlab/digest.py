"""Content addresses: ``sha256:<64 hex>`` digests, OCI chain IDs, short IDs.

* diff_id  = sha256 of a layer's *uncompressed* tar (OCI config.md "Layer DiffID");
* chain_id = ``ChainID(L0) = DiffID(L0)``; ``ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))``
  — the hash input is the two ``sha256:<hex>`` strings joined by one space (image-spec identity/chainid.go);
* image id = sha256 of the image config JSON bytes.
"""
from __future__ import annotations

import hashlib
from typing import Iterable

EMPTY_TAR_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def chain_ids(diff_ids: Iterable[str]) -> list[str]:
    """Every prefix's ChainID, base first."""
    out: list[str] = []
    for diff_id in diff_ids:
        if not out:
            out.append(diff_id)
        else:
            out.append(sha256_digest(f"{out[-1]} {diff_id}".encode()))
    return out


def chain_id(diff_ids: Iterable[str]) -> str:
    ids = chain_ids(diff_ids)
    if not ids:
        raise ValueError("chain_id of no layers")
    return ids[-1]


def short_id(digest: str) -> str:
    """docker's stringid.TruncateID: drop ``sha256:``, keep 12 hex digits."""
    hexpart = digest.split(":", 1)[1] if ":" in digest else digest
    return hexpart[:12]
