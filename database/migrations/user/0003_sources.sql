-- User database, version 3: the user's own sources (issue 15). Imported documents with their
-- original bytes, sections, passages (with a search index) and mentions; suggestions proposed
-- from them; and the entities and facts the user accepted or cited by hand.
--
-- The reference database is rebuilt from seeds/ and never holds any of this. The query layer
-- shows both as one catalogue through temporary views (app/core/sources/views.py), so the
-- integer ids here start at 1,000,000,000: they never collide with a reference passage,
-- section, fact or entity rowid in those views.

CREATE TABLE imported_document (
    id          TEXT PRIMARY KEY,          -- "doc-" + slug of the title, unique
    file_name   TEXT NOT NULL,             -- the file's name as imported
    title       TEXT NOT NULL,
    origin      TEXT NOT NULL DEFAULT '',  -- where the user says it comes from
    sha256      TEXT NOT NULL,             -- of the original bytes
    format      TEXT NOT NULL,             -- plain, markdown, html, pdf
    encoding    TEXT NOT NULL DEFAULT '',  -- how the text was decoded (text formats)
    original    BLOB,                      -- the bytes as imported; NULL once removed
    text        TEXT NOT NULL,             -- the extracted text all offsets point into
    imported_at TEXT NOT NULL,             -- ISO 8601 UTC
    removed_at  TEXT,                      -- set by remove-document; cited passages are kept
    ordinal     INTEGER NOT NULL
);
CREATE INDEX imported_document_sha ON imported_document(sha256);

CREATE TABLE imported_section (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES imported_document(id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    heading     TEXT NOT NULL,
    level       INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL
);
CREATE INDEX imported_section_doc ON imported_section(document_id);

CREATE TABLE imported_passage (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES imported_document(id) ON DELETE CASCADE,
    section_id  INTEGER NOT NULL REFERENCES imported_section(id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX imported_passage_doc ON imported_passage(document_id, start);

-- Same columns and tokenizer as the reference passage_fts; rowid = imported_passage.id.
CREATE VIRTUAL TABLE imported_passage_fts USING fts5(
    text, heading, title, tokenize='porter unicode61 remove_diacritics 2'
);

CREATE TABLE imported_mention (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id   TEXT NOT NULL,             -- a reference or a user entity id
    passage_id  INTEGER NOT NULL REFERENCES imported_passage(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    matched     TEXT NOT NULL
);
CREATE INDEX imported_mention_entity ON imported_mention(entity_id);
CREATE INDEX imported_mention_passage ON imported_mention(passage_id);

CREATE TABLE suggestion (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES imported_document(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '[]',   -- JSON list
    kind        TEXT NOT NULL,
    start       INTEGER NOT NULL,             -- the sentence it came from, in the document text
    "end"       INTEGER NOT NULL,
    quote       TEXT NOT NULL,
    facts       TEXT NOT NULL DEFAULT '[]',   -- JSON: proposed facts, each with its own quote and span
    status      TEXT NOT NULL DEFAULT 'open', -- open, accepted, rejected
    entity_id   TEXT                          -- the entity made when accepted
);
CREATE INDEX suggestion_doc ON suggestion(document_id, status);

CREATE TABLE user_entity (
    rid            INTEGER PRIMARY KEY AUTOINCREMENT,  -- rowid of user_entity_fts
    id             TEXT NOT NULL UNIQUE,               -- "my-" + slug of the name
    name           TEXT NOT NULL,
    sort_name      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    category       TEXT,
    region         TEXT,
    founded        INTEGER,
    ended          INTEGER,
    stated_members INTEGER,
    member_count   INTEGER NOT NULL DEFAULT 0,
    aliases        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);

CREATE TABLE user_alias (
    entity_id TEXT NOT NULL REFERENCES user_entity(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    PRIMARY KEY (entity_id, alias)
);

-- A fact the user accepted or cited, on a user entity or on a reference entity.
CREATE TABLE user_fact (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id  TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT,
    target_id  TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX user_fact_entity ON user_fact(entity_id);
CREATE INDEX user_fact_field_value ON user_fact(field, value, entity_id);
CREATE INDEX user_fact_target ON user_fact(target_id, field, entity_id);

-- The quote is kept verbatim, so the fact keeps its evidence even if the document is removed.
-- The passage is found from the span when read (a reference passage id changes on a rebuild).
CREATE TABLE user_citation (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fact_id     INTEGER NOT NULL REFERENCES user_fact(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    quote       TEXT NOT NULL
);
CREATE INDEX user_citation_fact ON user_citation(fact_id);

CREATE VIRTUAL TABLE user_entity_fts USING fts5(
    name, aliases, body, tokenize='porter unicode61 remove_diacritics 2'
);

INSERT INTO sqlite_sequence (name, seq) VALUES
    ('imported_section', 1000000000), ('imported_passage', 1000000000), ('imported_mention', 1000000000),
    ('suggestion', 0), ('user_entity', 1000000000), ('user_fact', 1000000000), ('user_citation', 1000000000);
