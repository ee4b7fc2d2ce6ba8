-- User database, version 1: everything the user makes, keyed by stable entity ids (slugs).
-- No foreign keys to the reference database: a rebuild or a removed entity must never
-- cascade into the user's notes (a note whose entity disappears is shown as detached).

CREATE TABLE note (
    id          TEXT PRIMARY KEY,          -- uuid4 hex, stable across export/import
    entity_id   TEXT,                      -- NULL for a note anchored only to a passage
    document_id TEXT,                      -- anchor to a document span, optional
    start       INTEGER,
    "end"       INTEGER,
    quote       TEXT,
    title       TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,             -- ISO 8601 UTC
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT                       -- set when moved to the trash
);
CREATE INDEX note_entity ON note(entity_id);

CREATE TABLE tag (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE COLLATE NOCASE,
    color TEXT NOT NULL DEFAULT '#5b8def'
);

CREATE TABLE entity_tag (
    entity_id TEXT NOT NULL,
    tag_id    INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
    PRIMARY KEY (entity_id, tag_id)
);
CREATE INDEX entity_tag_tag ON entity_tag(tag_id);

CREATE TABLE note_tag (
    note_id TEXT NOT NULL REFERENCES note(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
    PRIMARY KEY (note_id, tag_id)
);

CREATE TABLE saved_filter (
    name       TEXT PRIMARY KEY,
    spec_json  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE graph_position (
    layout    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    x         REAL NOT NULL,
    y         REAL NOT NULL,
    PRIMARY KEY (layout, entity_id)
);
