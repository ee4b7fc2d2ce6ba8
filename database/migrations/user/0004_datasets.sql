-- User database, version 4: alliance datasets (issue 16). ATOP and COW formal-alliance files the
-- user imported: each dataset's alliances as entities with facts (memberships with entry and exit
-- years, obligations), every fact cited to the record (row) it came from, the record's row kept
-- whole so it can be shown without the file, and same-as links between a dataset alliance and a
-- reference or user entity.
--
-- Like the user's own sources (0003), these reach the query layer through the TEMP views of
-- app/core/sources/views.py. Ids never collide with the reference or with 0003's: integer ids
-- (dataset_entity.rid, the row in user_entity_fts that indexes its name; dataset_fact.id) start at
-- 2,000,000,000; entity ids are "atop-<atopid>", "cow-<version4id>" and, for a country the
-- reference does not know, "ccode-<COW code>".

CREATE TABLE dataset (
    name        TEXT PRIMARY KEY,          -- "atop" or "cow"
    label       TEXT NOT NULL,             -- "ATOP", "COW"
    version     TEXT NOT NULL,             -- "5.1", "4.1"
    files       TEXT NOT NULL,             -- JSON list of the file names imported
    imported_at TEXT NOT NULL,             -- ISO 8601 UTC
    report      TEXT NOT NULL DEFAULT '{}' -- the import report (JSON)
);

-- One row of a dataset file as read: its columns and values in file order (JSON [[col, val], ...]).
CREATE TABLE dataset_record (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset    TEXT NOT NULL REFERENCES dataset(name) ON DELETE CASCADE,
    file       TEXT NOT NULL,              -- the file's name
    row_number INTEGER NOT NULL,           -- line of the row in the file (the header is line 1)
    record     TEXT NOT NULL,              -- the record id: atopid, version4id
    fields     TEXT NOT NULL
);
CREATE INDEX dataset_record_dataset ON dataset_record(dataset, record);

-- An alliance of a dataset (dataset set), or a country its codes name that the reference does not
-- know (dataset NULL: shared by the datasets, removed with the last fact that names it).
CREATE TABLE dataset_entity (
    rid            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    dataset        TEXT REFERENCES dataset(name) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    sort_name      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    category       TEXT,
    region         TEXT,
    founded        INTEGER,
    ended          INTEGER,
    stated_members INTEGER,
    member_count   INTEGER NOT NULL DEFAULT 0,
    aliases        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dataset_entity_dataset ON dataset_entity(dataset);

-- A fact from a dataset: a membership (field member, target the country, with its years), an
-- obligation (field obligation, value defense/offense/...), the founding or ending year.
-- start_year/end_year: the years the fact holds (end NULL: still in force at the dataset's end).
CREATE TABLE dataset_fact (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset    TEXT NOT NULL REFERENCES dataset(name) ON DELETE CASCADE,
    entity_id  TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT,
    target_id  TEXT,
    start_year INTEGER,
    end_year   INTEGER
);
CREATE INDEX dataset_fact_entity ON dataset_fact(entity_id);
CREATE INDEX dataset_fact_field_value ON dataset_fact(field, value, entity_id);
CREATE INDEX dataset_fact_target ON dataset_fact(target_id, field, entity_id);
CREATE INDEX dataset_fact_dataset ON dataset_fact(dataset);

-- The evidence of a dataset fact: which dataset, version, file, record, variable and value.
CREATE TABLE dataset_citation (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    fact_id   INTEGER NOT NULL REFERENCES dataset_fact(id) ON DELETE CASCADE,
    record_id INTEGER NOT NULL REFERENCES dataset_record(id) ON DELETE CASCADE,
    dataset   TEXT NOT NULL,               -- "ATOP", "COW" (as cited)
    version   TEXT NOT NULL,
    file      TEXT NOT NULL,
    record    TEXT NOT NULL,               -- "3180"
    field     TEXT NOT NULL,               -- the variable: "defense", "yrent"
    value     TEXT NOT NULL                -- as written in the file: "1"
);
CREATE INDEX dataset_citation_fact ON dataset_citation(fact_id);

-- "This dataset alliance is the same as that entity": proposed by the import (founding year and
-- member overlap), confirmed or removed by the user. A removed link stays, so a re-import does
-- not propose it again.
CREATE TABLE same_as (
    entity_id  TEXT NOT NULL,              -- a reference or user entity ("nato")
    dataset_id TEXT NOT NULL,              -- a dataset alliance ("atop-3180")
    status     TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'removed')),
    reason     TEXT NOT NULL DEFAULT '',   -- why it was proposed
    updated_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, dataset_id)
);
CREATE INDEX same_as_dataset ON same_as(dataset_id);

INSERT INTO sqlite_sequence (name, seq) VALUES
    ('dataset_entity', 2000000000), ('dataset_fact', 2000000000), ('dataset_citation', 2000000000),
    ('dataset_record', 0);
