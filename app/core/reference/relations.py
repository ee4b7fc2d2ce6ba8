"""Relation types between entities, each with the sentence it stands for, read either way round.

A relation fact is stated on one entity (the *holder*, ``a``) about another (the *target*, ``b``):
``csto`` ``member: armenia``. Each type says exactly what its sentence says and no more, so the
atlas never writes a sentence its quote does not support. Every place that turns a relation into
words (the detail pane, *Why connected?*, exports, the PDF) calls :func:`relation_sentence` or
:func:`relation_label`, so the wording is defined here once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RelationType:
    """One relation type: labels for lists and the sentence in both directions.

    ``forward`` starts with the holder ``{a}``; ``reverse`` starts with the target ``{b}``; both say
    the same thing. ``label`` heads a list of targets on the holder ("Members: ..."),
    ``reverse_label`` a list of holders on the target ("Member of: ...")."""

    field: str
    label: str
    reverse_label: str
    forward: str
    reverse: str
    natural_reverse: bool = False  # the sentence a person would write starts with the target
    membership: bool = False  # counts as membership for the members facet and member counts


RELATIONS: dict[str, RelationType] = {
    r.field: r
    for r in (
        RelationType("member", "Members", "Member of", "{a} has {b} as a member", "{b} is a member of {a}", True, True),
        RelationType("party", "Parties", "Party to", "{a} has {b} as a party", "{b} is a party to {a}", True, True),
        RelationType("participant", "Participants", "Took part in", "{a} involved {b}", "{b} took part in {a}", True),
        RelationType("part_of", "Part of", "Has as a part", "{a} is part of {b}", "{b} has {a} as a part"),
        RelationType(
            "initiative_of",
            "Initiative of",
            "Initiatives",
            "{a} is an initiative of {b}",
            "{b} has {a} among its initiatives",
        ),
        RelationType(
            "established_under",
            "Established under",
            "Established under it",
            "{a} was established under {b}",
            "{b} is the treaty {a} was established under",
        ),
        RelationType(
            "article_of", "Article of", "Articles", "{a} is an article of {b}", "{b} has {a} among its articles"
        ),
        RelationType(
            "aimed_at",
            "Aimed at",
            "Named as a threat by",
            "{a} is aimed at {b}",
            "{b} is named as a threat {a} is aimed at",
        ),
        RelationType(
            "responds_to",
            "Responds to",
            "A concern answered by",
            "{a} responds to {b}",
            "{b} is a concern {a} responds to",
        ),
        RelationType(
            "took_place_in", "Took place in", "Place of", "{a} took place in {b}", "{b} is where {a} took place"
        ),
        RelationType(
            "involves_members_of",
            "Involves the members of",
            "Members involved in",
            "{a} involves the member countries of {b}",
            "the member countries of {b} take part in {a}",
        ),
        RelationType("set_within", "Set within", "Setting of", "{a} is set within {b}", "{b} is the setting of {a}"),
        RelationType(
            "cooperates_with",
            "Cooperates with",
            "Cooperates with",
            "{a} cooperates with {b}",
            "{b} cooperates with {a}",
        ),
        # Kept for documents and user facts that say only "partner"; the catalogue no longer uses it
        # for ties a more precise type can hold.
        RelationType("partner", "Partner of", "Partner of", "{a} is a partner of {b}", "{b} is a partner of {a}"),
    )
}

# The fields that count as membership (the members facet, member counts, "Members" lists).
MEMBERSHIP_FIELDS: tuple[str, ...] = tuple(f for f, r in RELATIONS.items() if r.membership)


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def relation_sentence(field: str, holder: str, target: str, *, subject_first: bool | None = None) -> str:
    """The relation as a sentence (no final full stop).

    ``holder`` is the name of the entity the fact is stated on, ``target`` the name it points at.
    ``subject_first=True`` starts with the holder, ``False`` with the target, ``None`` (default)
    the way a person would usually say it ("Armenia is a member of CSTO"). An unknown field still
    gives a neutral sentence rather than an error."""
    rel = RELATIONS.get(field)
    if rel is None:
        return f"{holder} is linked to {target} ({field.replace('_', ' ')})"
    first = (not rel.natural_reverse) if subject_first is None else subject_first
    template = rel.forward if first else rel.reverse
    return _capitalise(template.format(a=holder, b=target))


def relation_label(field: str, *, outgoing: bool = True) -> str:
    """The heading of a list of related entities: ``Members`` on the holder, ``Member of`` on the target."""
    rel = RELATIONS.get(field)
    if rel is None:
        return field.replace("_", " ").capitalize()
    return rel.label if outgoing else rel.reverse_label
