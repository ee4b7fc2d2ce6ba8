"""Full-text postings, written at build time: per indexed word, the rows holding it and how often in each column.

Search ranks by FTS5's bm25, which FTS5 computes for every match before sorting: over the 40,000+
passages (or 9,000 entities) holding a common word that is most of a search's time. These tables
hold what bm25 is made of (per word: each row's count in each column; per row: its length in
tokens), so the search can compute every match's score with numpy and ask FTS5 only about the page
it shows (app.core.query.topk). The reference is read-only, so they never go stale.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# How every full-text index splits and stems words (the reference's and the query tokenizer's).
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class Index:
    """A full-text index of the reference and the name of its postings tables."""

    fts: str  # the FTS5 table
    name: str  # its postings are ``{name}_postings`` and ``{name}_doclen``
    columns: tuple[str, ...]
    weights: tuple[float, ...]  # bm25's column weights in the search that ranks by it


PASSAGES = Index("passage_fts", "passage", ("text", "heading", "title"), (1.0, 2.0, 0.5))
ENTITIES = Index("entity_fts", "entity", ("name", "aliases", "facts", "body", "context"), (10.0, 6.0, 3.0, 1.0, 0.3))
PASSAGE_WEIGHTS = PASSAGES.weights
ENTITY_WEIGHTS = ENTITIES.weights


def postings_schema(index: Index) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {index.name}_postings (
    term TEXT PRIMARY KEY,  -- a word as the index stores it (stemmed, lower case)
    positions BLOB NOT NULL,  -- int32: indexes into {index.name}_doclen's arrays, ascending
    counts BLOB NOT NULL  -- uint16, one per column per position: the word's count there
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {index.name}_doclen (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rowids BLOB NOT NULL,  -- int64: the {index.fts} rowids holding any token, ascending
    lengths BLOB NOT NULL,  -- int32: each one's length in tokens (all columns)
    n_rows INTEGER NOT NULL,  -- rows of {index.fts} (bm25's N)
    n_tokens INTEGER NOT NULL  -- tokens in all of them (bm25's average length is n_tokens / n_rows)
);
"""


def build_postings(con: sqlite3.Connection, index: Index) -> int:
    """Fill ``index``'s postings tables from its FTS5 table (once complete); returns the number of words."""
    con.executescript(postings_schema(index))
    con.execute("SAVEPOINT atlas_postings")  # one transaction, inside the caller's if it has one
    con.execute(f"DELETE FROM {index.name}_postings")
    con.execute(f"DELETE FROM {index.name}_doclen")
    con.execute(f"CREATE VIRTUAL TABLE temp.atlas_vocab USING fts5vocab(main, {index.fts}, instance)")
    try:
        column = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(index.columns))
        rows = con.execute(
            f"SELECT term, doc, CASE col {column} END, count(*) FROM temp.atlas_vocab"
            " GROUP BY term, doc, col ORDER BY term, doc, col"
        ).fetchall()
    finally:
        con.execute("DROP TABLE temp.atlas_vocab")
    import numpy as np  # here: the query layer imports this module before the window's first paint

    n = len(rows)
    terms = np.array([r[0] for r in rows], dtype=object)
    doc = np.fromiter((r[1] for r in rows), np.int64, n)
    col = np.fromiter((r[2] for r in rows), np.int64, n)
    count = np.fromiter((r[3] for r in rows), np.int64, n)
    rowids, at = np.unique(doc, return_inverse=True)
    lengths = np.bincount(at, weights=count, minlength=len(rowids)).astype(np.int64)
    n_rows = int(con.execute(f"SELECT count(*) FROM {index.fts}").fetchone()[0])
    con.execute(
        f"INSERT INTO {index.name}_doclen (id, rowids, lengths, n_rows, n_tokens) VALUES (1, ?, ?, ?, ?)",
        (rowids.astype("<i8").tobytes(), lengths.astype("<i4").tobytes(), n_rows, int(lengths.sum())),
    )
    # One row of counts per (word, row); a word's rows are a run of them.
    new_term = np.ones(n, np.bool_)
    new_term[1:] = terms[1:] != terms[:-1]
    new_cell = new_term.copy()
    new_cell[1:] |= doc[1:] != doc[:-1]
    cell = np.cumsum(new_cell) - 1
    counts = np.zeros((int(cell[-1]) + 1 if n else 0, len(index.columns)), np.int64)
    counts[cell, col] = np.minimum(count, 65535)
    positions = at[new_cell]
    starts = cell[new_term]
    ends = [*starts[1:].tolist(), len(positions)]
    for term, start, end in zip(terms[new_term].tolist(), starts.tolist(), ends, strict=True):
        con.execute(
            f"INSERT INTO {index.name}_postings (term, positions, counts) VALUES (?, ?, ?)",
            (term, positions[start:end].astype("<i4").tobytes(), counts[start:end].astype("<u2").tobytes()),
        )
    con.execute("RELEASE atlas_postings")
    return len(starts)


def build_search_postings(con: sqlite3.Connection) -> None:
    """The postings of both reference indexes (passages, entities)."""
    build_postings(con, PASSAGES)
    build_postings(con, ENTITIES)
