"""Exact top-k passage ranking: bm25 from the postings tables with numpy, FTS5 only for the page shown.

FTS5 computes bm25 for every match of a query before it can sort: 40,000+ passages for a common
word at 10,000 entities, 100 ms and more. The postings tables (app.core.reference.postings) hold
what bm25 is made of, so the same formula runs over whole arrays here; the order is FTS5's own.

How it stays exact. An expression is parsed into words ("treaty"), prefixes ("allian"*) and
phrases ("North Atlantic Treaty"), joined by AND, OR and NOT. The set of matching passages is exact
(a phrase's passages come from FTS5). A passage's score is the sum, over the expression's phrases in
order, of ``idf × tf-part``, computed as FTS5 does it (fts5_aux.c: k1 = 1.2, b = 0.75, the idf of a
word in more than half the passages is 1e-6), so for words and prefixes it is FTS5's score. For a
phrase the tf-part uses the least frequent of its words: an upper bound. When there is a phrase,
the passages whose bound could reach the page are scored by FTS5 and the page is accepted only if
its last passage beats every bound left out; otherwise more are scored, and at the end FTS5 ranks
everything (:func:`rank_passages` returns None and the caller does).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.core.reference.postings import FTS_TOKENIZER, PASSAGE_WEIGHTS

Raw = Callable[..., list[tuple[Any, ...]]]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

K1 = 1.2
B = 0.75
MAX_PREFIX_TERMS = 200  # a prefix matching more words than this ("a"*) is left to FTS5


# ---- the expression ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    text: str  # the quoted string's content
    prefix: bool


@dataclass(frozen=True)
class Node:
    op: str  # "AND", "OR", "NOT"
    children: tuple[Leaf | Node, ...]


_TOKEN = re.compile(r'\s*(?:("(?:[^"]|"")*")(\*?)|(\()|(\))|(AND|OR|NOT)\b)')


class Unsupported(Exception):
    """An expression this ranker does not model (a column filter, NEAR, ^): FTS5 ranks it."""


def parse(expr: str) -> Leaf | Node:
    """The expression as the search plans write it (quoted words, AND, OR, NOT, parentheses)."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = _TOKEN.match(expr, pos)
        if m is None:
            raise Unsupported(expr[pos:])
        if m.group(1):
            tokens.append(("leaf", m.group(1)[1:-1].replace('""', '"') + ("*" if m.group(2) else "")))
        elif m.group(3):
            tokens.append(("(", ""))
        elif m.group(4):
            tokens.append((")", ""))
        else:
            tokens.append(("op", m.group(5)))
        pos = m.end()
    node, rest = _or(tokens, 0)
    if rest != len(tokens):
        raise Unsupported(expr)
    return node


_Level = Callable[[list[tuple[str, str]], int], tuple["Leaf | Node", int]]


def _binary(op: str, sub: _Level) -> _Level:
    def parse_level(tokens: list[tuple[str, str]], i: int) -> tuple[Leaf | Node, int]:
        left, i = sub(tokens, i)
        parts = [left]
        while i < len(tokens) and tokens[i] == ("op", op):
            right, i = sub(tokens, i + 1)
            parts.append(right)
        if len(parts) == 1:
            return left, i
        if op == "NOT":  # left-associative: ((a NOT b) NOT c)
            node: Leaf | Node = parts[0]
            for p in parts[1:]:
                node = Node("NOT", (node, p))
            return node, i
        return Node(op, tuple(parts)), i

    return parse_level


def _primary(tokens: list[tuple[str, str]], i: int) -> tuple[Leaf | Node, int]:
    if i >= len(tokens):
        raise Unsupported("end of expression")
    kind, value = tokens[i]
    if kind == "leaf":
        return Leaf(value.removesuffix("*"), value.endswith("*")), i + 1
    if kind == "(":
        node, i = _or(tokens, i + 1)
        if i >= len(tokens) or tokens[i][0] != ")":
            raise Unsupported("unbalanced parenthesis")
        return node, i + 1
    raise Unsupported(value)


_not = _binary("NOT", _primary)
_and = _binary("AND", _not)
_or = _binary("OR", _and)


def leaves(node: Leaf | Node) -> list[Leaf]:
    """The expression's phrases in FTS5's order (left to right)."""
    if isinstance(node, Leaf):
        return [node]
    return [leaf for child in node.children for leaf in leaves(child)]


# ---- the postings, per connection ------------------------------------------------------------------
class Postings:
    """The postings tables of one connection's reference, and a tokenizer like the index's."""

    def __init__(self, raw: Raw):
        self._raw = raw
        row = []
        tables = "SELECT count(*) FROM main.sqlite_master WHERE name IN ('passage_doclen', 'passage_postings')"
        if raw(tables)[0][0] == 2:
            row = raw("SELECT rowids, lengths, n_rows, n_tokens FROM main.passage_doclen WHERE id = 1")
        if not row:
            raise LookupError("no passage postings")
        rowids, lengths, n_rows, n_tokens = row[0]
        self.rowids: Ints = np.frombuffer(rowids, dtype="<i8").astype(np.int64)
        self.n_rows = int(n_rows)
        avgdl = float(n_tokens) / float(n_rows) if n_rows else 1.0
        doclen = np.frombuffer(lengths, dtype="<i4").astype(np.float64)
        # bm25's length part, as fts5_aux.c computes it: k1 * (1 - b + b * D / avgdl).
        self.norm: F64 = K1 * ((1 - B) + (B * doclen) / avgdl)
        self.terms: list[str] = [str(r[0]) for r in raw("SELECT term FROM main.passage_postings ORDER BY term")]
        self._cache: dict[str, tuple[Ints, F64]] = {}
        raw(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_query_tokens USING fts5(t, tokenize='{FTS_TOKENIZER}')")
        raw(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_page"
            f" USING fts5(text, heading, title, tokenize='{FTS_TOKENIZER}')"
        )
        raw(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_query_tokens_v"
            " USING fts5vocab(temp, atlas_query_tokens, instance)"
        )

    def snippets(self, table: str, ids: list[int], expr: str, marks: tuple[str, str]) -> list[tuple[Any, ...]]:
        """(rowid, snippet) of the passages ``ids`` of ``table`` matching ``expr``, made in a small
        index holding only their rows: the same snippets, without walking every match of ``expr``."""
        self._raw("DELETE FROM temp.atlas_page")
        self._raw(
            f"INSERT INTO temp.atlas_page (rowid, text, heading, title) SELECT rowid, text, heading, title"
            f" FROM {table} WHERE rowid IN (SELECT value FROM json_each(:ids))",
            {"ids": json.dumps(ids)},
        )
        return self._raw(
            "SELECT rowid, snippet(atlas_page, 0, :o, :c, '…', 24) FROM temp.atlas_page WHERE atlas_page MATCH :q",
            {"q": expr, "o": marks[0], "c": marks[1]},
        )

    @property
    def size(self) -> int:
        return len(self.rowids)

    def tokens(self, texts: list[str]) -> list[list[str]]:
        """Each text as the index's tokenizer splits and stems it ("Treaties" -> ["treati"])."""
        self._raw("DELETE FROM temp.atlas_query_tokens")
        self._raw(
            "INSERT INTO temp.atlas_query_tokens (rowid, t) SELECT key, value FROM json_each(:t)",
            {"t": json.dumps(texts)},
        )
        out: list[list[str]] = [[] for _ in texts]
        for doc, term in self._raw("SELECT doc, term FROM temp.atlas_query_tokens_v ORDER BY doc, offset"):
            out[int(doc)].append(str(term))
        return out

    def term(self, term: str) -> tuple[Ints, F64]:
        """(positions, weighted counts) of one indexed word; empty when the index has no such word."""
        hit = self._cache.get(term)
        if hit is None:
            rows = self._raw("SELECT positions, freqs FROM main.passage_postings WHERE term = :t", {"t": term})
            if rows:
                pos = np.frombuffer(rows[0][0], dtype="<i4").astype(np.int64)
                freq = np.frombuffer(rows[0][1], dtype="<f4").astype(np.float64)
            else:
                pos, freq = np.zeros(0, np.int64), np.zeros(0, np.float64)
            if len(self._cache) > 256:
                self._cache.clear()
            hit = self._cache[term] = (pos, freq)
        return hit

    def with_prefix(self, prefix: str) -> list[str]:
        import bisect

        i = bisect.bisect_left(self.terms, prefix)
        out: list[str] = []
        while i < len(self.terms) and self.terms[i].startswith(prefix):
            out.append(self.terms[i])
            if len(out) > MAX_PREFIX_TERMS:
                raise Unsupported(f"{prefix}*")
            i += 1
        return out

    def idf(self, n_hit: int) -> float:
        idf = math.log((self.n_rows - n_hit + 0.5) / (n_hit + 0.5))
        return idf if idf > 0.0 else 1e-6


# ---- scoring --------------------------------------------------------------------------------------
PhraseScores = Callable[[str], list[tuple[Any, ...]]]


def score(p: Postings, node: Leaf | Node, phrase_scores: PhraseScores) -> tuple[Mask, F64]:
    """The passages matching ``node`` (a mask over ``p``'s positions) and every passage's bm25 for
    it, negated (higher is better): the sum over the expression's phrases, in order, of each one's
    part, computed as fts5_aux.c does (so the sums are FTS5's to the last bit)."""
    all_leaves = leaves(node)
    tokens = p.tokens([leaf.text for leaf in all_leaves])
    total = np.zeros(p.size, np.float64)
    masks: list[Mask] = []
    for leaf, toks in zip(all_leaves, tokens, strict=True):
        if not toks or (leaf.prefix and len(toks) > 1):
            raise Unsupported(leaf.text)
        if leaf.prefix or len(toks) == 1:
            words = p.with_prefix(toks[0]) if leaf.prefix else toks
            if len(words) == 1:
                hit, f = p.term(words[0])
            else:
                freq = np.zeros(p.size, np.float64)
                for w in words:
                    pos, wf = p.term(w)
                    freq[pos] += wf  # a word's positions are distinct; a prefix counts all its words
                hit = np.flatnonzero(freq)
                f = freq[hit]
            part = p.idf(len(hit)) * ((f * (K1 + 1.0)) / (f + p.norm[hit]))
        else:
            # A phrase: FTS5 scores it alone; its part of a longer expression's score is the same
            # product (its idf depends on the phrase only), so the sum stays exact.
            rows = phrase_scores('"' + leaf.text.replace('"', '""') + '"')
            ids = np.asarray([int(r[0]) for r in rows], np.int64)
            hit = np.searchsorted(p.rowids, ids)
            if len(hit) and not np.array_equal(p.rowids[np.minimum(hit, p.size - 1)], ids):
                raise Unsupported(leaf.text)  # a row the postings do not know: the index changed
            part = -np.asarray([float(r[1]) for r in rows], np.float64)
        mask = np.zeros(p.size, np.bool_)
        mask[hit] = True
        masks.append(mask)
        total[hit] += part
    return _match(node, iter(masks)), total


def _match(node: Leaf | Node, masks: Iterator[Mask]) -> Mask:
    if isinstance(node, Leaf):
        return next(masks)
    parts = [_match(c, masks) for c in node.children]
    out = parts[0].copy()
    for m in parts[1:]:
        if node.op == "AND":
            out &= m
        elif node.op == "OR":
            out |= m
        else:
            out &= ~m
    return out


@dataclass(frozen=True)
class Ranked:
    rowid: int
    score: float  # bm25 as FTS5 returns it (lower is better)
    named: int  # how many of the entities the query names the passage mentions
    phrase: bool  # the query's words side by side


def rank_passages(
    raw: Raw,
    p: Postings,
    expr: str,
    *,
    limit: int,
    named: Mapping[int, int],
    phrase: set[int],
) -> list[Ranked] | None:
    """The first ``limit`` passages of ``passage_fts`` matching ``expr``, ordered as the search orders
    them (more named entities mentioned, then the words side by side, then bm25, then id), or None
    when FTS5 has to rank them (an expression this module does not model)."""
    try:
        match, total = score(p, parse(expr), lambda q: raw(_PHRASE_SQL, {"q": q}))
    except Unsupported:
        return None
    named_at = np.zeros(p.size, np.int64)
    phrase_at = np.zeros(p.size, np.bool_)
    if named:
        at, ok = _positions(p, list(named))
        named_at[at[ok]] = [named[int(r)] for r in p.rowids[at[ok]]]
    if phrase:
        at, ok = _positions(p, list(phrase))
        phrase_at[at[ok]] = True
    first = match & ((named_at > 0) | phrase_at)  # ahead of every other match
    rest = np.flatnonzero(match & ~first)
    if len(rest) > limit:
        # The rest's best ``limit`` and every tie with the last of them (the id decides among ties).
        cut = np.partition(total[rest], len(rest) - limit)[len(rest) - limit]
        rest = rest[total[rest] >= cut]
    cand = np.concatenate([np.flatnonzero(first), rest])
    scores = -total[cand]
    order = np.lexsort((p.rowids[cand], scores, ~phrase_at[cand], -named_at[cand]))[:limit]
    return [
        Ranked(int(p.rowids[i]), float(s), int(named_at[i]), bool(phrase_at[i]))
        for i, s in zip(cand[order], scores[order], strict=True)
    ]


def _positions(p: Postings, rowids: list[int]) -> tuple[Ints, Mask]:
    ids = np.asarray(rowids, np.int64)
    at = np.searchsorted(p.rowids, ids)
    return at, (at < p.size) & (p.rowids[np.minimum(at, p.size - 1)] == ids)


_PHRASE_SQL = (
    f"SELECT rowid, bm25(passage_fts, {', '.join(map(str, PASSAGE_WEIGHTS))}) FROM passage_fts"
    " WHERE passage_fts MATCH :q"
)
