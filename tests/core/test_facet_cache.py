"""The facet counts with no filter are kept until the user's data changes (issue 11: they cost a second
and more at 10,000 entities, at every start and every cleared search); the facet index is kept in the
data folder between starts (seconds to make at 100,000 entities): the same counts, never a stale or
damaged one."""

from __future__ import annotations

from pathlib import Path

from app.core.atlas import Atlas, open_atlas
from app.core.query.filters import FilterSpec
from app.core.sources.service import add_entity, import_paths
from app.paths import DataPaths


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


# ---- the facet index kept between starts ---------------------------------------------------------
SPECS = [FilterSpec(), FilterSpec(kinds=("alliance",)), FilterSpec(text="defence"), FilterSpec(as_of=1990)]


def _counts(paths: DataPaths) -> list[dict[str, list[tuple[str, str, int]]]]:
    with open_atlas(paths, rebuild_stale=False) as atlas:
        return [
            {dim: [(v.value, v.label, v.count) for v in values] for dim, values in atlas.repo.facet_counts(s).items()}
            for s in SPECS
        ]


def test_a_later_start_counts_from_the_kept_index_exactly_as_from_the_catalogue(data_paths: DataPaths) -> None:
    first = _counts(data_paths)  # made from the catalogue, then kept
    (kept,) = data_paths.facet_cache.glob("facets-*.npz")
    written = kept.stat().st_mtime_ns
    again = _counts(data_paths)
    assert again == first and any(first[0].values())
    assert list(data_paths.facet_cache.glob("facets-*.npz")) == [kept]
    assert kept.stat().st_mtime_ns == written  # read, not made and written again


def test_a_damaged_or_foreign_kept_index_is_ignored(data_paths: DataPaths) -> None:
    first = _counts(data_paths)
    (kept,) = data_paths.facet_cache.glob("facets-*.npz")
    kept.write_bytes(kept.read_bytes()[: len(kept.read_bytes()) // 2])  # cut short
    assert _counts(data_paths) == first
    (kept,) = data_paths.facet_cache.glob("facets-*.npz")
    kept.write_bytes(b"not a zip file")
    assert _counts(data_paths) == first


def test_your_own_entities_change_the_kept_index(data_paths: DataPaths, tmp_path: Path) -> None:
    """An imported document and an entity made from it: the counts are the catalogue's new ones."""
    before = _counts(data_paths)
    brief = tmp_path / "brief.md"
    brief.write_text(
        "# Pacific\n\nThe South Pacific Defence Council was established in 2019 by Australia and France.\n",
        encoding="utf-8",
    )
    with open_atlas(data_paths, rebuild_stale=False) as atlas:
        store = atlas.user_data.sources
        batch = import_paths(atlas.repo, store, [brief])
        assert not batch.errors
        quote = "The South Pacific Defence Council was established in 2019 by Australia and France."
        add_entity(atlas.repo, store, name="SPDC", kind="organisation", document=batch.reports[0].id, quote=quote)
    after = _counts(data_paths)
    origins = {v[0]: v[2] for v in after[0]["origins"]}
    assert origins.get("user") == 1 and after != before
    assert len(list(data_paths.facet_cache.glob("facets-*.npz"))) == 1  # the older one went


def test_a_cache_folder_that_cannot_be_written_changes_nothing(data_paths: DataPaths) -> None:
    data_paths.facet_cache.parent.mkdir(parents=True, exist_ok=True)
    data_paths.facet_cache.write_text("a file where the folder would be")
    first = _counts(data_paths)
    assert _counts(data_paths) == first and data_paths.facet_cache.is_file()
