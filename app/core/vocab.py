"""Names shared by the catalogue, the build and the UI: schema version, fact fields, and the one
vocabulary of entity kinds (label, colour, marker shape). Kept apart from the SQLModel tables,
which are slow to import and not needed to show the first window."""

from __future__ import annotations

from dataclasses import dataclass

# Bumped whenever the reference schema changes; the build writes it into PRAGMA user_version.
# 2: entity_fts gained a "facts" column (search ranks by where words match); 3: passage postings
# (app.core.reference.postings: passage search ranks without bm25 over every match); 4: entity
# postings too, with a count per column; 5: entity_fts keeps prefix indexes of 1, 2 and 3 characters
# (the list's search while typing: "a"* read one doclist instead of merging every word's).
REFERENCE_SCHEMA_VERSION = 5

# Entity kinds, in the order the UI lists them.
KINDS: tuple[str, ...] = (
    "alliance",
    "organisation",
    "partnership",
    "treaty",
    "provision",  # an article or clause of a treaty (Article 5)
    "event",
    "country",
    "actor",
)

# Fact fields of the catalogue; relation fields point at another entity.
VALUE_FIELDS = ("description", "category", "founded", "ended", "member_count", "region", "activity")
# Relation fields: their sentences and labels are in app.core.reference.relations (a test keeps the two
# lists equal).
RELATION_FIELDS = (
    "member",
    "party",
    "participant",
    "part_of",
    "initiative_of",
    "established_under",
    "article_of",
    "aimed_at",
    "responds_to",
    "took_place_in",
    "involves_members_of",
    "set_within",
    "cooperates_with",
    "partner",
)
FACT_FIELDS = VALUE_FIELDS + RELATION_FIELDS


@dataclass(frozen=True)
class KindStyle:
    """How one kind of entity is named and drawn everywhere (list icon tint, detail badge, graph,
    timeline, PDF legend). Shape AND colour, so a kind reads in grey print and for colour-blind
    readers."""

    label: str
    colour: str  # #rrggbb
    shape: str  # a marker shape name (see app.ui.graph.graph_export.shape_path)


# In legend order: countries and other actors first, then the groups they form.
KIND_STYLES: dict[str, KindStyle] = {
    "country": KindStyle("Country", "#3f9b4a", "circle"),
    "actor": KindStyle("Other actor", "#6b7480", "pentagon"),
    "alliance": KindStyle("Alliance", "#2f6fd6", "square"),
    "organisation": KindStyle("Organisation", "#1a9c8c", "hexagon"),
    "partnership": KindStyle("Partnership", "#e08a1e", "diamond"),
    "treaty": KindStyle("Treaty", "#8a5cc7", "triangle"),
    "provision": KindStyle("Treaty provision", "#b08ad9", "triangle"),
    "event": KindStyle("Event", "#d6453d", "star"),
}
UNKNOWN_KIND = KindStyle("Other", "#999999", "circle")


def kind_style(kind: str) -> KindStyle:
    """The style of ``kind``; an unknown kind gets a neutral one."""
    return KIND_STYLES.get(kind, UNKNOWN_KIND)


def kind_label(kind: str) -> str:
    """The display name of ``kind`` ("Other actor"); an unknown kind is shown as stored."""
    style = KIND_STYLES.get(kind)
    return style.label if style is not None else kind
