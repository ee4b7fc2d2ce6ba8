"""One timeline layout, drawn by the Timeline view on screen and by the PDF summary's figure.

Rows are the entities whose founding year the documents state, earliest first; the rest are listed
apart (``undated``), never placed on the axis as if their date were known. A bar runs from the
founding year to the stated end year; without one it is *open* (drawn hatched, to the axis' right
end): "no end year stated", not "still exists". One early outlier (the Treaty of Westphalia, 1648)
would squeeze every modern bar into a sliver, so the axis then breaks: a short stretch round the
outlier, a gap, and the rest at full scale. Everything here is in *axis units* (a year is one unit
right of the break); a painter maps them to its pixels.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

LEFT_YEARS = 20  # years shown before a break
LABEL_CHARS = 28  # a row's name is cut here (the marker's tooltip has the full name)
ELLIPSIS = "…"


class Named(Protocol):
    """What a timeline row shows of anything: its id, name and kind."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...


class Dated(Named, Protocol):
    """What the timeline needs of an entity (an ``EntityRow`` or an ``EntityDetail``)."""

    @property
    def founded(self) -> int | None: ...
    @property
    def ended(self) -> int | None: ...


E = TypeVar("E", bound=Dated)


def axis_years(
    entities: Iterable[Dated], *, limit: int | None = None, this_year: int | None = None
) -> tuple[int, int, int | None]:
    """(first decade, last year, start of the right part when the axis is broken), from the founding
    years (the first ``limit`` distinct ones) and end years. The axis breaks when the earliest year
    lies more than a century, and more than 0.6 of the modern span, before the next decade."""
    items = list(entities)
    founded = sorted({e.founded for e in items if e.founded})[:limit]
    now = this_year if this_year is not None else dt.date.today().year
    hi = max([now, *(e.ended or 0 for e in items)])
    if not founded:
        return now, hi, None
    lo = (founded[0] // 10) * 10
    if len(founded) >= 2:
        rest = (founded[1] // 10) * 10
        if rest - founded[0] > max(100, (hi - rest) * 0.6):
            return lo, hi, rest
    return lo, hi, None


@dataclass(frozen=True)
class YearScale:
    """Years to axis units and back. With a break (``rest``): the ``LEFT_YEARS`` after ``lo`` take
    ``left_share`` of the width the years from ``rest`` on take, then a gap of ``gap_share``, then
    ``rest`` onwards at x = year."""

    lo: int
    hi: int
    rest: int | None
    left_share: float = 0.18
    gap_share: float = 0.08
    left_years: int = LEFT_YEARS

    @property
    def left_w(self) -> float:
        return self._modern * self.left_share

    @property
    def gap(self) -> float:
        return self._modern * self.gap_share

    @property
    def _modern(self) -> float:
        return float(max(1, self.hi - (self.rest or self.lo)))

    def x(self, year: float) -> float:
        if self.rest is None or year >= self.rest:
            return float(year)
        start = self.rest - self.gap - self.left_w  # where lo sits
        frac = (min(year, self.lo + self.left_years) - self.lo) / self.left_years
        return start + frac * self.left_w

    def year(self, x: float) -> float:
        if self.rest is None or x >= self.rest:
            return x
        start = self.rest - self.gap - self.left_w
        return self.lo + (x - start) / self.left_w * self.left_years

    def in_gap(self, x: float) -> bool:
        return self.rest is not None and self.rest - self.gap < x < self.rest

    @property
    def break_x(self) -> float | None:
        """The middle of the gap, where the break is marked; None when the axis is whole."""
        return None if self.rest is None else self.rest - self.gap / 2

    def pieces(self, x0: float, x1: float) -> list[tuple[float, float]]:
        """A bar from x0 to x1 as drawn: in two pieces when it crosses the gap."""
        if self.rest is None or not (x0 < self.rest - self.gap and x1 > self.rest):
            return [(x0, x1)]
        return [(x0, self.rest - self.gap), (float(self.rest), x1)]


@dataclass(frozen=True)
class Bar(Generic[E]):
    """One row: an entity, its bar in axis units (``pieces``: two when it crosses the break)."""

    row: int
    entity: E
    founded: int
    ended: int | None
    x0: float
    x1: float
    pieces: tuple[tuple[float, float], ...]

    @property
    def id(self) -> str:
        return self.entity.id

    @property
    def is_open(self) -> bool:
        """No end year stated: drawn hatched with a dashed outline, to the axis' right end."""
        return self.ended is None

    @property
    def years(self) -> str:
        return f"{self.founded}–{self.ended}" if self.ended is not None else f"{self.founded}"


@dataclass(frozen=True)
class TimelineLayout(Generic[E]):
    """The bars (row i is ``bars[i]``), the undated entities by name, the scale and the axis' extent."""

    bars: tuple[Bar[E], ...]
    undated: tuple[E, ...]
    scale: YearScale
    x_min: float
    x_max: float

    def row_of(self, entity_id: str | None) -> int | None:
        return next((b.row for b in self.bars if b.id == entity_id), None)

    def ticks(self, x_min: float, x_max: float, major: float) -> list[float]:
        """Tick positions between x_min and x_max every ``major`` years; across a break only the
        years from ``rest`` on, plus the first year of the short part (more would overlap)."""
        return ticks_across_break(self.scale, _multiples(x_min, x_max, major), x_min, x_max)


def layout_timeline(
    entities: Iterable[E], *, limit: int | None = None, this_year: int | None = None, keep_order: bool = False
) -> TimelineLayout[E]:
    """Lay out ``entities``: the dated ones in founding order (then by name), the undated by name.
    The axis runs from a little before the first year to a little after this year (or the last end year).
    ``keep_order``: the dated rows in the order given (an alliance, then its memberships)."""
    items = list(entities)
    dated = [e for e in items if e.founded is not None]
    if not keep_order:
        dated.sort(key=lambda e: (e.founded or 0, e.name.casefold()))
    undated = tuple(sorted((e for e in items if e.founded is None), key=lambda e: e.name.casefold()))
    now = this_year if this_year is not None else dt.date.today().year
    if not dated:
        scale = YearScale(now - 50, now, None)
        return TimelineLayout((), undated, scale, float(now - 50), float(now))
    scale = YearScale(*axis_years(dated, limit=limit, this_year=now))
    years = [e.founded for e in dated if e.founded is not None] + [e.ended for e in dated if e.ended is not None]
    right = max(now, *years) + 2
    left = scale.lo - 2 if scale.rest is not None else min(years) - 5
    x_max = scale.x(right)
    bars = []
    for i, e in enumerate(dated):
        founded = int(e.founded or 0)
        x0 = scale.x(founded)
        x1 = scale.x(e.ended) if e.ended is not None else x_max
        bars.append(Bar(i, e, founded, e.ended, x0, x1, tuple(scale.pieces(x0, x1))))
    return TimelineLayout(tuple(bars), undated, scale, scale.x(left), x_max)


# ---- an alliance's memberships -------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """One membership drawn as a row: the member, its entry year (``founded``) and exit year (``ended``:
    None when it was still a member at the dataset's end)."""

    id: str
    name: str
    kind: str
    founded: int | None
    ended: int | None


class Membership(Named, Protocol):
    """What :func:`membership_spans` needs of a member link (``app.core.query.views.Link``)."""

    @property
    def start_year(self) -> int | None: ...
    @property
    def end_year(self) -> int | None: ...


def membership_spans(members: Iterable[Membership]) -> list[Span]:
    """The memberships with stated years (a dataset's), by entry year then name; a member that left and
    joined again has a row per stay."""
    spans = [Span(m.id, m.name, m.kind, m.start_year, m.end_year) for m in members if m.start_year is not None]
    return sorted(spans, key=lambda s: (s.founded or 0, s.name.casefold(), s.ended or 0))


# ---- ticks ---------------------------------------------------------------------------------------------
def least_label_years(span: float, px: float, label_px: float) -> float:
    """Years between labelled ticks so that four-digit labels ``label_px`` wide stay a quarter of a
    label apart, on an axis showing ``span`` years in ``px`` pixels."""
    return 1.25 * label_px * span / px if px > 0 else span


def nice_spacing(least: float) -> tuple[float, float]:
    """The smallest nice major spacing (1, 2, 5, 10 × a power of ten) of at least ``least`` years, and
    its minor spacing."""
    power = 10.0 ** math.floor(math.log10(max(least, 1e-9)))
    steps = ((1, 5), (2, 2), (5, 5), (10, 5))  # nice major spacings, and minor ticks per major
    major, parts = next((m * power, parts) for m, parts in steps if m * power >= least)
    return major, major / parts


def ticks_across_break(scale: YearScale, values: Sequence[float], x_min: float, x_max: float) -> list[float]:
    """``values`` without those before a break, plus the short part's first year when in view."""
    if scale.rest is None:
        return list(values)
    rest = scale.rest
    early = [v for v in (scale.x(scale.lo),) if x_min <= v <= x_max]
    return early + [v for v in values if v >= rest]


def _multiples(x_min: float, x_max: float, step: float) -> list[float]:
    first = math.ceil(x_min / step)
    return [k * step for k in range(first, math.floor(x_max / step) + 1)]


# ---- row labels ----------------------------------------------------------------------------------------
def elide(text: str, width: Callable[[str], float], budget: float) -> str:
    """``text`` cut at the right with an ellipsis so that ``width(result) <= budget`` (empty if even
    the ellipsis does not fit)."""
    if width(text) <= budget:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with its ellipsis
        mid = (lo + hi + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS) <= budget:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return ELLIPSIS if width(ELLIPSIS) <= budget else ""
    return text[:lo].rstrip() + ELLIPSIS


def row_label(bar: Bar[E], width: Callable[[str], float], budget: float, *, with_years: bool = True) -> str:
    """``name · years``, the name cut at LABEL_CHARS, and shorter when the whole would not fit
    ``budget`` as measured by ``width`` (a font's advance)."""
    name = bar.entity.name
    if len(name) > LABEL_CHARS:
        name = name[: LABEL_CHARS - 1].rstrip() + ELLIPSIS
    if not with_years:
        return elide(bar.entity.name, width, budget)
    suffix = f" · {bar.years}"
    room = budget - width(suffix)
    if width(name) > room:
        name = elide(bar.entity.name, width, max(room, 0))
    return name + suffix


def labelled_rows(top: float, bottom: float, count: int, px_per_row: float, line_px: float) -> range:
    """The rows to name when rows ``top``..``bottom`` are in view: every one when a line of text fits
    a row, else every n-th (counted from row 0, so names do not jump while panning)."""
    if count <= 0:
        return range(0)
    step = max(1, math.ceil((line_px + 2) / max(px_per_row, 1e-9)))
    first = max(0, math.floor(top))
    last = min(count - 1, math.ceil(bottom))
    return range(first + (-first) % step, last + 1, step)
