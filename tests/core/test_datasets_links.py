"""Alliance datasets beside the documents: record citations in JSON, CSV and PDF, the Obligations facet,
same-as links (proposed, confirmed, removed) and disagreements shown with both sources."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from app.core.atlas import Atlas
from app.core.datasets import import_dataset
from app.core.exports.data import export_data
from app.core.exports.report_data import ExportOptions, collect_report
from app.core.exports.report_typst import build_source
from app.core.query.filters import FilterSpec
from tests.datasets_fixtures import write_atop, write_cow


def _import_both(atlas: Atlas, folder: Path) -> None:
    a, m = write_atop(folder / "atop")
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    import_dataset(atlas.repo, atlas.user_data, "cow", members=write_cow(folder / "cow"))


def test_dataset_citations_in_json_and_csv(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path)
    out = tmp_path / "nato.json"
    export_data(atlas.repo, FilterSpec(ids=("atop-3180",)), "json", out)
    (nato,) = json.loads(out.read_text(encoding="utf-8"))["entities"]
    assert nato["origin"] == "dataset" and nato["obligations"] == ["defense", "consul"]
    cited = [{k: c[k] for k in ("dataset", "version", "file", "record", "field", "value")} for c in nato["citations"]]
    expected = {"dataset": "ATOP", "version": "5.1", "file": "atop5_1a.csv", "record": "3180"}
    assert {**expected, "field": "defense", "value": "1"} in cited
    spain = next(m for m in nato["memberships"] if m["name"] == "Spain")
    assert spain["entered"] == 1982 and spain["left"] is None
    export_data(atlas.repo, FilterSpec(ids=("atop-3180",)), "csv", tmp_path / "nato.csv")
    with open(tmp_path / "nato-citations.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["dataset"] == "ATOP" and r["variable"] == "defense" and r["record_value"] == "1" for r in rows)
    with open(tmp_path / "nato-members.csv", encoding="utf-8-sig", newline="") as fh:
        members = list(csv.DictReader(fh))
    assert any(r["member"] == "Spain" and r["entered"] == "1982" and r["record"] == "ATOP 3180" for r in members)


def test_pdf_source_cites_the_record_and_shows_the_disagreement(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path)
    data = collect_report(atlas.repo, FilterSpec(ids=("nato", "atop-3180")), ExportOptions())
    source = build_source(data, ExportOptions())
    assert "ATOP 3180, defense = 1" in source and "from ATOP 5.1" in source
    assert "Sources disagree: Members now (documents, no year given) / at ATOP 5.1's end (2018)" in source
    assert "ATOP 5.1, in force at its end (2018)" in source and "the documents, now (no year given)" in source


def test_obligations_facet_and_filter(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path)
    facet = {f.value: f.count for f in atlas.repo.facet_counts(FilterSpec())["obligations"]}
    assert facet["defense"] == 3 and facet["consul"] == 2 and facet["entente"] == 1  # ATOP 1005, 3180; COW 2205
    ids = {r.id for r in atlas.repo.list_entities(FilterSpec(obligations=("entente",)))}
    assert ids == {"cow-1"}
    assert {r.id for r in atlas.repo.list_entities(FilterSpec(origins=("dataset",), kinds=("alliance",)))} == {
        "atop-1005", "atop-3180", "cow-1", "cow-2205",
    }  # fmt: skip


def test_same_as_proposed_confirmed_removed_and_kept_over_reimport(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path)
    store = atlas.user_data.datasets
    # NATO (founded 1949, 31 members stated) is ATOP 3180 (1949, 16 members); COW's 11 are too few.
    assert [(s.entity_id, s.dataset_id, s.status) for s in store.same_as() if s.entity_id == "nato"] == [
        ("nato", "atop-3180", "proposed")
    ]
    nato = atlas.repo.get_entity("nato")
    assert nato is not None and [(s.id, s.status) for s in nato.same_as] == [("atop-3180", "proposed")]
    store.set_same_as("nato", "atop-3180", "confirmed")
    store.set_same_as("nato", "cow-2205", "confirmed")
    a, m = write_atop(tmp_path / "again")
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    assert {(s.dataset_id, s.status) for s in store.same_as() if s.entity_id == "nato"} == {
        ("atop-3180", "confirmed"),
        ("cow-2205", "confirmed"),
    }
    store.set_same_as("nato", "atop-3180", "removed")
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)  # not proposed again
    assert [s.dataset_id for s in store.same_as() if s.entity_id == "nato"] == ["cow-2205"]
    out = tmp_path / "nato.json"
    export_data(atlas.repo, FilterSpec(ids=("nato",)), "json", out)
    (entity,) = json.loads(out.read_text(encoding="utf-8"))["entities"]
    assert entity["same_as"] == ["cow-2205"] and entity["same_as_status"] == {"cow-2205": "confirmed"}


def test_disagreements_keep_both_values_and_both_sources(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path)
    nato = atlas.repo.get_entity("nato")
    assert nato is not None
    (members,) = nato.disagreements
    assert members.what == "Members now (documents, no year given) / at ATOP 5.1's end (2018)"
    assert members.other_id == "atop-3180"
    assert members.catalogue.value == "31" and "31 countries" in members.catalogue.evidence
    assert members.dataset.value == "16" and members.dataset.source == "ATOP 5.1, in force at its end (2018)"
    assert "16 members of ATOP 3180 with no exit year (yrexit = 0)" in members.dataset.evidence
    # A founding year the documents and a dataset give differently (linked by hand).
    atlas.user_data.datasets.set_same_as("warsaw-pact", "cow-1", "confirmed")
    pact = atlas.repo.get_entity("warsaw-pact")
    assert pact is not None
    founded = next(x for x in pact.disagreements if x.what == "Founded")
    assert (founded.catalogue.value, founded.catalogue.source) == ("1955", "the documents")
    assert (founded.dataset.value, founded.dataset.evidence) == ("1815", "COW 1, all_st_year = 1815")
    # Agreeing values are not listed: ATOP and the documents both say 1949 for NATO.
    assert all(x.what != "Founded" for x in nato.disagreements)


def test_graph_edges_carry_the_record_and_the_detail_follows_as_of(atlas: Atlas, tmp_path: Path) -> None:
    from app.core.graph.network import build_graph

    _import_both(atlas, tmp_path)
    graph = build_graph(atlas.repo)
    edge = graph.edges["atop-3180", "ccode-260"]
    assert edge["quote"] == "ATOP 3180, member = 260" and edge["document_id"] == "ATOP 5.1 (atop5_1m.csv)"
    detail = atlas.repo.get_entity("atop-3180", as_of=1952)
    assert detail is not None and len(detail.members) == 14  # Greece and Turkey joined in 1952
