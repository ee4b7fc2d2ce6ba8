"""Exact top-k search: bm25 from the postings tables with numpy, FTS5 only for the page shown.

FTS5 computes bm25 for every match of a query before it can sort: 40,000+ passages (9,000
entities) for a common word at 10,000 entities, 100 ms and more. The postings tables
(app.core.reference.postings) hold what bm25 is made of, so the same formula runs over whole
arrays here, and the order is FTS5's own.

How it stays exact. An expression is parsed into words ("treaty"), prefixes ("allian"*) and
phrases ("North Atlantic Treaty"), joined by AND, OR and NOT, under column filters ({name
aliases} :). The matching rows are exact (a phrase's rows come from FTS5). A row's score is the
sum, over the expression's phrases in order, of ``idf × tf-part``, computed as fts5_aux.c does it
(k1 = 1.2, b = 0.75; the idf of a word in more than half the rows is 1e-6; a column filter limits
both the counts and the idf); a phrase's part is FTS5's bm25 of the phrase alone, the same
product. So every sum is FTS5's to the last bit (the tests compare them), and the page is the
one FTS5 would return. An expression beyond this (NEAR, ^, a prefix phrase) is left to FTS5.
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

from app.core.reference.postings import FTS_TOKENIZER, PASSAGES, Index

Raw = Callable[..., list[tuple[Any, ...]]]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

K1 = 1.2
B = 0.75
CACHE_BYTES = 32 << 20  # per index and thread: a common word at 10,000 entities is 1-2 MB
MAX_PREFIX_TERMS = 200  # a prefix matching more words than this ("a"*) is left to FTS5


# ---- the expression ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    text: str  # the quoted string's content
    prefix: bool


@dataclass(frozen=True)
class Node:
    op: str  # "AND", "OR", "NOT", "COLUMNS" (one child, matched in ``columns`` only)
    children: tuple[Leaf | Node, ...]
    columns: tuple[str, ...] = ()


_TOKEN = re.compile(r'\s*(?:("(?:[^"]|"")*")(\*?)|(\()|(\))|(AND|OR|NOT)\b|\{([a-z ]*)\}\s*:)')


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
        elif m.group(5):
            tokens.append(("op", m.group(5)))
        else:
            tokens.append(("columns", m.group(6)))
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
    if kind == "columns":
        child, i = _primary(tokens, i + 1)
        return Node("COLUMNS", (child,), tuple(value.split())), i
    if kind == "(":
        node, i = _or(tokens, i + 1)
        if i >= len(tokens) or tokens[i][0] != ")":
            raise Unsupported("unbalanced parenthesis")
        return node, i + 1
    raise Unsupported(value)


_not = _binary("NOT", _primary)
_and = _binary("AND", _not)
_or = _binary("OR", _and)


Columns = frozenset[str] | None  # None: every column


def leaves(node: Leaf | Node, columns: Columns = None) -> list[tuple[Leaf, Columns]]:
    """The expression's phrases in FTS5's order (left to right), each with the columns it is
    matched in (nested column filters intersect)."""
    if isinstance(node, Leaf):
        return [(node, columns)]
    if node.op == "COLUMNS":
        here = frozenset(node.columns)
        columns = here if columns is None else columns & here
    return [pair for child in node.children for pair in leaves(child, columns)]


# ---- the postings, shared by every thread --------------------------------------------------------
class Postings:
    """The postings tables of the reference, and a tokenizer like the index's. Shared by every thread:
    each reads with its own connection (``raw``), and what is cached here (words' postings, texts'
    tokens) is the same whichever connection read it."""

    def __init__(self, raw: Raw, index: Index = PASSAGES):
        self._raw = raw
        self.index = index
        row = []
        tables = (
            f"SELECT count(*) FROM main.sqlite_master WHERE name IN ('{index.name}_doclen', '{index.name}_postings')"
        )
        if raw(tables)[0][0] == 2:
            row = raw(f"SELECT rowids, lengths, n_rows, n_tokens FROM main.{index.name}_doclen WHERE id = 1")
        if not row:
            raise LookupError(f"no {index.name} postings")
        rowids, lengths, n_rows, n_tokens = row[0]
        self.rowids: Ints = np.frombuffer(rowids, dtype="<i8").astype(np.int64)
        self.n_rows = int(n_rows)
        avgdl = float(n_tokens) / float(n_rows) if n_rows else 1.0
        doclen = np.frombuffer(lengths, dtype="<i4").astype(np.float64)
        # bm25's length part, as fts5_aux.c computes it: k1 * (1 - b + b * D / avgdl).
        self.norm: F64 = K1 * ((1 - B) + (B * doclen) / avgdl)
        self.terms: list[str] = [str(r[0]) for r in raw(f"SELECT term FROM main.{index.name}_postings ORDER BY term")]
        self._cache: dict[str, tuple[Ints, F64]] = {}  # the words of the last few searches
        self._cached_bytes = 0
        self._tokens: dict[str, list[str]] = {}  # a text -> its tokens (the tokenizer never changes)

    def _scratch(self) -> None:
        """The calling thread's connection's scratch tables (temp tables are per connection; the
        postings are shared by every thread)."""
        self._raw(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_query_tokens USING fts5(t, tokenize='{FTS_TOKENIZER}')"
        )
        self._raw(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_page"
            f" USING fts5(text, heading, title, tokenize='{FTS_TOKENIZER}')"
        )
        self._raw(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.atlas_query_tokens_v"
            " USING fts5vocab(temp, atlas_query_tokens, instance)"
        )

    def snippets(self, table: str, ids: list[int], expr: str, marks: tuple[str, str]) -> list[tuple[Any, ...]]:
        """(rowid, snippet) of the passages ``ids`` of ``table`` matching ``expr``, made in a small
        index holding only their rows: the same snippets, without walking every match of ``expr``."""
        self._scratch()
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
        new = [t for t in dict.fromkeys(texts) if t not in self._tokens]
        if new:
            self._scratch()
            self._raw("DELETE FROM temp.atlas_query_tokens")
            self._raw(
                "INSERT INTO temp.atlas_query_tokens (rowid, t) SELECT key, value FROM json_each(:t)",
                {"t": json.dumps(new)},
            )
            out: list[list[str]] = [[] for _ in new]
            for doc, term in self._raw("SELECT doc, term FROM temp.atlas_query_tokens_v ORDER BY doc, offset"):
                out[int(doc)].append(str(term))
            if len(self._tokens) > 4096:
                self._tokens.clear()
            self._tokens.update(zip(new, out, strict=True))
        return [self._tokens[t] for t in texts]

    def term(self, term: str) -> tuple[Ints, F64]:
        """(positions, counts: one column per index column) of one indexed word; empty when the
        index has no such word."""
        hit = self._cache.get(term)
        if hit is None:
            width = len(self.index.columns)
            rows = self._raw(
                f"SELECT positions, counts FROM main.{self.index.name}_postings WHERE term = :t", {"t": term}
            )
            if rows:
                pos = np.frombuffer(rows[0][0], dtype="<i4").astype(np.int64)
                counts = np.frombuffer(rows[0][1], dtype="<u2").astype(np.float64).reshape(-1, width)
            else:
                pos, counts = np.zeros(0, np.int64), np.zeros((0, width), np.float64)
            if self._cached_bytes > CACHE_BYTES:
                self._cache.clear()
                self._cached_bytes = 0
            hit = self._cache[term] = (pos, counts)
            self._cached_bytes += pos.nbytes + counts.nbytes
        return hit

    def filter(self, columns: Columns, expr: str) -> str:
        """``expr`` matched in ``columns`` only, in FTS5's syntax."""
        if columns is None or set(columns) >= set(self.index.columns):
            return expr
        return "{" + " ".join(c for c in self.index.columns if c in columns) + "} : " + expr

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
def _presence(p: Postings, leaf: Leaf, toks: list[str], columns: Columns) -> tuple[Ints, F64] | None:
    """(positions, weighted count) of a word or prefix in ``columns``; None for a phrase."""
    if not toks or (leaf.prefix and len(toks) > 1):
        raise Unsupported(leaf.text)
    if not leaf.prefix and len(toks) > 1:
        return None
    words = p.with_prefix(toks[0]) if leaf.prefix else toks
    if len(words) == 1:
        pos, counts = p.term(words[0])
    else:
        dense = np.zeros((p.size, len(p.index.columns)), np.float64)
        for word in words:
            at, c = p.term(word)
            dense[at] += c  # a word's positions are distinct; a prefix counts all its words
        pos = np.flatnonzero(dense.any(axis=1))
        counts = dense[pos]
    f = _weighted(p, counts, columns)
    keep = f > 0
    return pos[keep], f[keep]


def _weighted(p: Postings, counts: F64, columns: Columns) -> F64:
    """Each row's count weighted by column, summed as fts5_aux.c sums it: the column's weight
    added once per instance, column by column (``0.3 + 0.3 + 0.3`` is not ``3 * 0.3``)."""
    f = np.zeros(len(counts), np.float64)
    for c, (name, w) in enumerate(zip(p.index.columns, p.index.weights, strict=True)):
        if columns is not None and name not in columns:
            continue
        n = counts[:, c]
        for k in range(int(n.max()) if len(n) else 0):
            f = np.where(n > k, f + w, f)
    return f


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _at(p: Postings, rows: list[tuple[Any, ...]]) -> Ints:
    """The postings positions of FTS5 rows (rowid first)."""
    ids = np.asarray([int(r[0]) for r in rows], np.int64)
    at = np.searchsorted(p.rowids, ids)
    if len(at) and not np.array_equal(p.rowids[np.minimum(at, p.size - 1)], ids):
        raise Unsupported("a row the postings do not know")  # the index changed since the build
    return at


def score(p: Postings, node: Leaf | Node, raw: Raw) -> tuple[Mask, F64]:
    """The rows matching ``node`` (a mask over ``p``'s positions) and every row's bm25 for it,
    negated (higher is better): the sum over the expression's phrases, in order, of each one's
    part, computed as fts5_aux.c does (so the sums are FTS5's to the last bit)."""
    pairs = leaves(node)
    tokens = p.tokens([leaf.text for leaf, _c in pairs])
    total = np.zeros(p.size, np.float64)
    masks: list[Mask] = []
    weights = ", ".join(map(str, p.index.weights))
    for (leaf, columns), toks in zip(pairs, tokens, strict=True):
        found = _presence(p, leaf, toks, columns)
        if found is not None:
            hit, f = found
            part = p.idf(len(hit)) * ((f * (K1 + 1.0)) / (f + p.norm[hit]))
        else:
            # A phrase: FTS5 scores it alone; its part of a longer expression's score is the same
            # product (its idf depends on the phrase and its columns only), so the sum stays exact.
            fts = p.index.fts
            rows = raw(
                f"SELECT rowid, bm25({fts}, {weights}) FROM {fts} WHERE {fts} MATCH :q",
                {"q": p.filter(columns, _quoted(leaf.text))},
            )
            hit = _at(p, rows)
            part = -np.asarray([float(r[1]) for r in rows], np.float64)
        mask = np.zeros(p.size, np.bool_)
        mask[hit] = True
        masks.append(mask)
        total[hit] += part
    return _match(node, iter(masks)), total


def matches(p: Postings, node: Leaf | Node, columns: frozenset[str], raw: Raw) -> Mask:
    """The rows matching ``node`` within ``columns`` (``{columns} : (node)``), as a mask."""
    pairs = leaves(node, columns)
    tokens = p.tokens([leaf.text for leaf, _c in pairs])
    masks: list[Mask] = []
    for (leaf, cols), toks in zip(pairs, tokens, strict=True):
        found = _presence(p, leaf, toks, cols)
        if found is not None:
            hit = found[0]
        else:
            fts = p.index.fts
            hit = _at(
                p, raw(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q", {"q": p.filter(cols, _quoted(leaf.text))})
            )
        mask = np.zeros(p.size, np.bool_)
        mask[hit] = True
        masks.append(mask)
    return _match(node, iter(masks))


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
        match, total = score(p, parse(expr), raw)
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


def rank_entities(
    raw: Raw,
    p: Postings,
    expr: str,
    *,
    limit: int,
    tiers: tuple[frozenset[str], ...],
    named: set[int],
    phrase: set[int],
    allowed: set[int] | None,
) -> list[int] | None:
    """The reference entities (entity_fts rowids) that can be among the first ``limit`` of the
    ranked list: ordered by tier (0: ``named``, then matching in each of ``tiers``' columns, then
    the rest), then the words side by side (``phrase``), then bm25; the first ``limit`` and every
    tie with the last of them, among ``allowed`` (the other filters; None: all). None when FTS5 has
    to rank them (an expression this module does not model)."""
    try:
        node = parse(expr)
        match, total = score(p, node, raw)
        in_tier = [matches(p, node, columns, raw) for columns in tiers]
    except Unsupported:
        return None
    tier = np.full(p.size, len(tiers) + 1, np.int64)
    for n in reversed(range(len(tiers))):
        tier[in_tier[n]] = n + 1
    phrase_at = np.zeros(p.size, np.bool_)
    for rowids, fill in ((named, "named"), (phrase, "phrase"), (allowed, "allowed")):
        if rowids is None:
            continue
        at, ok = _positions(p, sorted(rowids))
        if fill == "named":
            tier[at[ok]] = 0
        elif fill == "phrase":
            phrase_at[at[ok]] = True
        else:
            keep = np.zeros(p.size, np.bool_)
            keep[at[ok]] = True
            match &= keep
    rows = np.flatnonzero(match)
    if len(rows) > limit:
        order = np.lexsort((-total[rows], ~phrase_at[rows], tier[rows]))
        last = rows[order[limit - 1]]
        t, ph, s = tier[rows], phrase_at[rows], total[rows]
        same_tier = t == tier[last]
        better_phrase = ph & ~phrase_at[last]
        rows = rows[(t < tier[last]) | (same_tier & (better_phrase | ((ph == phrase_at[last]) & (s >= total[last]))))]
    return [int(r) for r in p.rowids[rows]]


def _positions(p: Postings, rowids: list[int]) -> tuple[Ints, Mask]:
    ids = np.asarray(rowids, np.int64)
    at = np.searchsorted(p.rowids, ids)
    return at, (at < p.size) & (p.rowids[np.minimum(at, p.size - 1)] == ids)
