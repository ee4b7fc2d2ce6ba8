"""The catalogue: every fact cited verbatim, nothing claimed that the documents do not say."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from app.core.atlas import open_atlas
from app.core.query.filters import FilterSpec
from app.core.reference.build import build_reference
from app.core.reference.catalog import CatalogError, load_catalog, name_pattern
from app.core.reference.ingest import SeedError, load_documents
from app.paths import DataPaths
from tests.conftest import SEEDS


def _seeds_copy(tmp_path: Path, mutate) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    data = yaml.safe_load((seeds / "catalog.yaml").read_text(encoding="utf-8"))
    mutate(data)
    (seeds / "catalog.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return seeds


def _entity(data: dict, eid: str) -> dict:
    return next(e for e in data["entities"] if e["id"] == eid)


def test_catalogue_names_the_entities_the_issue_lists() -> None:
    docs = load_documents(SEEDS)
    catalog = load_catalog(SEEDS, docs)
    by_id = catalog.by_id()
    for eid in (
        "nato",
        "warsaw-pact",
        "csto",
        "asean",
        "asean-defense-ministers-meeting",
        "gcc",
        "quad",
        "five-eyes",
        "african-union",
        "african-standby-force",
        "united-nations",
        "european-union",
        "islamic-nation",
        "islamic-nation-china",
        "haiti-earthquake-relief-2010",
        "united-states",
    ):
        assert eid in by_id, eid
    assert by_id["islamic-nation"].name == "the Islamic Nation"
    kinds = {e.kind for e in catalog.entities}
    assert {"alliance", "organisation", "partnership", "treaty", "event", "country"} <= kinds


def test_every_fact_has_a_citation_found_verbatim_at_its_span(seed_reference: Path) -> None:
    con = sqlite3.connect(seed_reference)
    assert con.execute("SELECT count(*) FROM fact WHERE id NOT IN (SELECT fact_id FROM citation)").fetchone()[0] == 0
    rows = con.execute(
        "SELECT c.quote, substr(d.text, c.start + 1, c.end - c.start)"
        " FROM citation c JOIN document d ON d.id = c.document_id"
    ).fetchall()
    assert len(rows) > 100
    for quote, span in rows:
        assert quote == span


def test_nato_stores_the_stated_count_not_a_member_list_from_memory(repo) -> None:
    nato = repo.get_entity("nato")
    assert nato.stated_members == 31
    assert nato.members == ()  # no document lists NATO's members
    count_fact = next(f for f in nato.facts if f.field == "member_count")
    assert "31" in count_fact.citations[0].quote


def test_a_quote_not_in_its_document_fails_naming_entry_and_quote(tmp_path: Path) -> None:
    def mutate(data: dict) -> None:
        _entity(data, "csto")["facts"][0]["quote"] = "The CSTO was founded on the Moon."

    seeds = _seeds_copy(tmp_path, mutate)
    with pytest.raises(CatalogError) as info:
        build_reference(seeds, tmp_path / "out.sqlite")
    message = str(info.value)
    assert "csto" in message and "The CSTO was founded on the Moon." in message
    assert not (tmp_path / "out.sqlite").exists()


def test_a_year_or_member_the_quote_does_not_state_is_refused(tmp_path: Path) -> None:
    def mutate(data: dict) -> None:
        facts = _entity(data, "csto")["facts"]
        founded = next(f for f in facts if "founded" in f)
        founded["founded"] = 1991
        member = next(f for f in facts if "member" in f)
        member["member"] = "china"

    seeds = _seeds_copy(tmp_path, mutate)
    with pytest.raises(CatalogError) as info:
        load_catalog(seeds, load_documents(seeds))
    text = "\n".join(info.value.problems)
    assert "the year 1991 is not in the quote" in text
    assert "'China' (or an alias) is not named in the quote" in text


def test_name_matching_respects_word_boundaries() -> None:
    us = name_pattern("US")
    assert us.search("the US and") and not us.search("USA") and not us.search("thus") and not us.search("us")
    quad = name_pattern("Quad")
    assert not quad.search("Quadrilateral Security Dialogue")
    assert name_pattern("U.S.").search("the U.S. and Japan")


def test_mentions_link_on_word_boundaries_with_full_names(seed_reference: Path) -> None:
    con = sqlite3.connect(seed_reference)
    rows = con.execute(
        "SELECT m.entity_id, m.matched, substr(d.text, m.start, 1), substr(d.text, m.end + 1, 1)"
        " FROM mention m JOIN passage p ON p.id = m.passage_id JOIN document d ON d.id = p.document_id"
    ).fetchall()
    assert rows
    for _eid, _matched, before, after in rows:
        assert not (before.isalnum() and before != "") and not after.isalnum()
    quad = [matched for eid, matched, *_ in rows if eid == "quad"]
    assert quad and all(m == "Quadrilateral Security Dialogue" for m in quad)
    nato = [matched for eid, matched, *_ in rows if eid == "nato"]
    assert "North Atlantic Treaty Organization" in nato and "NATO" in nato


def test_mentioned_in_lists_passages_naming_the_entity(repo) -> None:
    csto = repo.get_entity("csto")
    assert csto.mentions
    assert all("[[" in m.snippet for m in csto.mentions)
    assert {m.document_id for m in csto.mentions} == {"military-alliances-and-partnerships"}


# ---- a malformed catalogue: a clear SeedError naming the file and the problem, never a traceback ----


def test_a_catalogue_that_is_not_utf8_is_a_clear_seed_error(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "catalog.yaml").write_bytes(b"\xff\xfe" + (SEEDS / "catalog.yaml").read_bytes())
    with pytest.raises(SeedError, match=r"catalog\.yaml is not UTF-8 text \(byte 0xff at offset 0"):
        load_catalog(seeds, load_documents(seeds))


@pytest.mark.parametrize(
    ("mutate", "says"),
    [
        (lambda d: d.__setitem__("vocabulary", ["regional", "global"]), "'vocabulary' must be a mapping"),
        (lambda d: d["vocabulary"].__setitem__("categories", "regional"), "vocabulary: 'categories' must be a list"),
        (lambda d: _entity(d, "csto").__setitem__("facts", "founded 1992"), "entity 'csto': 'facts' must be a list"),
        (lambda d: _entity(d, "csto").__setitem__("facts", {"founded": 1992}), "'facts' must be a list"),
        (lambda d: _entity(d, "csto").__setitem__("facts", 7), "'facts' must be a list"),
        (lambda d: _entity(d, "csto").__setitem__("aliases", 3), "entity 'csto': 'aliases' must be a list"),
        (lambda d: _entity(d, "csto")["facts"][0].__setitem__("cites", 5), "'cites' must be a list"),
    ],
)
def test_wrong_structures_are_named_problems_not_tracebacks(tmp_path: Path, mutate, says: str) -> None:
    seeds = _seeds_copy(tmp_path, mutate)
    with pytest.raises(CatalogError) as info:
        build_reference(seeds, tmp_path / "out.sqlite")
    message = str(info.value)
    assert says in message
    assert str(seeds / "catalog.yaml") in message
    assert not (tmp_path / "out.sqlite").exists()


def test_a_year_stated_elsewhere_in_the_document_but_not_in_the_quote_is_refused(tmp_path: Path) -> None:
    """1949 appears in the CSTO's document (NATO's founding) but not in the quote cited for it."""

    def mutate(data: dict) -> None:
        founded = next(f for f in _entity(data, "csto")["facts"] if "founded" in f)
        assert "1949" in (SEEDS / f"{founded['doc']}.txt").read_text(encoding="utf-8")
        assert "1949" not in founded["quote"]
        founded["founded"] = 1949

    seeds = _seeds_copy(tmp_path, mutate)
    with pytest.raises(CatalogError) as info:
        load_catalog(seeds, load_documents(seeds))
    assert any("entity 'csto', founded: the year 1949 is not in the quote" in p for p in info.value.problems)


def test_a_quote_that_is_a_heading_cites_the_section_it_heads(tmp_path: Path) -> None:
    """A fact may quote a heading line ("Role in Defense Diplomacy"): the build attaches it to the
    section's first paragraph, and the entity's details cite it under that section."""

    def heading_fact(data: dict) -> None:
        fact = {"description": None, "doc": "joint-military-exercises", "quote": "Role in Defense Diplomacy"}
        _entity(data, "islamic-ummah")["facts"].append(fact)

    seeds = _seeds_copy(tmp_path, heading_fact)
    paths = DataPaths(tmp_path / "data").ensure()
    build_reference(seeds, paths.reference_db)
    atlas = open_atlas(paths)
    try:
        detail = atlas.repo.get_entity("islamic-ummah")
        assert detail is not None
        cited = [c for c in detail.citations if c.quote == "Role in Defense Diplomacy"]
        assert [(c.document_id, c.section) for c in cited] == [
            ("joint-military-exercises", "Role in Defense Diplomacy")
        ]
    finally:
        atlas.close()


def test_a_search_for_members_finds_the_entities_whose_facts_or_quotes_speak_of_members(tmp_path: Path) -> None:
    """The stated facts are searched as words: a member count as "6 members", a region or category as
    itself. Entities whose facts and quotes never speak of members are not found by "members"."""
    paths = DataPaths(tmp_path / "data").ensure()
    build_reference(SEEDS, paths.reference_db)
    atlas = open_atlas(paths)
    try:
        repo = atlas.repo
        texts: dict[str, str] = {}

        def speaks_of_members(eid: str) -> bool:
            detail = repo.get_entity(eid)
            assert detail is not None
            if detail.stated_members is not None or detail.members:
                return True
            for c in detail.citations:
                if c.document_id not in texts:
                    doc = repo.get_document(c.document_id)
                    assert doc is not None
                    texts[c.document_id] = doc.text
                text = texts[c.document_id]
                line = text[text.rfind("\n", 0, c.start) + 1 : text.find("\n", c.end)]
                if "member" in line.lower():
                    return True
            return False

        found = [r.id for r in repo.list_entities(FilterSpec(text="members"))]
        assert {"nato", "gcc"} <= set(found)  # "31 members", "6 members"
        assert [eid for eid in found if not speaks_of_members(eid)] == []
    finally:
        atlas.close()
