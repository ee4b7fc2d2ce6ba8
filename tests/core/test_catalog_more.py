"""The catalogue checker word for word: what a curator reads when an entry is wrong, and the command that checks it."""

from __future__ import annotations

import copy

import pytest

from app.core.reference import catalog as cat
from app.core.reference.catalog import CatalogError, names_entity, parse_catalog, quote_pattern, verify
from app.core.reference.ingest import ParsedDocument
from tests.conftest import SEEDS

TEXT = (
    "The Northern Pact was founded in 1949 by twelve states.\n"
    "Armenia and Russia are members of the Northern Pact.\n"
    "It ended in 1991 — after the “cold” war.\n"
    "France and Germany signed a partnership.\n"
)
DOC = ParsedDocument("doc", "doc.txt", "Doc", "doc.txt", "seed", TEXT, "0" * 64, [])
VOCAB = {"categories": ["regional"], "activities": ["joint exercises"]}


def entity(eid: str, name: str, kind: str, *facts: dict, aliases: list | None = None) -> dict:
    return {"id": eid, "name": name, "kind": kind, "aliases": aliases or [], "facts": list(facts)}


def fact(field: str, value, quote: str, doc: str = "doc") -> dict:
    return {field: value, "doc": doc, "quote": quote}


GOOD = {
    "vocabulary": VOCAB,
    "entities": [
        entity(
            "pact", "Northern Pact", "alliance",
            fact("founded", 1949, "The Northern Pact was founded in 1949"),
            fact("member_count", 12, "founded in 1949 by twelve states"),
            fact("member", "armenia", "Armenia and Russia are members"),
            fact("ended", 1991, 'It ended in 1991 - after the "cold" war'),
            fact("description", "ignored", "The Northern Pact was founded"),
            aliases=["NP"],
        ),
        entity("armenia", "Armenia", "country", fact("region", "Caucasus", "Armenia and Russia")),
    ],
}  # fmt: skip


def check(data) -> list[str]:
    catalog, problems = parse_catalog(data)
    return problems + verify(catalog, [DOC])


def test_a_sound_catalogue_locates_every_quote_in_its_document() -> None:
    catalog, problems = parse_catalog(copy.deepcopy(GOOD))
    assert problems == [] and verify(catalog, [DOC]) == []
    pact = catalog.by_id()["pact"]
    assert [(f.field, f.value, f.target) for f in pact.facts] == [
        ("founded", "1949", None),
        ("member_count", "12", None),
        ("member", None, "armenia"),
        ("ended", "1991", None),
        ("description", None, None),
    ]
    assert pact.names == ["Northern Pact", "NP"] and catalog.categories == ["regional"]
    ended = pact.facts[3].located[0]
    # Straight quotes and a hyphen in the catalogue find the document's curly quotes and dash.
    assert ended.quote == "It ended in 1991 — after the “cold” war"
    assert TEXT[ended.start : ended.end] == ended.quote


PROBLEMS = [
    ([], ["the catalogue must be a mapping with an 'entities' list"]),
    ({"entities": {}}, ["the catalogue must be a mapping with an 'entities' list"]),
    (
        {"vocabulary": [], "entities": []},
        ["'vocabulary' must be a mapping with 'categories' and 'activities' lists (it is a list)"],
    ),
    ({"entities": ["x"]}, ["entity #1: not a mapping"]),
    (
        {"entities": [{"id": "Bad Id", "kind": "blob", "facts": []}]},
        [
            "entity 'Bad Id': id must be a lowercase slug",
            "entity 'Bad Id': no name",
            "entity 'Bad Id': kind 'blob' is not one of alliance, organisation, partnership, treaty, provision,"
            " event, country, actor",
            "entity 'Bad Id': has no cited fact",
        ],
    ),
    (
        {"entities": [{"name": " ", "kind": "country", "facts": ["x", {"region": "A", "ended": 1}]}]},
        [
            "entity '1': id must be a lowercase slug",
            "entity '1': no name",
            "entity '1', fact #1: not a mapping",
            "entity '1', fact #2: needs exactly one field of " + ", ".join(cat.FACT_FIELDS),
            "entity '1': has no cited fact",
        ],
    ),
    (
        {"entities": [entity("a", "A", "country", {"region": "X", "colour": "red", "doc": "doc", "quote": "q"})]},
        [f"entity 'a', fact #1: needs exactly one field of {', '.join(cat.FACT_FIELDS)}", "entity 'a': has no cited fact"],  # noqa: E501
    ),
    (
        {"entities": [entity("a", "A", "country", {"region": "X"}, {"region": "Y", "cites": [{"doc": "doc"}]})]},
        [
            "entity 'a', fact #1 (region): no citation (doc and quote)",
            "entity 'a', fact #2: each of 'cites' needs doc and quote",
            "entity 'a', fact #2 (region): no citation (doc and quote)",
            "entity 'a': has no cited fact",
        ],
    ),
    (
        {"entities": [entity("a", "A", "country", {"region": "X", "cites": "doc"})]},
        [
            "entity 'a', fact #1: 'cites' must be a list of doc and quote (it is the text 'doc')",
            "entity 'a', fact #1 (region): no citation (doc and quote)",
            "entity 'a': has no cited fact",
        ],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("data", "problems"), PROBLEMS)
def test_a_malformed_entry_is_named_with_what_is_wrong(data, problems) -> None:
    assert parse_catalog(data)[1] == problems


def test_several_citations_and_a_null_list_are_read() -> None:
    data = {
        "entities": [
            entity(
                "a", "A", "country",
                {"region": "Caucasus", "cites": [{"doc": "doc", "quote": q} for q in ("Armenia", "Russia")]},
                {"region": "Elsewhere", "cites": None, "doc": "doc", "quote": "France"},
            )
        ]
    }  # fmt: skip
    catalog, problems = parse_catalog(data)
    assert problems == ["entity 'a', fact #2 (region): no citation (doc and quote)"]
    assert [(c.doc, c.quote) for c in catalog.entities[0].facts[0].cites] == [("doc", "Armenia"), ("doc", "Russia")]
    assert (
        parse_catalog({"entities": [entity("b", "B", "country", fact("region", "  X  ", "France"))]})[0]
        .entities[0]
        .facts[0]
        .value
        == "X"
    )


def test_what_the_documents_do_not_say_is_refused_naming_entry_and_quote() -> None:
    data = copy.deepcopy(GOOD)
    long_quote = "Armenia and Russia are members of the Northern Pact. " * 2
    data["entities"] += [
        entity("pact", "Duplicate", "alliance", fact("region", "X", "Armenia")),
        entity(
            "bad", "Bad", "alliance",
            fact("category", "global", "Armenia"),
            fact("activity", "sailing", "Armenia"),
            fact("founded", "c. 1950", "Armenia"),
            fact("member", "nobody", "Armenia"),
            fact("member", "armenia", "signed a partnership"),
            fact("member_count", 12, "Armenia and Russia"),
            fact("ended", 1949, "Armenia and Russia"),
            fact("region", "X", "not there", doc="missing"),
            fact("region", "X", "Moon landing"),
            fact("region", "X", long_quote),
            fact("region", "X", "twelve states. Armenia"),
        ),
    ]  # fmt: skip
    short = long_quote[:87] + "..."
    assert check(data) == [
        "entity 'pact': duplicate id",
        "entity 'bad', category: 'global' is not in vocabulary.categories",
        "entity 'bad', activity: 'sailing' is not in vocabulary.activities",
        "entity 'bad', founded: 'c. 1950' is not a whole number",
        "entity 'bad', founded: the year c. 1950 is not in the quote \"Armenia\"",
        "entity 'bad', member: 'nobody' is not an entity id",
        "entity 'bad', member: 'Armenia' (or an alias) is not named in the quote \"signed a partnership\"",
        "entity 'bad', member_count: the count 12 is not in the quote \"Armenia and Russia\"",
        "entity 'bad', ended: the year 1949 is not in the quote \"Armenia and Russia\"",
        "entity 'bad', region: unknown document 'missing' for quote \"not there\"",
        "entity 'bad', region: quote not found in doc: \"Moon landing\"",
        f"entity 'bad', region: quote not found in doc: \"{short}\"",
        "entity 'bad', region: quote spans two paragraphs in doc: \"twelve states. Armenia\"",
    ]


def test_a_count_may_be_written_in_digits_or_words() -> None:
    data = copy.deepcopy(GOOD)
    data["entities"][0]["facts"][1] = fact("member_count", 12, "by twelve states")
    assert check(data) == []
    data["entities"][0]["facts"][1] = fact("member_count", 2, "by twelve states")
    assert check(data) == ["entity 'pact', member_count: the count 2 is not in the quote \"by twelve states\""]
    data["entities"][0]["facts"][1] = fact("member_count", 1949, "founded in 1949 by")
    assert check(data) == []


def test_a_year_inside_a_longer_number_is_not_the_year() -> None:
    text = "Founded 19490 times, or in 1949."
    doc = ParsedDocument("d", "d.txt", "D", "d.txt", "seed", text, "0" * 64, [])
    catalog, _ = parse_catalog(
        {"entities": [entity("a", "A", "alliance", fact("founded", 1949, "Founded 19490", doc="d"))]}
    )
    assert verify(catalog, [doc]) == ["entity 'a', founded: the year 1949 is not in the quote \"Founded 19490\""]


def test_a_bilateral_partnership_is_named_by_both_sides() -> None:
    pair = cat.CatalogEntity("fr-de", "France – Germany", [], "partnership", [])
    assert names_entity("France and Germany signed", pair)
    assert not names_entity("France signed alone", pair)
    assert names_entity("the French Republic and Germany", pair, {"France": ["French Republic"]})
    assert names_entity("between FRANCE and germany", pair)  # any case, as for a single name
    single = cat.CatalogEntity("x", "Northern Pact", ["NP"], "alliance", [])
    assert names_entity("the np met", single) and not names_entity("the NPT met", single)


def test_quotes_match_across_line_wrapping_and_typography() -> None:
    assert quote_pattern("a 'b' - c").search("a  ‘b’\n– c")
    assert not quote_pattern("a.b").search("axb")


def test_the_error_names_the_file_and_at_most_fifty_problems(tmp_path) -> None:
    err = CatalogError([f"p{i}" for i in range(60)], tmp_path / "catalog.yaml")
    assert str(err).startswith(f"The catalogue {tmp_path / 'catalog.yaml'} has 60 problem(s):\n  - p0\n  - p1\n")
    assert str(err).endswith("\n  - p49") and err.problems[-1] == "p59"
    assert str(CatalogError(["only"])) == "The catalogue has 1 problem(s):\n  - only"


def test_the_checker_command_says_ok_or_lists_every_problem(tmp_path, capsys, monkeypatch) -> None:
    import shutil
    import sys

    import yaml

    assert cat.main([str(SEEDS)]) == 0
    out = capsys.readouterr().out
    entities = yaml.safe_load((SEEDS / "catalog.yaml").read_text(encoding="utf-8"))["entities"]
    n_facts = sum(len(e["facts"]) for e in entities)
    assert out == f"catalogue ok: {len(entities)} entities, {n_facts} facts, every quote found\n"
    # As a command: the folder from the command line, else the installed seeds.
    monkeypatch.setattr(sys, "argv", ["catalog"])
    assert cat.main() == 0 and capsys.readouterr().out == out
    monkeypatch.setattr(sys, "argv", ["catalog", str(tmp_path / "none")])
    assert cat.main() == 1 and "Cannot read the seed manifest" in capsys.readouterr().err

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    data = yaml.safe_load((seeds / "catalog.yaml").read_text(encoding="utf-8"))
    data["entities"][0]["facts"] = []
    data["entities"][1]["kind"] = "blob"
    (seeds / "catalog.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert cat.main([str(seeds)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"entity '{data['entities'][0]['id']}': has no cited fact"
    assert err[1].startswith(f"entity '{data['entities'][1]['id']}': kind 'blob' is not one of")
    assert err[-1] == f"2 problem(s) in {seeds / 'catalog.yaml'}"

    assert cat.main([str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith(f"Cannot read the seed manifest {tmp_path / 'none' / 'manifest.yaml'}")
