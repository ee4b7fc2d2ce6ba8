-- User database, version 2: full-text search over notes (title + body).
-- A contentful FTS5 table keyed by the note's stable id (not its rowid: a TEXT-keyed table's
-- rowids may change on VACUUM, which would silently break an external-content index).
-- Triggers keep it in step with every insert, update and delete, inside the same transaction.

CREATE VIRTUAL TABLE note_fts USING fts5(
    note_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO note_fts (note_id, title, body) SELECT id, title, body FROM note;

CREATE TRIGGER note_fts_insert AFTER INSERT ON note BEGIN
    INSERT INTO note_fts (note_id, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER note_fts_update AFTER UPDATE OF title, body ON note BEGIN
    DELETE FROM note_fts WHERE note_id = old.id;
    INSERT INTO note_fts (note_id, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER note_fts_delete AFTER DELETE ON note BEGIN
    DELETE FROM note_fts WHERE note_id = old.id;
END;

CREATE INDEX note_document ON note(document_id);
CREATE INDEX note_updated ON note(updated_at);
