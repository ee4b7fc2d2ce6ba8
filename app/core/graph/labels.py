"""Label placement (Qt-free): greedy, in priority order, clear of markers and of each other.

Used by the graph pane (screen pixels, every paint) and by the drawn exports (PNG, SVG, PDF), so a
label sits the same way everywhere. Rectangles are (x0, y0, x1, y1) in device pixels, y down.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in device pixels


class _Occupancy:
    """Rectangles already taken, bucketed on a grid so each test looks at a few neighbours only."""

    def __init__(self, cell: float = 64.0):
        self.cell = cell
        self.grid: dict[tuple[int, int], list[Rect]] = {}

    def _cells(self, r: Rect) -> Iterable[tuple[int, int]]:
        c = self.cell
        for gx in range(int(r[0] // c), int(r[2] // c) + 1):
            for gy in range(int(r[1] // c), int(r[3] // c) + 1):
                yield gx, gy

    def hits(self, r: Rect) -> bool:
        for key in self._cells(r):
            for o in self.grid.get(key, ()):
                if r[0] < o[2] and r[2] > o[0] and r[1] < o[3] and r[3] > o[1]:
                    return True
        return False

    def overlap(self, r: Rect) -> float:
        """Total area of ``r`` covered by the rectangles already taken (each counted once)."""
        seen: set[Rect] = set()
        area = 0.0
        for key in self._cells(r):
            for o in self.grid.get(key, ()):
                if o in seen:
                    continue
                seen.add(o)
                w = min(r[2], o[2]) - max(r[0], o[0])
                h = min(r[3], o[3]) - max(r[1], o[1])
                if w > 0 and h > 0:
                    area += w * h
        return area

    def add(self, r: Rect) -> None:
        for key in self._cells(r):
            self.grid.setdefault(key, []).append(r)


class _Markers:
    """Marker centres bucketed on a grid: which marker lies nearest a label, without a full scan."""

    def __init__(self, rects: Iterable[Rect], cell: float = 64.0):
        self.cell = cell
        self.grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for r in rects:
            cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
            self.grid.setdefault((int(cx // cell), int(cy // cell)), []).append((cx, cy))

    def nearer_than(self, r: Rect, x: float, y: float, d_own: float) -> bool:
        """True when a marker other than the one at (x, y) is nearer the rectangle ``r`` than ``d_own``."""
        c = self.cell
        lim = d_own - 0.5
        if lim <= 0:
            return False
        for gx in range(int((r[0] - lim) // c), int((r[2] + lim) // c) + 1):
            for gy in range(int((r[1] - lim) // c), int((r[3] + lim) // c) + 1):
                for cx, cy in self.grid.get((gx, gy), ()):
                    if abs(cx - x) < 1e-6 and abs(cy - y) < 1e-6:
                        continue  # its own marker
                    if _rect_distance(r, cx, cy) < lim:
                        return True
        return False


def _rect_distance(r: Rect, x: float, y: float) -> float:
    """From a point to the nearest point of a rectangle (0 inside it)."""
    return math.hypot(min(max(x, r[0]), r[2]) - x, min(max(y, r[1]), r[3]) - y)


def place_labels(
    anchors: Sequence[tuple[float, float, float, float, float]],
    *,
    bounds: Rect | None = None,
    obstacles: Iterable[Rect] = (),
    force: Sequence[bool] | None = None,
    hubs: Sequence[bool] | None = None,
    sides: Sequence[int] | None = None,
    may_cover: Sequence[bool] | None = None,
) -> list[Rect | None]:
    """Greedy label placement, in the given (priority) order.

    ``anchors``: (x, y, marker radius, text width, text height) in device pixels; ``obstacles``:
    the markers' rectangles. Tries eight positions around the marker, then the same twice further
    out; a spot nearer another marker than its own is taken only when no clear one is free (a
    leader line then says whose label it is). ``hubs`` marks labels worth reaching further for
    (the best-connected nodes sit among their neighbours, where the near spots are all taken): three
    more rings, a line of text apart. A label that fits nowhere is dropped (None) unless ``force``
    says it must be shown, in which case it goes to the in-bounds spot it overlaps least.
    ``sides`` (see :func:`outward_sides`): -1 tries the spots left of the marker first, +1 those
    right of it, 0 the usual order (right, left, above, below, then the corners). ``may_cover``
    says which forced labels may cover a name placed before them when nothing else is free (default:
    all); the others are dropped then rather than hide a name.
    """
    obstacles = list(obstacles)
    occ = _Occupancy()
    for r in obstacles:
        occ.add(r)
    labels = _Occupancy()  # the labels placed so far: a forced label covers a marker before a name
    markers = _Markers(obstacles)
    out: list[Rect | None] = []
    for idx, (x, y, rad, w, h) in enumerate(anchors):
        chosen: Rect | None = None
        unclear: Rect | None = None  # free, but nearer another marker than its own
        inside: list[Rect] = []
        must = force is not None and force[idx]
        gaps = [rad * d + 3.0 for d in (1.0, 2.2, 3.6)]
        if hubs is not None and hubs[idx]:
            gaps += [gaps[-1] + h * k for k in (1.0, 2.0, 3.0)]
        for g in gaps:
            spots = (
                (x + g, y - h / 2),  # right
                (x - g - w, y - h / 2),  # left
                (x - w / 2, y - g - h),  # above
                (x - w / 2, y + g),  # below
                (x + g * 0.7, y - g * 0.7 - h),  # above right
                (x + g * 0.7, y + g * 0.7),  # below right
                (x - g * 0.7 - w, y - g * 0.7 - h),  # above left
                (x - g * 0.7 - w, y + g * 0.7),  # below left
            )
            candidates = [spots[k] for k in _SPOT_ORDER[sides[idx] if sides is not None else 0]]
            for cx, cy in candidates:
                r = (cx, cy, cx + w, cy + h)
                if bounds is not None and (
                    r[0] < bounds[0] or r[1] < bounds[1] or r[2] > bounds[2] or r[3] > bounds[3]
                ):
                    continue
                inside.append(r)
                if occ.hits(r):
                    continue
                if markers.nearer_than(r, x, y, _rect_distance(r, x, y)):
                    unclear = unclear or r
                    continue
                chosen = r
                break
            if chosen:
                break
        chosen = chosen or unclear
        if chosen is None and must:
            # The spot covering the least of the labels placed so far (a hidden name is worse than a
            # covered marker), then the least covered; on a tie the nearest (candidates go outwards).
            least = min(inside, key=lambda r: (labels.overlap(r), occ.overlap(r))) if inside else None
            chosen = least or (x + rad + 3.0, y - h / 2, x + rad + 3.0 + w, y + h / 2)
            if bounds is not None:  # shift inside rather than clip
                dx = max(0.0, bounds[0] - chosen[0]) - max(0.0, chosen[2] - bounds[2])
                dy = max(0.0, bounds[1] - chosen[1]) - max(0.0, chosen[3] - bounds[3])
                chosen = (chosen[0] + dx, chosen[1] + dy, chosen[2] + dx, chosen[3] + dy)
            if may_cover is not None and not may_cover[idx] and labels.overlap(chosen) > 0:
                chosen = None  # it would hide a name: left to the tooltip, or to zooming in
        if chosen is not None:
            occ.add(chosen)
            labels.add(chosen)
        out.append(chosen)
    return out


# The order the eight spots round a marker are tried in: (right, left, above, below, above right,
# below right, above left, below left) by default; outward first for a column's labels.
_SPOT_ORDER = {0: (0, 1, 2, 3, 4, 5, 6, 7), 1: (0, 4, 5, 2, 3, 1, 6, 7), -1: (1, 6, 7, 2, 3, 0, 4, 5)}


def outward_sides(xs: Sequence[float], tolerance: float = 1e-3) -> list[int]:
    """When the markers stand in two columns (the bipartite layout), the side away from the other
    column for each (-1 left, +1 right), so a label never sits among the ties between the columns
    where it is hard to tell whose it is; all 0 for any other picture."""
    values = sorted({round(float(x) / tolerance) for x in xs}) if len(xs) else []
    if len(values) != 2:
        return [0] * len(xs)
    left = values[0]
    return [-1 if round(float(x) / tolerance) == left else 1 for x in xs]


def hub_flags(degrees: Sequence[int], count: int = 8) -> list[bool]:
    """The ``count`` best-connected (degree 2 or more) of ``degrees``: their labels reach further."""
    top = sorted(range(len(degrees)), key=lambda i: -degrees[i])[:count]
    flags = [False] * len(degrees)
    for i in top:
        flags[i] = degrees[i] >= 2
    return flags


def leader_line(
    x: float, y: float, rad: float, r: Rect, markers: npt.NDArray[np.float64] | None = None
) -> tuple[float, float, float, float] | None:
    """A line from a marker's edge to its label when it is not plain whose label it is: the label
    had to sit away from the marker (beyond the first ring of spots), or another marker (``markers``:
    (k, 2) centres, the label's own may be among them) lies nearer the label than its own does.
    None for a label right beside its marker with nothing nearer."""
    px, py = min(max(x, r[0]), r[2]), min(max(y, r[1]), r[3])  # the label's nearest point
    d = math.hypot(px - x, py - y)
    if d <= 1e-9:
        return None
    if d <= rad * 1.5 + 4.0:
        if markers is None or len(markers) == 0:
            return None
        mx, my = markers[:, 0], markers[:, 1]
        dist = np.hypot(np.clip(mx, r[0], r[2]) - mx, np.clip(my, r[1], r[3]) - my)
        others = (np.abs(mx - x) > 1e-6) | (np.abs(my - y) > 1e-6)
        if not bool((others & (dist < d - 0.5)).any()):
            return None
    return (x + (px - x) * rad / d, y + (py - y) * rad / d, px, py)
