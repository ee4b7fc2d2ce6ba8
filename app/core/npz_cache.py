"""Kept arrays in the data folder (``.npz``, no pickles): text columns as bytes and atomic writes.

The graph's network and layouts (app.core.graph.cache) and the facet index (app.core.query.facet_index)
are kept this way between starts: plain arrays that can be read back at C speed, or ignored.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

SEP = "\x00"  # never in stored text (the reference is checked for it)


def text_array(values: list[str]) -> npt.NDArray[np.uint8]:
    """Strings as one byte array (joined by SEP)."""
    return np.frombuffer(SEP.join(values).encode("utf-8"), dtype=np.uint8)


def text_values(blob: npt.NDArray[np.uint8], count: int) -> list[str]:
    """The ``count`` strings of :func:`text_array`; ValueError when the blob holds another number."""
    if count == 0:
        return []
    out = blob.tobytes().decode("utf-8").split(SEP)
    if len(out) != count:
        raise ValueError("damaged text column")
    return out


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
