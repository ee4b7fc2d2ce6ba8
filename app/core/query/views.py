"""What the repository returns: plain frozen dataclasses (no connection, nothing lazy), and the
[[ ]] highlight markers of search snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntityRow:
    """One row of the list: precomputed display values, nothing computed in data(). Slots: freeing
    the 10,000 rows a keystroke replaces cost 18 ms with a __dict__ each, under 1 ms without."""

    id: str
    name: str
    kind: str
    category: str | None
    founded: int | None
    ended: int | None
    member_count: int
    stated_members: int | None
    region: str | None
    notes: int
    score: float = 0.0
    origin: str = "reference"  # "user": made by the user from their own documents

    @property
    def members_display(self) -> int | None:
        """Listed members/parties, or the stated count when the documents list none."""
        if self.member_count:
            return self.member_count
        return self.stated_members


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Citation:
    number: int  # stable within an entity's detail (1-based), for endnotes
    document_id: str
    document_title: str
    file_name: str
    section: str
    passage_id: int
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class DatasetCitation:
    """A fact's evidence in an imported dataset (ATOP, COW): the record, the variable and its value."""

    record_id: int  # the stored row (DatasetStore.record_fields shows it whole)
    dataset: str  # "ATOP"
    version: str  # "5.1"
    file: str  # "atop5_1a.csv"
    record: str  # "3180"
    field: str  # "defense"
    value: str  # "1", as written in the file

    @property
    def label(self) -> str:
        """How the pane and the PDF cite it: "ATOP 3180, defense = 1"."""
        return f"{self.dataset} {self.record}, {self.field} = {self.value}"

    def as_json(self) -> dict[str, str]:
        return {
            "dataset": self.dataset,
            "version": self.version,
            "file": self.file,
            "record": self.record,
            "field": self.field,
            "value": self.value,
        }


@dataclass(frozen=True)
class FactView:
    field: str
    label: str
    value: str | None
    target_id: str | None
    target_name: str | None
    target_kind: str | None
    citations: tuple[Citation, ...]
    origin: str = "reference"  # "user": the user accepted or cited it; "dataset": from an imported dataset
    records: tuple[DatasetCitation, ...] = ()  # dataset citations (in place of a quote)
    start_year: int | None = None  # a dataset membership's entry year
    end_year: int | None = None  # its exit year (None: in force at the dataset's end)


@dataclass(frozen=True)
class Link:
    """A related entity with the citations of the fact that ties them."""

    id: str
    name: str
    kind: str
    role: str  # the fact's field (member, party, part_of, ...); "has part" for an inbound part_of
    citations: tuple[Citation, ...]
    field: str = ""  # the relation type (app.core.reference.relations), whichever way the link points
    outgoing: bool = True  # the fact is stated on the entity whose detail this is
    sentence: str = ""  # the fact as a sentence, e.g. "Armenia is a member of CSTO" (relation_sentence)
    records: tuple[DatasetCitation, ...] = ()  # dataset citations of the tie
    start_year: int | None = None  # a dataset membership's years
    end_year: int | None = None

    @property
    def years(self) -> str:
        """ "1949–" / "1815–1816" for a dataset membership, "" otherwise."""
        if self.start_year is None:
            return ""
        return f"{self.start_year}–{self.end_year if self.end_year is not None else ''}"


@dataclass(frozen=True)
class MentionView:
    passage_id: int
    document_id: str
    document_title: str
    section: str
    start: int
    end: int
    snippet: str  # the passage text around the mention, mention wrapped in [[ ]]


@dataclass(frozen=True)
class SameAsLink:
    """ "NATO is ATOP 3180": the other entity of a same-as link, and the link's status."""

    id: str  # the other entity ("atop-3180" on NATO's detail, "nato" on the dataset alliance's)
    name: str
    status: str  # "proposed" or "confirmed" (removed links are not shown)
    reason: str  # why it was proposed ("founded 1949 in both; ...")


@dataclass(frozen=True)
class Side:
    """One source's value in a disagreement: the value, who says it, and the evidence."""

    value: str  # "1949", "31"
    source: str  # "the documents", "ATOP 5.1"
    evidence: str  # the quote, or "ATOP 3180, begyr = 1949"


@dataclass(frozen=True)
class Disagreement:
    """Where the documents and a dataset give different values: both shown, neither wins."""

    what: str  # "Founded", "Members at the dataset's end (2018)"
    other_id: str  # the linked entity ("atop-3180")
    catalogue: Side
    dataset: Side


@dataclass(frozen=True)
class EntityDetail:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    category: str | None
    categories: tuple[str, ...]
    region: str | None
    founded: int | None
    ended: int | None
    stated_members: int | None
    facts: tuple[FactView, ...]
    members: tuple[Link, ...]  # members / parties of this entity
    member_of: tuple[Link, ...]  # alliances, partnerships, treaties this entity belongs to
    related: tuple[Link, ...]  # part_of / partner ties, both directions
    activities: tuple[str, ...]
    mentions: tuple[MentionView, ...]
    origin: str = "reference"  # "user": made by the user from their own documents; "dataset": imported
    same_as: tuple[SameAsLink, ...] = ()  # links between a catalogue entity and dataset alliances
    disagreements: tuple[Disagreement, ...] = ()  # with the linked entities (app.core.datasets.compare)

    @property
    def records(self) -> tuple[DatasetCitation, ...]:
        """Every dataset citation of its facts and ties, each once, in reading order."""
        seen: dict[tuple[int, str], DatasetCitation] = {}
        for f in self.facts:
            for r in f.records:
                seen.setdefault((r.record_id, r.field), r)
        for link in (*self.members, *self.member_of, *self.related):
            for r in link.records:
                seen.setdefault((r.record_id, r.field), r)
        return tuple(seen.values())

    @property
    def citations(self) -> tuple[Citation, ...]:
        seen: dict[int, Citation] = {}
        for f in self.facts:
            for c in f.citations:
                seen.setdefault(c.number, c)
        return tuple(seen[k] for k in sorted(seen))


@dataclass(frozen=True)
class PassageHit:
    passage_id: int
    document_id: str
    document_title: str
    file_name: str
    section: str
    start: int
    end: int
    snippet: str  # matches wrapped in [[ ]]
    score: float
    entity_ids: tuple[str, ...]  # entities mentioned in the passage


@dataclass(frozen=True)
class SectionInfo:
    id: int
    heading: str
    level: int
    start: int
    end: int


@dataclass(frozen=True)
class MentionSpan:
    entity_id: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    file_name: str
    title: str
    original_name: str
    origin: str
    sha256: str
    imported: bool = False  # one of the user's own documents (not a seed)


@dataclass(frozen=True)
class DocumentView:
    info: DocumentInfo
    text: str
    sections: tuple[SectionInfo, ...]
    mentions: tuple[MentionSpan, ...]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    field: str  # member, party, part_of, partner
    quote: str
    document_id: str


HIGHLIGHT_OPEN = "[["
HIGHLIGHT_CLOSE = "]]"


def plain_snippet(snippet: str) -> str:
    """A snippet without highlight markers (for plain-text output)."""
    return snippet.replace(HIGHLIGHT_OPEN, "").replace(HIGHLIGHT_CLOSE, "")


def highlight_spans(snippet: str) -> list[tuple[bool, str]]:
    """Split a snippet into (highlighted, text) runs."""
    parts = re.split(r"(\[\[.*?\]\])", snippet)
    return [(p.startswith(HIGHLIGHT_OPEN), p[2:-2] if p.startswith(HIGHLIGHT_OPEN) else p) for p in parts if p]
