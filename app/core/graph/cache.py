"""The graph's caches in the data folder (Qt-free): the network read last time, and computed layouts.

Reading 100,000 entities and 500,000 cited ties takes seconds and never changes while the reference
file stays the same and the user has added nothing to the catalogue; a layout never changes for the
same network, nodes and layout method. Both are kept as plain arrays (``.npz``): the network under
the repository's ``network_stamp`` (the reference file's identity; None, and no cache, once the user
has sources or datasets), each layout under a hash of the network's content, the nodes laid out and
the layout's name and version. A cache that cannot be read or written is ignored: it only saves time.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.core.graph.model import GraphData
from app.core.npz_cache import SEP as _SEP
from app.core.npz_cache import text_array as _text
from app.core.npz_cache import text_values as _untext
from app.core.npz_cache import write_arrays as _write

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

LAYOUT_VERSION = "1"  # raise when a layout's algorithm changes: older cached pictures are not used
NETWORK_FILE = "network.npz"
KEEP_LAYOUTS = 12  # the newest layout files kept (layouts, overviews, focus scopes)


def save_network(folder: Path, stamp: str, data: GraphData) -> None:
    fields = sorted(set(data.fields))
    code = {f: i for i, f in enumerate(fields)}
    try:
        _write(
            folder / NETWORK_FILE,
            {
                "stamp": _text([stamp]),
                "count": np.array([data.n, len(fields)], dtype=np.int64),
                "ids": _text(data.ids),
                "names": _text(data.names),
                "kinds": _text(data.kinds),
                "src": data.src.astype(np.int32),
                "dst": data.dst.astype(np.int32),
                "field_names": _text(fields),
                "field": np.array([code[f] for f in data.fields], dtype=np.uint8),
            },
        )
    except (OSError, ValueError):
        pass


def load_network(folder: Path, stamp: str) -> GraphData | None:
    """The network cached for ``stamp``, or None (none kept, another stamp, unreadable)."""
    try:
        with np.load(folder / NETWORK_FILE) as z:
            if _untext(z["stamp"], 1) != [stamp]:
                return None
            n, nf = (int(v) for v in z["count"])
            fields = _untext(z["field_names"], nf)
            src, dst = z["src"].astype(np.int64), z["dst"].astype(np.int64)
            codes = z["field"]
            if len(src) != len(dst) or len(codes) != len(src) or (len(src) and max(src.max(), dst.max()) >= n):
                return None
            field_of = np.array(fields, dtype=object)
            return GraphData(
                ids=_untext(z["ids"], n),
                names=_untext(z["names"], n),
                kinds=_untext(z["kinds"], n),
                src=src,
                dst=dst,
                fields=field_of[codes].tolist() if len(codes) else [],
            )
    except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, EOFError):
        return None


def content_hash(data: GraphData) -> str:
    """Identifies a network's nodes and ties (a layout depends on nothing else); kept on ``data``."""
    if data.content_key:
        return data.content_key
    h = hashlib.sha1(usedforsecurity=False)
    h.update(_SEP.join(data.ids).encode("utf-8"))
    h.update(_SEP.join(data.kinds).encode("utf-8"))
    h.update(np.ascontiguousarray(data.src).tobytes())
    h.update(np.ascontiguousarray(data.dst).tobytes())
    data.content_key = h.hexdigest()
    return data.content_key


def _layout_file(folder: Path, network: str, layout: str, nodes: IntArray) -> Path:
    h = hashlib.sha1(usedforsecurity=False)
    for part in (network, layout, LAYOUT_VERSION):
        h.update(part.encode("utf-8") + b"\x00")
    h.update(np.ascontiguousarray(nodes, dtype=np.int64).tobytes())
    return folder / f"layout-{h.hexdigest()[:20]}.npz"


def load_layout(folder: Path, network: str, layout: str, nodes: IntArray) -> FloatArray | None:
    path = _layout_file(folder, network, layout, nodes)
    try:
        with np.load(path) as z:
            pos = np.asarray(z["pos"], dtype=np.float64)
        if pos.shape != (len(nodes), 2) or not np.isfinite(pos).all():
            return None
        os.utime(path)  # recently used: kept longest
        return pos
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None


def save_layout(folder: Path, network: str, layout: str, nodes: IntArray, pos: FloatArray) -> None:
    try:
        _write(_layout_file(folder, network, layout, nodes), {"pos": np.asarray(pos, dtype=np.float64)})
        files = sorted(folder.glob("layout-*.npz"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in files[KEEP_LAYOUTS:]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
