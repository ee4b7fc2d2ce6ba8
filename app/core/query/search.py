"""Search: ranked passages (bm25) with snippets, entity names expanded, and the relaxed-search message."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.query.entity_sql import NAMED_SQL, TIER_COLUMNS, entity_query, ranked_entity_queries, where_clauses
from app.core.query.filters import FilterSpec, entity_plan, name_ngrams
from app.core.query.fts import SearchPlan, relaxed_message, search_plan, step_sql, words_of
from app.core.query.views import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, PassageHit
from app.core.reference.postings import ENTITIES, PASSAGE_WEIGHTS, PASSAGES, Index

if TYPE_CHECKING:  # NumPy is loaded with the postings, at the first search, not before the first paint
    from app.core.query.topk import Postings

Raw = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class PassageSearch:
    """Passages for a query, and whether they hold only some of its words (``message`` says so)."""

    hits: tuple[PassageHit, ...]
    relaxed: bool = False
    message: str | None = None


# Words that ask for a fact of a named entity ("NATO members", "CSTO founded"): that fact's cited
# passage comes first.
FACT_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("member", "members", "membership", "parties", "party", "participants", "comprising"),
        ("member", "party", "participant", "member_count"),
    ),
    **dict.fromkeys(("founded", "founding", "established", "formed", "created", "year", "when"), ("founded",)),
    **dict.fromkeys(("ended", "dissolved"), ("ended",)),
    **dict.fromkeys(("activity", "activities", "does"), ("activity",)),
    **dict.fromkeys(("category", "type", "kind"), ("category",)),
    **dict.fromkeys(("region", "where"), ("region",)),
    **dict.fromkeys(("treaty", "charter"), ("established_under", "article_of")),
}


class Search:
    """The search half of the Repository: every read goes through its ``raw`` (one connection per
    thread). What it derives from the catalogue once (the name index, the names as SQL lowers them,
    the reference's postings) is shared by every thread: a pool thread new to searching (threads come
    and go) would otherwise spend a second at 100,000 entities making its own copy, and the first
    thread to need one makes it while the others wait for it."""

    def __init__(self, raw: Raw):
        self._raw = raw
        self._lock = threading.Lock()  # one thread makes a shared value; the others wait for it
        self._names: tuple[Any, dict[tuple[str, ...], tuple[str, tuple[tuple[str, ...], ...]]]] | None = None
        self._expansions: tuple[object, dict[tuple[str, ...], tuple[tuple[str, ...], ...]]] | None = None
        self._lower: tuple[Any, frozenset[str]] | None = None
        self._postings_of: dict[str, Postings | None] = {}

    def reset(self) -> None:
        """Forget what was derived from the catalogue (the Repository's connections were closed)."""
        with self._lock:
            self._names = self._expansions = self._lower = None
            self._postings_of = {}

    def prepare(self) -> None:
        """Make the shared values now (the name index, its expansions, the names lowered, the postings)."""
        self._plan("", False)
        self._lower_names()
        self._postings(PASSAGES)
        self._postings(ENTITIES)

    def _signature(self) -> tuple[Any, ...]:
        """Changes when the user adds or removes an entity or an alias."""
        return tuple(self._raw("SELECT (SELECT count(*) FROM entity), (SELECT count(*) FROM alias)")[0])

    def _name_index(self) -> dict[tuple[str, ...], tuple[str, tuple[tuple[str, ...], ...]]]:
        """Every entity name and alias as lower-case words -> (entity id, all its names as words),
        kept until the user adds or removes an entity or alias."""
        signature = self._signature()
        with self._lock:
            if self._names is not None and self._names[0] == signature:
                return self._names[1]
            names: dict[str, list[str]] = {}
            for eid, name in self._raw(
                "SELECT id, name FROM entity UNION ALL SELECT entity_id, alias FROM alias ORDER BY 1"
            ):
                # "France – Germany" is a label for the pair, not a phrase any document writes.
                if " – " not in str(name):
                    names.setdefault(str(eid), []).append(str(name))
            index: dict[tuple[str, ...], tuple[str, tuple[tuple[str, ...], ...]]] = {}
            for eid, all_names in names.items():
                forms = tuple(tuple(words_of(n)) for n in all_names if words_of(n))
                for form in forms:
                    index.setdefault(tuple(w.casefold() for w in form), (eid, forms))
            self._names = (signature, index)
            return index

    def _lower_names(self) -> frozenset[str]:
        """Every entity name and alias as SQL's lower() gives it (what NAMED_SQL compares), kept
        until the user adds or removes an entity or alias."""
        signature = self._signature()
        with self._lock:
            if self._lower is None or self._lower[0] != signature:
                rows = self._raw("SELECT lower(name) FROM entity UNION SELECT lower(alias) FROM alias")
                self._lower = (signature, frozenset(str(r[0]) for r in rows))
            return self._lower[1]

    def _plan(self, query: str, typing: bool) -> SearchPlan | None:
        index = self._name_index()
        # The names as expansions, made once per name index (10,000 entities: 8 ms a search).
        with self._lock:
            cached = self._expansions
            if cached is None or cached[0] is not index:
                cached = self._expansions = (index, {k: v[1] for k, v in index.items()})
        return search_plan(query, typing=typing, expansions=cached[1])

    def named_entities(self, query: str) -> list[str]:
        """Ids of the entities ``query`` names by name or alias, in the order named."""
        index = self._name_index()
        found: list[str] = []
        for gram in name_ngrams(query):
            hit = index.get(tuple(w.casefold() for w in words_of(gram)))
            if hit and hit[0] not in found:
                found.append(hit[0])
        return found

    def search_passages(self, query: str, *, limit: int = 50, typing: bool = False) -> list[PassageHit]:
        """Ranked passages with highlighted snippets (see :meth:`passage_search`)."""
        return list(self.passage_search(query, limit=limit, typing=typing).hits)

    def passage_search(self, query: str, *, limit: int = 50, typing: bool = False) -> PassageSearch:
        """Ranked passages (bm25) with highlighted snippets; odd input finds nothing, never an error.

        Entity names expand to all their names and aliases ("CSTO" finds "Collective Security Treaty
        Organization"). When no passage has all the words, passages with some of them are returned,
        ``relaxed`` and with a message saying so. A query naming an entity and a fact word ("NATO
        members", "CSTO founded") puts the passages cited for that fact first. ``typing``: the last
        word may be a prefix (the window's search box only)."""
        plan = self._plan(query, typing)
        if plan is None:
            return PassageSearch(())
        # Seed passages are indexed in passage_fts, imported ones in imported_passage_fts: a step is
        # used when either has a match for it.
        step = len(plan.steps) - 1
        for i, (e, _r) in enumerate(plan.steps[:-1]):
            if self._raw(f"SELECT {_EXISTS_PASSAGE}", {"q": e})[0][0]:
                step = i
                break
        expr, relaxed = plan.steps[step]
        named = self.named_entities(query)
        cited = self._fact_passages(query, named)
        ranked: list[tuple[int, str, float]] = []
        if step < len(plan.steps) - 1 or self._raw(f"SELECT {_EXISTS_PASSAGE}", {"q": expr})[0][0]:
            ranked = self._ranked(expr, plan.phrase, named, limit)
        ids = [int(r[0]) for r in ranked]
        # Snippets for the page: from a copy of its rows in a small index (app.core.query.topk), so
        # FTS5 walks 50 rows instead of every match of a common word; or, without the postings, in
        # one walk of the matches per table ("+rowid IN": a filter; a lookup per row set a prefix
        # match up again each time, 5 ms a row).
        snippets: dict[int, tuple[str, float]] = {}
        scores = {int(pid): float(score) for pid, _t, score in ranked}
        postings = self._postings()
        for table in dict.fromkeys(str(t) for _p, t, _s in ranked):
            page_ids = [int(pid) for pid, t, _s in ranked if t == table]
            marks = (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
            if postings is not None:
                found = postings.snippets(table, page_ids, expr, marks)
            else:
                found = self._raw(
                    f"SELECT rowid, snippet({table}, 0, :o, :c, '…', 24) FROM {table} WHERE {table} MATCH :q"
                    " AND +rowid IN (SELECT value FROM json_each(:ids))",
                    {"q": expr, "ids": json.dumps(page_ids), "o": marks[0], "c": marks[1]},
                )
            for pid, snip in found:
                snippets[int(pid)] = (str(snip), scores[int(pid)])
        page = {
            int(r[0]): (*r[:7], *snippets[int(r[0])], r[7])
            for r in self._raw(_PASSAGE_INFO_SQL, {"ids": json.dumps(ids)})
            if int(r[0]) in snippets
        }
        rows = [page[i] for i in ids if i in page]
        hits = [_passage_hit(r) for r in rows]
        if cited:
            first = self._cited_hits(cited, plan)
            firsts = {h.passage_id for h in first}
            hits = (first + [h for h in hits if h.passage_id not in firsts])[:limit]
        if not rows and not cited:
            return PassageSearch(())
        message = relaxed_message(plan.words, "passage") if relaxed and rows else None
        return PassageSearch(tuple(hits), relaxed and bool(rows), message)

    def _postings(self, index: Index = PASSAGES) -> Postings | None:
        """The postings of a reference index (None for a reference without), read once for every thread."""
        with self._lock:
            if index.name not in self._postings_of:
                from app.core.query.topk import Postings

                try:
                    self._postings_of[index.name] = Postings(self._raw, index)
                except LookupError:
                    self._postings_of[index.name] = None
            return self._postings_of[index.name]

    def _ranked(self, expr: str, phrase: str | None, named: list[str], limit: int) -> list[tuple[int, str, float]]:
        """The first ``limit`` passages matching ``expr`` as (id, index table, bm25): those mentioning
        more of the entities the query names first ("North Atlantic Treaty": the treaty, not "North
        Atlantic Treaty Organization"), then the words side by side ("collective defense", not
        "collective security ... defense"), then bm25 (a relaxed match ranks passages holding more
        of the words first: bm25 sums them), then id.

        The reference's passages are ranked from its postings (app.core.query.topk: the same order
        without bm25 over every match of a common word), your imported ones by FTS5; when the
        postings cannot model the expression, FTS5 ranks both."""
        postings = self._postings()
        fast = None
        if postings is not None:
            counts: dict[int, int] = {}
            if named:
                counts = {
                    int(pid): int(n)
                    for pid, n in self._raw(
                        "SELECT passage_id, count(DISTINCT entity_id) FROM mention"
                        " WHERE entity_id IN (SELECT value FROM json_each(:named)) GROUP BY passage_id",
                        {"named": json.dumps(named)},
                    )
                }
            side_by_side: set[int] = set()
            if phrase:
                side_by_side = {int(r[0]) for r in self._raw(_PHRASE_ROWS_SQL, {"ph": phrase})}
            from app.core.query.topk import rank_passages

            fast = rank_passages(self._raw, postings, expr, limit=limit, named=counts, phrase=side_by_side)
        if fast is None:
            rows = self._fts_ranked(_PASSAGE_FTS, expr, phrase, named, limit)
        else:
            rows = [(r.rowid, _PASSAGE_FTS[0], r.score, r.named, int(r.phrase)) for r in fast]
            rows += self._fts_ranked(_PASSAGE_FTS[1:], expr, phrase, named, limit)
            rows.sort(key=lambda r: (-r[3], -r[4], r[2], r[0]))
        return [(int(r[0]), str(r[1]), float(r[2])) for r in rows[:limit]]

    def _fts_ranked(
        self, tables: tuple[str, ...], expr: str, phrase: str | None, named: list[str], limit: int
    ) -> list[tuple[Any, ...]]:
        """FTS5's ranking over ``tables``: (id, table, bm25, named entities mentioned, side by side)."""
        named_sql = (
            "(SELECT count(DISTINCT mn.entity_id) FROM mention mn WHERE mn.passage_id = h.pid"
            " AND mn.entity_id IN (SELECT value FROM json_each(:named)))"
            if named
            else "0"
        )
        ranked_sql = " UNION ALL ".join(
            f"SELECT rowid AS pid, '{t}' AS t, bm25({t}, {_WEIGHTS}) AS score,"
            + (f" rowid IN (SELECT rowid FROM {t} WHERE {t} MATCH :ph)" if phrase else " 0")
            + f" AS phrase FROM {t} WHERE {t} MATCH :q"
            for t in tables
        )
        return self._raw(
            f"SELECT h.pid, h.t, h.score, {named_sql} AS named, h.phrase FROM ({ranked_sql}) h"
            " ORDER BY named DESC, h.phrase DESC, h.score, h.pid LIMIT :lim",
            {"q": expr, "ph": phrase, "named": json.dumps(named), "lim": limit},
        )

    def entity_rows(self, spec: FilterSpec, limit: int | None) -> list[tuple[Any, ...]]:
        """The rows of ``entity_query(spec, limit=limit)``; for a ranked search with a limit, from
        its first tiers alone when they fill the page (:func:`ranked_entity_queries`)."""
        if limit is not None and spec.sort == "rank" and spec.text.strip():
            page = self._entity_page(spec, limit)
            if page is not None:
                return page
        plan = ranked_entity_queries(spec, limit)
        if plan.probe is not None and limit is not None:
            total, *tiers = self._raw(plan.probe.sql, plan.probe.params)[0]
            # bm25 over a few hundred matches costs less than a second query.
            if int(total) > 2 * limit:
                for found, q in zip(tiers, plan.tiers, strict=True):
                    if int(found) >= limit:
                        rows = self._raw(q.sql, q.params)
                        if len(rows) >= limit:
                            return rows
                        break
        return self._raw(plan.full.sql, plan.full.params)

    def _entity_page(self, spec: FilterSpec, limit: int) -> list[tuple[Any, ...]] | None:
        """A ranked list's first ``limit`` rows, with bm25 for the reference entities that can be
        among them only (app.core.query.topk.rank_entities); None when that cannot say."""
        postings = self._postings(ENTITIES)
        plan = entity_plan(spec)
        if postings is None or plan is None:
            return None
        # The step the list's SQL cascade takes (the first that finds anything in entity_fts).
        expr = plan.steps[-1][0]
        for e, _r in plan.steps[:-1]:
            if self._raw("SELECT EXISTS (SELECT 1 FROM entity_fts WHERE entity_fts MATCH :q)", {"q": e})[0][0]:
                expr = e
                break
        matches = self._raw("SELECT count(*) FROM entity_fts WHERE entity_fts MATCH :q", {"q": expr})[0][0]
        if int(matches) <= 2 * limit:
            # bm25 over a few hundred matches costs less than finding the candidates.
            q = entity_query(spec, limit=limit)
            return self._raw(q.sql, q.params)
        params: dict[str, Any] = {}
        conds = where_clauses(spec, params)
        allowed = None
        if conds:
            allowed = {int(r[0]) for r in self._raw("SELECT e.rid FROM entity e WHERE " + " AND ".join(conds), params)}
        named: set[int] = set()
        grams = name_ngrams(spec.text)
        if any(g in self._lower_names() for g in grams):  # else the scan below finds nothing
            named = {
                int(r[0])
                for r in self._raw(f"SELECT e.rid FROM entity e WHERE {NAMED_SQL}", {"named": json.dumps(grams)})
            }
        side_by_side: set[int] = set()
        if plan.phrase:
            side_by_side = {
                int(r[0])
                for r in self._raw("SELECT rowid FROM entity_fts WHERE entity_fts MATCH :ph", {"ph": plan.phrase})
            }
        from app.core.query.topk import rank_entities

        found = rank_entities(
            self._raw,
            postings,
            expr,
            limit=limit,
            tiers=TIER_COLUMNS,
            named=named,
            phrase=side_by_side,
            allowed=allowed,
        )
        if found is None:
            return None
        q = entity_query(spec, limit=limit, candidates=found)
        return self._raw(q.sql, q.params)

    def entity_search_message(self, spec: FilterSpec) -> str | None:
        """ "No entity has all of …; showing entities with some of them." when the list's text search
        fell back to any of its words, else None."""
        if not spec.text.strip():
            return None
        plan = entity_plan(spec)
        if plan is None or not any(r for _e, r in plan.steps):
            return None
        step = int(self._raw(f"SELECT {step_sql('entity_fts', 'q', len(plan.steps))}", plan.params("q"))[0][0])
        if not plan.steps[step][1]:
            return None
        found = self._raw(
            "SELECT EXISTS (SELECT 1 FROM entity_fts WHERE entity_fts MATCH :q)", {"q": plan.steps[step][0]}
        )
        return relaxed_message(plan.words, "entity") if found[0][0] else None

    def _fact_passages(self, query: str, named: list[str]) -> list[int]:
        """Passages cited for the facts a query asks about ("NATO members": NATO's member facts)."""
        fields: list[str] = []
        for w in words_of(query):
            for f in FACT_WORDS.get(w.casefold(), ()):
                if f not in fields:
                    fields.append(f)
        if not fields:
            return []
        if not named:
            return []
        rows = self._raw(
            "SELECT DISTINCT c.passage_id FROM fact f JOIN citation c ON c.fact_id = f.id"
            " JOIN json_each(:ids) j ON j.value = f.entity_id WHERE f.field IN (SELECT value FROM json_each(:fields))"
            " ORDER BY j.key, f.ordinal, c.id",
            {"ids": json.dumps(named), "fields": json.dumps(fields)},
        )
        return [int(r[0]) for r in rows]

    def _cited_hits(self, passage_ids: list[int], plan: SearchPlan) -> list[PassageHit]:
        """Hits for given passages, in that order, highlighted by the broadest step of the plan."""
        broadest = plan.steps[-1][0]
        p = {"ids": json.dumps(passage_ids), "o": HIGHLIGHT_OPEN, "c": HIGHLIGHT_CLOSE}
        matched = {
            r[0]: _passage_hit(r)
            for r in self._raw(
                _PASSAGE_SQL + " WHERE passage_fts MATCH :q"
                " AND passage_fts.rowid IN (SELECT value FROM json_each(:ids))",
                {**p, "q": broadest},
            )
        }
        missing = [pid for pid in passage_ids if pid not in matched]
        if missing:
            for r in self._raw(
                "SELECT p.id, p.document_id, d.title, d.file_name, sec.heading, p.start, p.end, p.text, 0.0,"
                " (SELECT group_concat(DISTINCT m.entity_id) FROM mention m WHERE m.passage_id = p.id)"
                " FROM passage p JOIN document d ON d.id = p.document_id JOIN section sec ON sec.id = p.section_id"
                " WHERE p.id IN (SELECT value FROM json_each(:ids))",
                {"ids": json.dumps(missing)},
            ):
                text_ = str(r[7])
                short = text_ if len(text_) <= 200 else text_[:200].rsplit(" ", 1)[0] + "…"
                matched[r[0]] = _passage_hit((*r[:7], short, *r[8:]))
        return [matched[pid] for pid in passage_ids if pid in matched]


_PASSAGE_FTS = ("passage_fts", "imported_passage_fts")
_WEIGHTS = ", ".join(map(str, PASSAGE_WEIGHTS))
_PHRASE_ROWS_SQL = f"SELECT rowid FROM {_PASSAGE_FTS[0]} WHERE {_PASSAGE_FTS[0]} MATCH :ph"
_EXISTS_PASSAGE = " OR ".join(f"EXISTS (SELECT 1 FROM {t} WHERE {t} MATCH :q)" for t in _PASSAGE_FTS)
# A page of passages by id: (id, document, title, file, section, start, end, mentioned entities).
_PASSAGE_INFO_SQL = (
    "SELECT p.id, p.document_id, d.title, d.file_name, sec.heading, p.start, p.end,"
    " (SELECT group_concat(DISTINCT m.entity_id) FROM mention m WHERE m.passage_id = p.id)"
    " FROM passage p JOIN document d ON d.id = p.document_id JOIN section sec ON sec.id = p.section_id"
    " WHERE p.id IN (SELECT value FROM json_each(:ids))"
)
_PASSAGE_SQL = (
    "SELECT p.id, p.document_id, d.title, d.file_name, sec.heading, p.start, p.end,"
    f" snippet(passage_fts, 0, :o, :c, '…', 24), bm25(passage_fts, {_WEIGHTS}) AS score,"
    " (SELECT group_concat(DISTINCT m.entity_id) FROM mention m WHERE m.passage_id = p.id)"
    " FROM passage_fts JOIN passage p ON p.id = passage_fts.rowid"
    " JOIN document d ON d.id = p.document_id JOIN section sec ON sec.id = p.section_id"
)


def _passage_hit(r: tuple[Any, ...]) -> PassageHit:
    return PassageHit(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], float(r[8]),
        tuple(sorted(str(r[9]).split(","))) if r[9] else (),
    )  # fmt: skip
