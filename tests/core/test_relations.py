"""Relation types: each has a sentence both ways, and no relation fact claims more than its quote names."""

from __future__ import annotations

import pytest

from app.core.reference.catalog import CatalogEntity, load_catalog, names_entity
from app.core.reference.ingest import load_documents
from app.core.reference.relations import RELATIONS, relation_label, relation_sentence
from app.core.vocab import RELATION_FIELDS
from tests.conftest import SEEDS

# Relation facts whose quote does not name the entity the fact is stated on, each with the reason
# the quote still says it: (holder, field, target) -> why.
HOLDER_NOT_NAMED = {
    # "Member states of the alliance include Armenia, Belarus, ..." directly under the heading
    # "Collective Security Treaty Organization": "the alliance" is the CSTO.
    **{
        ("csto", "member", c): "the alliance of the section headed 'Collective Security Treaty Organization'"
        for c in ("armenia", "belarus", "kazakhstan", "kyrgyzstan", "russia", "tajikistan")
    },
    # "As a vital component of ASEAN's security framework, this meeting fosters trust ...": the
    # paragraph under the heading "ASEAN Defense Ministers' Meeting" is about that meeting.
    ("asean-defense-ministers-meeting", "part_of", "asean"): "'this meeting' under its own heading",
    # The event is named by what the sentence describes ("relief operations" "after the 2010
    # earthquake in Haiti"); the catalogue's name is a label for that description.
    ("haiti-earthquake-relief-2010", "participant", "united-states"): "the sentence describing the event",
    ("haiti-earthquake-relief-2010", "took_place_in", "haiti"): "the sentence describing the event",
}


def test_every_relation_field_has_a_type_with_both_sentences() -> None:
    assert set(RELATIONS) == set(RELATION_FIELDS)
    for field, rel in RELATIONS.items():
        assert rel.field == field
        # Forward starts with the holder, reverse with the target; both name both ends once.
        assert rel.forward.startswith("{a}"), field
        assert rel.reverse.startswith("{b}") or rel.reverse.startswith("the member countries of {b}"), field
        for template in (rel.forward, rel.reverse):
            assert template.count("{a}") == 1 and template.count("{b}") == 1, (field, template)
        assert rel.label and rel.reverse_label


@pytest.mark.parametrize(
    ("field", "holder", "target", "forward", "reverse"),
    [
        ("member", "CSTO", "Armenia", "CSTO has Armenia as a member", "Armenia is a member of CSTO"),
        ("party", "France – Germany", "France", "France – Germany has France as a party",
         "France is a party to France – Germany"),
        ("established_under", "NATO", "North Atlantic Treaty", "NATO was established under North Atlantic Treaty",
         "North Atlantic Treaty is the treaty NATO was established under"),
        ("article_of", "Article 5", "North Atlantic Treaty", "Article 5 is an article of North Atlantic Treaty",
         "North Atlantic Treaty has Article 5 among its articles"),
        ("took_place_in", "2010 Haiti earthquake relief operations", "Haiti",
         "2010 Haiti earthquake relief operations took place in Haiti",
         "Haiti is where 2010 Haiti earthquake relief operations took place"),
        ("aimed_at", "United States – South Korea", "North Korea",
         "United States – South Korea is aimed at North Korea",
         "North Korea is named as a threat United States – South Korea is aimed at"),
        ("cooperates_with", "A", "B", "A cooperates with B", "B cooperates with A"),
        ("involves_members_of", "United States – NATO", "NATO",
         "United States – NATO involves the member countries of NATO",
         "The member countries of NATO take part in United States – NATO"),
    ],
)  # fmt: skip
def test_templates_read_right_both_ways(field: str, holder: str, target: str, forward: str, reverse: str) -> None:
    assert relation_sentence(field, holder, target, subject_first=True) == forward
    assert relation_sentence(field, holder, target, subject_first=False) == reverse


def test_natural_sentence_and_labels() -> None:
    assert relation_sentence("member", "CSTO", "Armenia") == "Armenia is a member of CSTO"
    assert relation_sentence("part_of", "ADMM", "ASEAN") == "ADMM is part of ASEAN"
    # A sentence starting with a lower-case name is capitalised.
    assert relation_sentence("party", "Islamic Nation – China", "the Islamic Nation") == (
        "The Islamic Nation is a party to Islamic Nation – China"
    )
    assert relation_label("member") == "Members" and relation_label("member", outgoing=False) == "Member of"
    # An unknown field (a future type, a user fact) still reads as a neutral sentence.
    assert relation_sentence("sponsor_of", "A", "B") == "A is linked to B (sponsor of)"


def test_every_relation_quote_names_both_ends() -> None:
    catalog = load_catalog(SEEDS, load_documents(SEEDS))
    by_id = catalog.by_id()
    aliases_of = {e.name: e.aliases for e in catalog.entities}
    problems = []
    used_exceptions = set()
    for ent in catalog.entities:
        for fact in ent.facts:
            if fact.field not in RELATIONS:
                continue
            target: CatalogEntity = by_id[fact.target or ""]
            key = (ent.id, fact.field, target.id)
            for cite in fact.located:
                if not names_entity(cite.quote, target, aliases_of):
                    problems.append(f"{key}: target not named in {cite.quote!r}")
                if not names_entity(cite.quote, ent, aliases_of):
                    if key in HOLDER_NOT_NAMED:
                        used_exceptions.add(key)
                    else:
                        problems.append(f"{key}: {ent.name!r} not named in {cite.quote!r}")
    assert problems == []
    # Every exception is still needed (a fixed quote removes its exception).
    assert used_exceptions == set(HOLDER_NOT_NAMED)


def test_fixed_facts_say_what_their_quotes_say() -> None:
    """The facts issue 12 found wrong are typed by what their sentences say."""
    catalog = load_catalog(SEEDS, load_documents(SEEDS))
    facts = {(e.id, f.field, f.target or f.value) for e in catalog.entities for f in e.facts}
    by_id = catalog.by_id()
    assert ("nato", "established_under", "north-atlantic-treaty") in facts
    assert not any(e == "north-atlantic-treaty" and f == "partner" for e, f, _ in facts)
    assert ("haiti-earthquake-relief-2010", "took_place_in", "haiti") in facts
    assert ("haiti-earthquake-relief-2010", "party", "haiti") not in facts
    assert ("france-germany", "set_within", "european-union") in facts
    assert ("france-germany", "partner", "european-union") not in facts
    assert ("united-states-nato", "involves_members_of", "nato") in facts
    assert ("united-states-nato", "party", "nato") not in facts
    assert not any(e == "islamic-nation-russia" and f == "activity" for e, f, _ in facts)
    assert by_id["article-5"].kind == "provision"
    assert ("article-5", "article_of", "north-atlantic-treaty") in facts
    assert ("united-states-south-korea", "aimed_at", "north-korea") in facts
    assert ("quad", "responds_to", "china") in facts
    assert ("five-eyes", "activity", "intelligence sharing") in facts
    assert ("csto", "category", "collective defence") in facts
    assert {("islamic-nation", "activity", "peacekeeping"), ("islamic-nation", "activity", "arms trade")} <= facts
    # "joint military training" is training wherever it is said.
    assert ("france-germany", "activity", "training") in facts
    gcc_regional = next(f for f in by_id["gcc"].facts if f.field == "category" and f.value == "regional")
    assert all("Gulf Cooperation Council" in c.quote for c in gcc_regional.cites)
    # No relation fact uses the catch-all "partner" any more.
    assert not any(f == "partner" for _, f, _ in facts)
