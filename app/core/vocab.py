"""Names shared by the catalogue, the build and the UI (kept apart from the SQLModel tables, which
are slow to import and not needed to show the first window)."""

from __future__ import annotations

# Bumped whenever the reference schema changes; the build writes it into PRAGMA user_version.
REFERENCE_SCHEMA_VERSION = 2  # 2: entity_fts gained a "facts" column (search ranks by where words match)

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
