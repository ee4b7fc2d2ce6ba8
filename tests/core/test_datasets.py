"""Alliance datasets (ATOP, COW): codes to countries, membership years and As of, re-import, removal,
bad files refused with nothing half-imported (files written by tests/datasets_fixtures.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.core.atlas import Atlas
from app.core.datasets import DatasetError, ImportCancelled, import_dataset, preview, remove_dataset
from app.core.query.filters import FilterSpec
from tests.datasets_fixtures import (
    ATOP_ALLIANCE_COLUMNS,
    ATOP_MEMBER_COLUMNS,
    atop_rows,
    write_atop,
    write_cow,
    write_states,
)


def _import_atop(atlas: Atlas, folder: Path, **kw: object) -> dict[str, object]:
    a, m = write_atop(folder)
    return import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m, **kw)  # type: ignore[arg-type]


def _counts(atlas: Atlas) -> tuple[int, ...]:
    with atlas.user_data.read() as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "dataset",
                "dataset_entity",
                "dataset_fact",
                "dataset_citation",
                "dataset_record",
                "user_entity_fts",
            )
        )


def test_atop_import_names_countries_and_reports_the_unknown_code(atlas: Atlas, tmp_path: Path) -> None:
    report = _import_atop(atlas, tmp_path)
    assert report == {
        "dataset": "ATOP",
        "version": "5.1",
        "alliances": 2,
        "memberships": 18,
        "countries": 16,
        "unknown_codes": [260],
        "skipped": [],
    }
    nato = atlas.repo.get_entity("atop-3180")
    assert nato is not None and nato.kind == "alliance" and nato.founded == 1949 and nato.origin == "dataset"
    names = {m.name: m.id for m in nato.members}
    # Matched to the catalogue's own countries by name; a code no library knows kept as "COW 260".
    assert names["United States"] == "united-states" and names["United Kingdom"] == "united-kingdom"
    assert names["COW 260"] == "ccode-260" and "Spain" in names
    bilateral = atlas.repo.get_entity("atop-1005")
    assert bilateral is not None and bilateral.name == "United Kingdom – Portugal (1815)"
    # The alliance is found by the list's search and counted as "From datasets".
    assert "atop-3180" in [r.id for r in atlas.repo.list_entities(FilterSpec(text="ATOP 3180"))]
    origins = {f.value: f.label for f in atlas.repo.facet_counts(FilterSpec())["origins"]}
    assert origins["dataset"] == "From datasets"


def test_states_file_names_codes_no_library_knows(atlas: Atlas, tmp_path: Path) -> None:
    report = _import_atop(atlas, tmp_path, states=write_states(tmp_path / "states"))
    assert report["unknown_codes"] == []
    nato = atlas.repo.get_entity("atop-3180")
    assert nato is not None and "German Federal Republic" in {m.name for m in nato.members}


def test_as_of_keeps_alliances_in_force_and_members_of_that_year(atlas: Atlas, tmp_path: Path) -> None:
    _import_atop(atlas, tmp_path)
    in_1960 = {r.id for r in atlas.repo.list_entities(FilterSpec(as_of=1960, kinds=("alliance",)))}
    assert "atop-3180" in in_1960 and "atop-1005" not in in_1960  # UK–Portugal ended in 1815
    assert "atop-1005" in {r.id for r in atlas.repo.list_entities(FilterSpec(as_of=1815))}
    assert "atop-3180" not in {r.id for r in atlas.repo.list_entities(FilterSpec(as_of=1900))}
    members = {m.name for m in atlas.repo.entity_details(["atop-3180"], as_of=1960)[0].members}
    assert len(members) == 15 and "COW 260" in members and "Spain" not in members
    assert len(atlas.repo.entity_details(["atop-3180"], as_of=1950)[0].members) == 12
    assert len(atlas.repo.entity_details(["atop-3180"])[0].members) == 16
    # Members facet and the "with Spain" filter follow the year too.
    spain = atlas.repo.resolve("Spain")
    assert spain is not None
    assert not atlas.repo.list_entities(FilterSpec(members=(spain,), as_of=1960))
    assert [r.id for r in atlas.repo.list_entities(FilterSpec(members=(spain,), as_of=1990))] == ["atop-3180"]
    facet = {f.value: f.count for f in atlas.repo.facet_counts(FilterSpec(as_of=1960))["members"]}
    assert spain not in facet and facet["united-states"] >= 1
    # The graph's ties follow it as well.
    pairs = atlas.repo.relation_pairs(as_of=1960)
    assert ("atop-3180", "ccode-260", "member") in pairs and ("atop-3180", spain, "member") not in pairs


def test_reimport_replaces_only_that_dataset_and_remove_keeps_notes(atlas: Atlas, tmp_path: Path) -> None:
    _import_atop(atlas, tmp_path)
    import_dataset(atlas.repo, atlas.user_data, "cow", members=write_cow(tmp_path / "cow"))
    note = atlas.user_data.notes.create_note(title="My NATO note", body="checked", entity_id="atop-3180")
    before = _counts(atlas)
    _import_atop(atlas, tmp_path)
    assert _counts(atlas) == before  # the same files again: nothing more, nothing less
    assert atlas.repo.get_entity("cow-2205") is not None
    assert remove_dataset(atlas.user_data, "atop") == 2
    assert atlas.repo.get_entity("atop-3180") is None
    assert atlas.repo.get_entity("cow-2205") is not None and atlas.repo.get_entity("nato") is not None
    # COW still names these countries; 260 only ATOP named, so it went with it.
    assert atlas.repo.get_entity("ccode-260") is None
    kept = atlas.user_data.notes.get_note(note.id)
    assert kept is not None and kept.entity_id == "atop-3180"  # detached, not deleted
    assert remove_dataset(atlas.user_data, "atop") == 0


def test_preview_writes_nothing(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path)
    before = _counts(atlas)
    plan = preview(atlas.repo, "atop", alliances=a, members=m)
    assert len(plan.alliances) == 2 and plan.unknown_codes == [260] and plan.memberships == 18
    assert _counts(atlas) == before


def test_cancel_rolls_everything_back(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path, size=30)
    before = _counts(atlas)
    seen: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        import_dataset(
            atlas.repo,
            atlas.user_data,
            "atop",
            alliances=a,
            members=m,
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: len(seen) >= 1,
        )
    assert seen and _counts(atlas) == before


def _bad(tmp_path: Path, alliances: str | None = None, members: str | None = None) -> tuple[Path, Path]:
    a, m = write_atop(tmp_path)
    if alliances is not None:
        a.write_text(alliances, encoding="utf-8")
    if members is not None:
        m.write_text(members, encoding="utf-8")
    return a, m


HEAD_M = "atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase\n"


@pytest.mark.parametrize(
    ("alliances", "members", "message"),
    [
        (
            None,
            HEAD_M + "3180,2,1949,8,24,0,0,0,1\n3180,20,1949\n",
            "line 3: 3 values for 9 columns (a truncated row?)",
        ),
        (None, HEAD_M + "3180,2,nineteen,8,24,0,0,0,1\n", "line 2: yrent is 'nineteen', not a whole number"),
        (None, HEAD_M + "3180,1949,2,8,24,0,0,0,1\n", "line 2: member is 1949, not a COW country code"),
        (None, "", "atop5_1m.csv is empty"),
        (None, HEAD_M, "has a header but no memberships"),
        (None, "atopid,member,yrexit\n1,2,0\n", "the column yrent is missing"),
    ],
)
def test_bad_member_files_are_refused_naming_the_line(
    atlas: Atlas, tmp_path: Path, alliances: str | None, members: str | None, message: str
) -> None:
    a, m = _bad(tmp_path, alliances, members)
    before = _counts(atlas)
    with pytest.raises(DatasetError) as err:
        import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    assert message in str(err.value)
    assert _counts(atlas) == before


def test_swapped_atop_files_are_named(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path)
    with pytest.raises(DatasetError) as err:
        import_dataset(atlas.repo, atlas.user_data, "atop", alliances=m, members=a)
    text = str(err.value)
    assert "atop5_1m.csv is not ATOP's alliance-level file" in text and "member-level file" in text


def test_a_huge_file_is_refused_without_reading_it(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path)
    with m.open("ab") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing written
    with pytest.raises(DatasetError) as err:
        import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    assert "100 MB" in str(err.value) and "not one of them" in str(err.value)


def test_cow_import_and_duplicate_rows_skipped(atlas: Atlas, tmp_path: Path) -> None:
    path = write_cow(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    report = import_dataset(atlas.repo, atlas.user_data, "cow", members=path)
    assert report["dataset"] == "COW" and report["version"] == "4.1" and report["alliances"] == 2
    assert report["skipped"] == [{"row": len(lines) + 1, "reason": f"{path.name}: the same membership as line 2"}]
    nato = atlas.repo.get_entity("cow-2205")
    assert nato is not None and nato.founded == 1949 and len(nato.members) == 11


def test_progress_runs_from_reading_to_writing(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path, size=200)
    seen: list[tuple[int, int]] = []
    import_dataset(
        atlas.repo, atlas.user_data, "atop", alliances=a, members=m, progress=lambda d, t: seen.append((d, t))
    )
    done = [d for d, _t in seen]
    assert {t for _d, t in seen} == {2000} and done == sorted(done)
    assert any(0 < d < 1000 for d in done) and done[-1] == 2000  # reading reported, then writing to the end


def test_the_member_file_may_repeat_alliance_level_columns_and_names_any_case(atlas: Atlas, tmp_path: Path) -> None:
    """ATOP's member-level file also carrying begyr/endyr and the obligations (as the release's may), in
    capitals as a Stata export writes them, is still read as the member-level file; the swapped files
    are still refused."""
    alliances, members = atop_rows()
    a, m = tmp_path / "atop5_1a.csv", tmp_path / "atop5_1m.csv"
    extra = ["begyr", "endyr", "defense", "offense", "neutral", "nonagg", "consul"]
    for path, columns, rows in (
        (a, ATOP_ALLIANCE_COLUMNS, alliances),
        (m, [c.upper() for c in ATOP_MEMBER_COLUMNS + extra], [[*r, 1949, 0, 1, 0, 0, 0, 1] for r in members]),
    ):
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            w.writerows(rows)
    plan = preview(atlas.repo, "atop", alliances=a, members=m)
    assert plan.report()["memberships"] == 18 and plan.report()["alliances"] == 2
    with pytest.raises(DatasetError, match=r"atop5_1m\.csv has unexpected columns for ATOP.s alliance-level file"):
        preview(atlas.repo, "atop", alliances=m, members=a)
