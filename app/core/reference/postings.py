"""The passage index's postings, written at build time: per indexed word, the passages holding it and how often.

Passage search ranks by FTS5's bm25, which FTS5 computes for every match before sorting: over the
40,000+ matches of a common word that is most of a search's time. These tables hold what bm25 is
made of (per word: each passage's weighted count; per passage: its length in tokens), so the search
can compute every match's score with numpy and ask FTS5 only about the page it shows
(app.core.query.topk). The reference is read-only, so they never go stale.
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from itertools import groupby

# How every full-text index splits and stems words (the reference's and the query tokenizer's).
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# bm25's column weights in passage search (text, heading, title): the search and these tables must agree.
PASSAGE_WEIGHTS = (1.0, 2.0, 0.5)
PASSAGE_COLUMNS = ("text", "heading", "title")

POSTINGS_SCHEMA = """
CREATE TABLE IF NOT EXISTS passage_postings (
    term TEXT PRIMARY KEY,  -- a word as the index stores it (stemmed, lower case)
    positions BLOB NOT NULL,  -- int32: indexes into passage_doclen's arrays, ascending
    freqs BLOB NOT NULL  -- float32: the word's count in each, weighted by column (PASSAGE_WEIGHTS)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passage_doclen (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rowids BLOB NOT NULL,  -- int64: the passage_fts rowids holding any token, ascending
    lengths BLOB NOT NULL,  -- int32: each one's length in tokens (all columns)
    n_rows INTEGER NOT NULL,  -- rows of passage_fts (bm25's N)
    n_tokens INTEGER NOT NULL  -- tokens in all of them (bm25's average length is n_tokens / n_rows)
);
"""


def _bytes(values: array) -> bytes:  # type: ignore[type-arg]
    """Little-endian bytes, whatever the machine (the reference file may move)."""
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def build_passage_postings(con: sqlite3.Connection) -> int:
    """Fill the postings tables from ``passage_fts`` (after it is complete); returns the number of words."""
    con.executescript(POSTINGS_SCHEMA)
    con.execute("SAVEPOINT atlas_postings")  # one transaction, inside the caller's if it has one
    con.execute("DELETE FROM passage_postings")
    con.execute("DELETE FROM passage_doclen")
    con.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_passage_vocab USING fts5vocab(main, passage_fts, instance)"
    )
    try:
        weight = " ".join(f"WHEN '{c}' THEN {w!r}" for c, w in zip(PASSAGE_COLUMNS, PASSAGE_WEIGHTS, strict=True))
        rows = con.execute(
            f"SELECT term, doc, sum(CASE col {weight} ELSE 1.0 END), count(*) FROM temp.atlas_passage_vocab"
            " GROUP BY term, doc ORDER BY term, doc"
        ).fetchall()
    finally:
        con.execute("DROP TABLE temp.atlas_passage_vocab")
    lengths: dict[int, int] = {}
    for _term, doc, _f, n in rows:
        lengths[doc] = lengths.get(doc, 0) + n
    rowids = sorted(lengths)
    position = {r: i for i, r in enumerate(rowids)}
    n_rows = int(con.execute("SELECT count(*) FROM passage_fts").fetchone()[0])
    con.execute(
        "INSERT INTO passage_doclen (id, rowids, lengths, n_rows, n_tokens) VALUES (1, ?, ?, ?, ?)",
        (
            _bytes(array("q", rowids)),
            _bytes(array("i", (lengths[r] for r in rowids))),
            n_rows,
            sum(lengths.values()),
        ),
    )
    n_terms = 0
    for term, group in groupby(rows, key=lambda r: r[0]):
        postings = list(group)
        con.execute(
            "INSERT INTO passage_postings (term, positions, freqs) VALUES (?, ?, ?)",
            (
                term,
                _bytes(array("i", (position[r[1]] for r in postings))),
                _bytes(array("f", (r[2] for r in postings))),
            ),
        )
        n_terms += 1
    con.execute("RELEASE atlas_postings")
    return n_terms
