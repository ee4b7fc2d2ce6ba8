"""SQLModel tables of the reference database (rebuilt from seeds/) and plain row types for the UI."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.core.vocab import (  # noqa: F401  (re-exported)
    FACT_FIELDS,
    KINDS,
    REFERENCE_SCHEMA_VERSION,
    RELATION_FIELDS,
    VALUE_FIELDS,
)


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class Document(SQLModel, table=True):
    __tablename__ = "document"
    id: str = Field(primary_key=True)  # file stem, e.g. "military-alliances-and-partnerships"
    file_name: str
    title: str
    original_name: str
    origin: str
    sha256: str
    text: str
    ordinal: int


class Section(SQLModel, table=True):
    __tablename__ = "section"
    id: int = Field(primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    ordinal: int
    heading: str
    level: int
    start: int  # character offsets into document.text (heading line included)
    end: int


class Passage(SQLModel, table=True):
    __tablename__ = "passage"
    id: int = Field(primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    section_id: int = Field(foreign_key="section.id", index=True)
    ordinal: int
    start: int
    end: int
    text: str


class Entity(SQLModel, table=True):
    __tablename__ = "entity"
    __table_args__ = (Index("entity_sort", "sort_name", "id"),)
    id: str = Field(primary_key=True)  # stable slug; user data is keyed by it
    name: str
    sort_name: str
    kind: str = Field(index=True)
    category: str | None = None  # first stated category (all of them are facts)
    region: str | None = None
    founded: int | None = Field(default=None, index=True)
    ended: int | None = None
    stated_members: int | None = None  # a count the documents state, e.g. NATO's 31
    member_count: int = 0  # members/parties listed in the catalogue
    aliases: str = ""  # "; "-joined, for display and search


class Alias(SQLModel, table=True):
    __tablename__ = "alias"
    entity_id: str = Field(foreign_key="entity.id", primary_key=True)
    alias: str = Field(primary_key=True)


class Fact(SQLModel, table=True):
    __tablename__ = "fact"
    # Covering indexes for the facet sets in entity_sql.where_clauses.
    __table_args__ = (
        Index("fact_field_value", "field", "value", "entity_id"),
        Index("fact_target_field", "target_id", "field", "entity_id"),
    )
    id: int = Field(primary_key=True)
    entity_id: str = Field(foreign_key="entity.id", index=True)
    ordinal: int
    field: str = Field(index=True)
    value: str | None = None
    target_id: str | None = Field(default=None, foreign_key="entity.id", index=True)


class Citation(SQLModel, table=True):
    __tablename__ = "citation"
    id: int = Field(primary_key=True)
    fact_id: int = Field(foreign_key="fact.id", index=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    passage_id: int = Field(foreign_key="passage.id")
    start: int  # span of the quote in document.text
    end: int
    quote: str  # the document's own text over [start, end)


class EntitySource(SQLModel, table=True):
    """Which documents cite facts about an entity (derived at build time for the source facet)."""

    __tablename__ = "entity_source"
    entity_id: str = Field(foreign_key="entity.id", primary_key=True)
    document_id: str = Field(foreign_key="document.id", primary_key=True, index=True)


class Mention(SQLModel, table=True):
    __tablename__ = "mention"
    id: int = Field(primary_key=True)
    entity_id: str = Field(foreign_key="entity.id", index=True)
    passage_id: int = Field(foreign_key="passage.id", index=True)
    start: int  # span in document.text
    end: int
    matched: str
