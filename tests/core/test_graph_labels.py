"""Label placement rules added for issue 14 item 6: a forced label covers markers before names,
only the chosen few may hide a name, and a two-column (bipartite) picture labels outward."""

from __future__ import annotations

from app.core.graph.labels import outward_sides, place_labels


def _overlap(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def test_a_forced_label_covers_a_marker_rather_than_another_name():
    # Two markers side by side in a small box: the first label takes the only clear spot; the second,
    # forced, has only spots covering that name or the markers: it covers a marker.
    anchors = [(50.0, 50.0, 6.0, 40.0, 14.0), (70.0, 50.0, 6.0, 40.0, 14.0)]
    obstacles = [(x - r, y - r, x + r, y + r) for x, y, r, _w, _h in anchors]
    bounds = (0.0, 30.0, 130.0, 70.0)
    first, second = place_labels(anchors, bounds=bounds, obstacles=obstacles, force=[True, True])
    assert first is not None and second is not None
    assert not _overlap(first, second)


def test_only_the_chosen_labels_may_hide_a_name_the_others_are_dropped():
    # Everything round the second marker is taken by the first label and the border.
    anchors = [(50.0, 50.0, 6.0, 100.0, 14.0), (60.0, 50.0, 6.0, 100.0, 14.0)]
    bounds = (0.0, 35.0, 165.0, 65.0)
    kw = {"bounds": bounds, "obstacles": [], "force": [True, True]}
    first, second = place_labels(anchors, **kw)
    assert second is not None and _overlap(first, second)  # forced and allowed: shown over it
    first, second = place_labels(anchors, **kw, may_cover=[True, False])
    assert first is not None and second is None  # not allowed to hide the first name: dropped


def test_two_columns_label_outward_other_pictures_as_usual():
    assert outward_sides([-600.0, 600.0, -600.0, 600.0]) == [-1, 1, -1, 1]
    assert outward_sides([-600.0, 0.0, 600.0]) == [0, 0, 0]  # three columns: not bipartite
    assert outward_sides([5.0, 5.0]) == [0, 0] and outward_sides([]) == []
    # A left-column marker with room on both sides: its label goes left, away from the ties.
    anchors = [(100.0, 100.0, 6.0, 50.0, 14.0), (300.0, 100.0, 6.0, 50.0, 14.0)]
    left, right = place_labels(anchors, bounds=(0, 0, 400, 200), sides=[-1, 1])
    assert left[2] <= 100 - 6 and right[0] >= 300 + 6
    plain = place_labels(anchors, bounds=(0, 0, 400, 200))
    assert plain[0][0] >= 100 + 6  # the usual first choice: right of the marker


def test_a_label_avoids_a_spot_nearer_another_marker_than_its_own():
    """A name right of its marker, but nearer a small marker beside it than its own, would read as
    the other one's: it goes left instead (and right when nothing is there)."""
    own = (95.0, 95.0, 105.0, 105.0)  # the marker at (100, 100), radius 5
    anchor = (100.0, 100.0, 5.0, 40.0, 10.0)
    (alone,) = place_labels([anchor], obstacles=[own])
    assert alone is not None and alone[0] > 100  # right of the marker, the usual first choice
    beside = (149.0, 107.0, 151.0, 109.0)  # another marker just past the right spot's end
    (moved,) = place_labels([anchor], obstacles=[own, beside])
    assert moved is not None and moved[2] < 100  # left of its marker
    # Only one spot, and it is nearer the other marker: taken rather than no name at all.
    (only,) = place_labels([anchor], obstacles=[own, beside], bounds=(100.0, 0.0, 200.0, 200.0))
    assert only is not None and only[0] > 100
