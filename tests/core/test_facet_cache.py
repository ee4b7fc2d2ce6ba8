"""The facet counts with no filter are kept until the user's data changes (issue 11: they cost a second
and more at 10,000 entities, at every start and every cleared search)."""

from __future__ import annotations

from app.core.atlas import Atlas
from app.core.query.filters import FilterSpec


def _tags(atlas: Atlas) -> dict[str, int]:
    return {v.value: v.count for v in atlas.repo.facet_counts(FilterSpec())["tags"]}


def test_unfiltered_facet_counts_are_reused_until_the_user_data_changes(atlas: Atlas, monkeypatch) -> None:
    first = atlas.repo.facet_counts(FilterSpec())
    assert first["kinds"] and _tags(atlas) == {}
    calls: list[FilterSpec] = []
    real = atlas.repo._facet_counts
    monkeypatch.setattr(atlas.repo, "_facet_counts", lambda spec: calls.append(spec) or real(spec))
    assert atlas.repo.facet_counts(FilterSpec()) == first
    assert calls == []  # kept
    atlas.user_data.notes.tag_entities("watch", ["nato", "csto"])
    assert _tags(atlas) == {"watch": 2}  # the user's tags changed: counted again
    assert len(calls) == 1
    atlas.repo.facet_counts(FilterSpec(kinds=("alliance",)))
    assert len(calls) == 2  # a filter is always counted afresh
