"""FilterSpec: the one description of what the user is looking at, and how it reads in words.

It becomes SQL in one place, :mod:`app.core.query.entity_sql` (the list, count and matching set)
and :mod:`app.core.query.facets` (facet counts); the search plan its text makes is here
(:func:`entity_plan`), shared with ranked search.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from app.core.query.fts import MAX_NAME_WORDS, SearchPlan, search_plan

SortKey = Literal["rank", "name", "kind", "category", "founded", "members", "region", "notes"]
# Facet dimensions FilterSpec can restrict; facet_counts() reports one list per dimension.
DIMENSIONS = ("kinds", "categories", "regions", "members", "activities", "sources", "tags", "origins", "obligations")
ORIGIN_LABELS = {"reference": "Reference catalogue", "user": "From your documents", "dataset": "From datasets"}


def in_force_sql(alias: str, param: str = ":as_of") -> str:
    """A fact of ``alias`` holds in the year ``param``: a dataset membership's years span it (a fact
    without years, as every catalogue fact, holds whenever its entity does)."""
    return (
        f"({alias}.start_year IS NULL OR {alias}.start_year <= {param})"
        f" AND ({alias}.end_year IS NULL OR {alias}.end_year >= {param})"
    )


@dataclass(frozen=True)
class FilterSpec:
    """An immutable, Qt-free filter. Empty tuples and None mean "no restriction"."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # entity ids of member/party countries
    members_mode: Literal["any", "all"] = "any"
    activities: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    # Only what was in force that year: entities founded by then and not ended before, dataset
    # alliances with a membership spanning it, and (in facets, graph, detail) only those members.
    as_of: int | None = None
    sources: tuple[str, ...] = ()  # document ids
    tags: tuple[str, ...] = ()  # user tag names
    origins: tuple[str, ...] = ()  # "reference" (the catalogue), "user" (your documents), "dataset"
    obligations: tuple[str, ...] = ()  # a dataset alliance's obligations: defense, offense, neutral, nonagg...
    has_notes: bool | None = None
    ids: tuple[str, ...] = ()  # an explicit selection (exports of "the selected entities")
    sort: SortKey = "name"
    descending: bool = False
    # The text is being typed in the window's search box: its last word may be a prefix. Never set
    # from the command line, where every word is typed in full.
    typing: bool = False

    def is_empty(self) -> bool:
        return self == FilterSpec(sort=self.sort, descending=self.descending, typing=self.typing)

    def without(self, dimension: str) -> FilterSpec:
        """The same filter with one facet dimension cleared (for faceted counts)."""
        if dimension not in DIMENSIONS:
            raise ValueError(f"unknown facet dimension {dimension!r}")
        return replace(self, **{dimension: ()})  # type: ignore[arg-type]

    def cleared(self) -> FilterSpec:
        return FilterSpec(sort=self.sort, descending=self.descending, typing=self.typing)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> FilterSpec:
        """Rebuild from :meth:`to_json`; unknown keys are ignored, wrong types raise ValueError."""
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("a saved filter must be a JSON object")
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if isinstance(value, list):
                if not all(isinstance(v, str) for v in value):
                    raise ValueError(f"'{f.name}' must be a list of strings")
                value = tuple(value)
            kwargs[f.name] = value
        spec = cls(**kwargs)
        for name in ("year_min", "year_max", "as_of"):
            v = getattr(spec, name)
            if v is not None and not isinstance(v, int):
                raise ValueError(f"'{name}' must be a whole number")
        if not isinstance(spec.text, str):
            raise ValueError("'text' must be a string")
        return spec


# The columns an entity is found by first; the paragraphs around its quotes ("context") only when
# nothing is found by these: "CSTO" lists the CSTO, not every country in a paragraph naming it.
_OWN_COLUMNS = "{name aliases facts body}"


def entity_plan(spec: FilterSpec) -> SearchPlan | None:
    """The search plan for the entity list: each step on the entity's own columns, then with context."""
    plan = search_plan(spec.text, typing=spec.typing)
    if plan is None:
        return None
    steps: list[tuple[str, bool]] = []
    for expr, relaxed in plan.steps:
        steps += [(f"{_OWN_COLUMNS} : ({expr})", relaxed), (expr, relaxed)]
    return replace(plan, steps=tuple(steps))


_EDGE_PUNCT = "\"'“”‘’()[]{}<>,;:!?"


def name_ngrams(text: str) -> list[str]:
    """Every run of up to MAX_NAME_WORDS words of ``text``, lower-cased, for "is an entity named here?"
    (with the document's curly apostrophe as well: "Ministers'" finds "Ministers’")."""
    words = [w.strip(_EDGE_PUNCT) for w in text.split()]
    words = [w for w in words if w and not w.startswith("-")]
    out: list[str] = []
    for i in range(len(words)):
        for n in range(1, min(MAX_NAME_WORDS, len(words) - i) + 1):
            gram = " ".join(words[i : i + n]).casefold()
            out.append(gram)
            if "'" in gram:
                out.append(gram.replace("'", "’"))
    return list(dict.fromkeys(out))


def _quoted(text: str) -> str:
    """The search as typed, in curly quotes; a search with phrases of its own is not wrapped again
    (no “"collective defense"”): its straight quotes become curly ones, pair by pair."""
    parts = text.split('"')
    if len(parts) == 1 or len(parts) % 2 == 0:  # no phrase, or a stray quote searched as plain text
        return f"“{text}”"
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += ("“" if i % 2 == 0 else "”") + part
    return out


def describe(spec: FilterSpec, labels: dict[str, str] | None = None) -> str:
    """A readable one-line summary of the filter, the same text the GUI shows and exports print.

    ``labels`` maps ids (member countries, documents) to display names.
    """
    labels = labels or {}

    def names(values: tuple[str, ...]) -> str:
        shown = [labels.get(v, v) for v in values]
        return ", ".join(shown[:-1]) + (" or " if len(shown) > 1 else "") + shown[-1]

    parts: list[str] = []
    if spec.text.strip():
        parts.append(f"matching {_quoted(spec.text.strip())}")
    if spec.kinds:
        parts.append(f"kind: {names(spec.kinds)}")
    if spec.categories:
        parts.append(f"category: {names(spec.categories)}")
    if spec.regions:
        parts.append(f"region: {names(spec.regions)}")
    if spec.members:
        shown = [labels.get(v, v) for v in spec.members]
        joiner = " and " if spec.members_mode == "all" else " or "
        parts.append("with " + joiner.join(shown))
    if spec.activities:
        parts.append(f"activity: {names(spec.activities)}")
    if spec.year_min is not None and spec.year_max is not None:
        parts.append(f"founded {spec.year_min}–{spec.year_max}")
    elif spec.year_min is not None:
        parts.append(f"founded {spec.year_min} or later")
    elif spec.year_max is not None:
        parts.append(f"founded {spec.year_max} or earlier")
    if spec.obligations:
        parts.append(f"obligation: {names(spec.obligations)}")
    if spec.as_of is not None:
        parts.append(f"in force in {spec.as_of}")
    if spec.sources:
        parts.append(f"cited in {names(spec.sources)}")
    if spec.tags:
        parts.append(f"tagged {names(spec.tags)}")
    if spec.origins:
        parts.append(" or ".join(ORIGIN_LABELS.get(o, o).lower() for o in spec.origins))
    if spec.has_notes is True:
        parts.append("with notes")
    elif spec.has_notes is False:
        parts.append("without notes")
    if spec.ids:
        chosen = [labels.get(v, v) for v in spec.ids]
        if len(chosen) <= 3:  # short enough to name: a handout's footer says what it covers
            parts.append("selected: " + ", ".join(chosen[:-1]) + (" and " if len(chosen) > 1 else "") + chosen[-1])
        else:
            parts.append(f"{len(chosen)} selected")
    return "All entities" if not parts else "Entities " + "; ".join(parts)
