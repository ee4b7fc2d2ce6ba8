"""The one timeline layout (screen and PDF): rows, bars, the broken axis, ticks and row labels."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import pytest

from app.core.query.filters import FilterSpec
from app.core.timeline.layout import (
    YearScale,
    axis_years,
    elide,
    labelled_rows,
    layout_timeline,
    least_label_years,
    nice_spacing,
    row_label,
)


@dataclass(frozen=True)
class E:
    id: str
    name: str
    founded: int | None
    ended: int | None = None
    kind: str = "alliance"


MODERN = [E("nato", "NATO", 1949), E("wp", "Warsaw Pact", 1955, 1991), E("csto", "CSTO", 1992)]
WESTPHALIA = E("wf", "Treaty of Westphalia", 1648)


def width(text: str) -> float:
    return 10.0 * len(text)  # a monospaced "font": ten units a character


def test_rows_are_dated_entities_in_founding_order_and_the_rest_is_listed_apart():
    lay = layout_timeline([E("b", "b", None), *reversed(MODERN), E("a", "A", None)], this_year=2026)
    assert [b.id for b in lay.bars] == ["nato", "wp", "csto"]
    assert [b.row for b in lay.bars] == [0, 1, 2]
    assert [e.id for e in lay.undated] == ["a", "b"]
    assert lay.row_of("csto") == 2 and lay.row_of("a") is None


def test_a_stated_end_closes_the_bar_and_no_end_runs_it_open_to_the_axis_end():
    lay = layout_timeline(MODERN, this_year=2026)
    nato, wp = lay.bars[0], lay.bars[1]
    assert (wp.x0, wp.x1, wp.is_open, wp.years) == (1955, 1991, False, "1955–1991")
    assert nato.is_open and nato.x1 == lay.x_max == 2028 and nato.years == "1949"
    assert lay.x_min == 1944 and lay.scale.break_x is None  # five years before the first, no break


def test_one_early_outlier_breaks_the_axis_and_its_bar_is_drawn_in_two_pieces():
    lay = layout_timeline([WESTPHALIA, *MODERN], this_year=2026)
    sc = lay.scale
    assert (sc.lo, sc.rest) == (1640, 1940)
    assert sc.x(1648) < sc.x(1660) < sc.break_x < sc.x(1940) == 1940
    assert round(sc.year(sc.x(1648))) == 1648 and sc.in_gap(sc.break_x)
    modern = (sc.x(2006) - sc.x(1949)) / (lay.x_max - lay.x_min)
    assert modern > 0.4  # 1949-2006 are not squeezed into a sliver
    (first, second) = lay.bars[0].pieces
    assert first[1] <= sc.rest - sc.gap and second[0] == sc.rest  # nothing drawn across the gap
    assert lay.bars[1].pieces == ((lay.bars[1].x0, lay.bars[1].x1),)


def test_the_axis_breaks_only_for_a_lone_outlier_a_century_early():
    assert axis_years(MODERN, this_year=2026) == (1940, 2026, None)
    assert axis_years([E("x", "x", 1900), *MODERN], this_year=2026)[2] is None  # 50 years: no break
    assert axis_years([WESTPHALIA, *MODERN], this_year=2026) == (1640, 2026, 1940)
    assert axis_years([E("x", "x", 1990, 2040)], this_year=2026) == (1990, 2040, None)  # a later end widens it
    assert axis_years([], this_year=2026) == (2026, 2026, None)


def test_an_empty_timeline_still_has_an_axis():
    lay = layout_timeline([E("u", "u", None)], this_year=2026)
    assert lay.bars == () and [e.id for e in lay.undated] == ["u"] and lay.x_min < lay.x_max


def test_ticks_skip_the_gap_but_keep_the_first_year_of_the_short_part():
    lay = layout_timeline([WESTPHALIA, *MODERN], this_year=2026)
    ticks = lay.ticks(lay.x_min, lay.x_max, 10)
    years = [round(lay.scale.year(x)) for x in ticks]
    assert years[0] == 1640 and years[1:] == list(range(1940, 2030, 10))
    assert not any(lay.scale.in_gap(x) for x in ticks)
    plain = layout_timeline(MODERN, this_year=2026)
    assert plain.ticks(1944, 2028, 20) == [1960, 1980, 2000, 2020]


@pytest.mark.parametrize(("least", "major", "minor"), [(6.3, 10, 2), (0.7, 1, 0.2), (13, 20, 10), (31, 50, 10)])
def test_tick_spacing_is_a_nice_number_at_least_a_label_apart(least, major, minor):
    assert nice_spacing(least) == pytest.approx((major, minor))
    # labels 75 px wide on 1500 px showing 100 years: 6.25 years apart at least
    assert least_label_years(100, 1500, 75) == pytest.approx(6.25)


def test_row_labels_name_and_years_fit_their_budget():
    lay = layout_timeline([E("c", "Collective Security Treaty Organization", 1992), *MODERN], this_year=2026)
    labels = {b.id: row_label(b, width, 300) for b in lay.bars}
    assert labels["nato"] == "NATO · 1949" and labels["wp"] == "Warsaw Pact · 1955–1991"
    assert labels["c"].endswith("… · 1992") and width(labels["c"]) <= 300
    long = lay.bars[lay.row_of("c") or 0]
    assert row_label(long, width, 10_000) == "Collective Security Treaty… · 1992"  # cut at 28 characters
    assert row_label(long, width, 200, with_years=False) == "Collective Security…"


def test_elide_cuts_to_the_budget_with_an_ellipsis():
    assert elide("Warsaw Pact", width, 110) == "Warsaw Pact"
    assert elide("Warsaw Pact", width, 60) == "Warsa…"
    assert elide("Warsaw Pact", width, 10) == "…" and elide("Warsaw Pact", width, 5) == ""


def test_row_names_are_thinned_to_every_nth_row_when_rows_are_thinner_than_a_line():
    assert list(labelled_rows(0, 9, 10, 40, 16)) == list(range(10))  # room: every row
    thin = list(labelled_rows(-0.6, 49.6, 50, 5, 16))  # 5 px a row, 18 px a name: every 4th
    assert thin[0] == 0 and all(b - a == 4 for a, b in pairwise(thin)) and thin[-1] >= 46
    panned = list(labelled_rows(3.2, 20, 50, 5, 16))
    assert panned[0] == 4 and set(panned) <= set(thin)  # the same rows keep their names while panning
    assert list(labelled_rows(0, 5, 0, 10, 16)) == []


def test_scale_round_trips_years():
    sc = YearScale(1640, 2026, 1940)
    for year in (1640, 1650, 1660, 1940, 1999, 2026):
        assert sc.year(sc.x(year)) == pytest.approx(year)
    assert YearScale(1940, 2026, None).x(1955) == 1955


def test_the_catalogue_lays_out_with_westphalia_broken_off(repo):
    lay = layout_timeline(repo.list_entities(FilterSpec()))
    assert lay.bars[0].id == "treaty-of-westphalia" and lay.scale.rest is not None
    assert "five-eyes" in {e.id for e in lay.undated}
    assert all(a.founded <= b.founded for a, b in pairwise(lay.bars))
