"""The entity network (Qt-free): graph building, neighbourhoods, connection paths, GraphML.

Representation of bilateral partnerships: they are **small nodes**, not edges between the two parties.
A partnership is an entity of its own in the catalogue (``islamic-nation-china``): it has its own
citations, can carry notes and tags, is matched by the filter (kind "partnership") and is selected
from the list like any other entity, so it needs a place on the canvas to be clicked, centred and
highlighted. Some "partnerships" are not between two countries either (``united-states-nato`` ties a
country to the member countries of an alliance; ``france-germany`` is set within the EU), which an edge cannot
express. The pane draws them small (diamonds) so they read as connectors rather than hubs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from app.core.fileio import atomic_path

# The layouts' public names, re-exported as before the split (listed in __all__).
from app.core.graph.layout import (
    COUNTRY_KINDS,
    LAYOUT_HINTS,
    LAYOUTS,
    SCALE,
    SEED,
    SHELLS,
    SMALL_GRAPH,
    Positions,
    compute_layout,
    fast_spring_layout,
    positions_for,
    spring_arrays,
    stress_refine,
    subgraph_for,
)
from app.core.query.filters import FilterSpec, describe
from app.core.reference.relations import relation_sentence

if TYPE_CHECKING:
    from app.core.graph.model import GraphData
    from app.core.query.repository import Citation, Repository


__all__ = [
    "COUNTRY_KINDS",
    "LAYOUTS",
    "LAYOUT_HINTS",
    "SCALE",
    "SEED",
    "SHELLS",
    "SMALL_GRAPH",
    "ConnectionStep",
    "Positions",
    "build_graph",
    "compute_layout",
    "connection_path",
    "fast_spring_layout",
    "graphml_graph",
    "neighbourhood",
    "positions_for",
    "relation_text",
    "spring_arrays",
    "stress_refine",
    "subgraph_for",
    "write_graphml",
]


@dataclass(frozen=True)
class ConnectionStep:
    """One edge of a "why are these connected?" chain, with the citations of the fact behind it."""

    from_id: str
    from_name: str
    to_id: str
    to_name: str
    field: str  # member, party, part_of, partner (the catalogue's fact field)
    text: str  # "Armenia is a member of Collective Security Treaty Organization"
    citations: tuple[Citation, ...] = ()

    def __str__(self) -> str:
        c = self.citations[0] if self.citations else None
        return f"{self.text} ({c.document_title}, {c.section}: “{c.quote}”)" if c else self.text

    @property
    def html(self) -> str:
        """The step and its citations, escaped, for the detail pane."""
        cites = "".join(
            f'<br><span class="src">{escape(c.document_title)} › {escape(c.section)}: “{escape(c.quote)}”</span>'
            for c in self.citations
        )
        return f"{escape(self.text)}{cites}"


# ---- building ------------------------------------------------------------------------------------
def build_graph(repo: Repository, spec: FilterSpec | None = None, *, with_citations: bool = True) -> nx.Graph:
    """Nodes: the entities matching ``spec`` (all when None). Edges: relation facts between them.

    Node attributes: name, kind, origin ("user": made from the user's documents), degree, citations
    (text: one "document § section: “quote”" per line; empty when ``with_citations`` is False).
    Edge attributes: field, source, target (the fact's direction), quote, document_id.
    """
    rows = repo.list_entities(spec or FilterSpec())
    graph = nx.Graph()
    if spec is not None:
        graph.graph["filter"] = describe(spec)
    cites = repo.entity_citations() if with_citations else {}
    for r in sorted(rows, key=lambda r: r.id):  # id order: layouts must not depend on the list's sort
        lines = [f"{t} § {s}: “{q}”" if s else f"{t}: “{q}”" for t, s, q in cites.get(r.id, [])]
        graph.add_node(r.id, name=r.name, kind=r.kind, origin=r.origin, citations="\n".join(lines))
    for e in repo.edges():
        if e.source == e.target or e.source not in graph or e.target not in graph:
            continue
        if graph.has_edge(e.source, e.target):
            continue  # a second fact between the same pair (both directions): keep the first cited one
        graph.add_edge(
            e.source,
            e.target,
            field=e.field,
            source=e.source,
            target=e.target,
            quote=e.quote,
            document_id=e.document_id,
        )
    for node, deg in graph.degree():
        graph.nodes[node]["degree"] = int(deg)
    return graph


def neighbourhood(graph: nx.Graph, entity_id: str, depth: int) -> set[str]:
    """``entity_id`` and every node within ``depth`` hops (depth 0: the entity alone)."""
    if entity_id not in graph:
        return set()
    seen = {entity_id}
    frontier = deque([(entity_id, 0)])
    while frontier:
        node, d = frontier.popleft()
        if d >= depth:
            continue
        for nb in graph.neighbors(node):
            if nb not in seen:
                seen.add(nb)
                frontier.append((nb, d + 1))
    return seen


def relation_text(
    graph: nx.Graph | Mapping[str, str], source: str, target: str, field_: str, *, subject_first: bool | None = None
) -> str:
    """The fact as a sentence (``source`` states it about ``target``); see relation_sentence.

    ``graph``: the networkx graph, or a mapping of ids to names."""
    if isinstance(graph, nx.Graph):
        s, t = graph.nodes[source].get("name", source), graph.nodes[target].get("name", target)
    else:
        s, t = graph.get(source, source), graph.get(target, target)
    return relation_sentence(field_, s, t, subject_first=subject_first)


def connection_path(repo: Repository, graph: nx.Graph | GraphData, a: str, b: str) -> list[ConnectionStep]:
    """The shortest chain of cited ties from ``a`` to ``b``; [] when they are not connected.

    Each step carries the full citations (document, section, passage span, quote) of its fact,
    read from the repository so the detail pane can open the passage.
    """
    if a not in graph or b not in graph or a == b:
        return []
    ties: list[tuple[str, str, str, str, str]] = []  # (u, v, subject, object, field) along the chain
    if isinstance(graph, nx.Graph):
        try:
            path = nx.shortest_path(graph, a, b)
        except nx.NetworkXNoPath:
            return []
        names = {n: str(graph.nodes[n]["name"]) for n in path}
        for u, v in pairwise(path):
            data = graph.edges[u, v]
            ties.append((u, v, data["source"], data["target"], data["field"]))
    else:
        idx = graph.shortest_path(graph.index[a], graph.index[b])
        if not idx:
            return []
        names = {graph.ids[i]: graph.names[i] for i in idx}
        for i, j in pairwise(idx):
            s, t, fld = graph.tie(i, j)
            ties.append((graph.ids[i], graph.ids[j], graph.ids[s], graph.ids[t], fld))
    details: dict[str, Any] = {}
    steps = []
    for u, v, src, tgt, fld in ties:
        if src not in details:
            details[src] = repo.get_entity(src)
        detail = details[src]
        citations: tuple[Citation, ...] = ()
        if detail is not None:
            for link in (*detail.members, *detail.related):
                if link.id == tgt and link.role == fld:
                    citations = link.citations
                    break
        steps.append(
            ConnectionStep(
                from_id=u,
                from_name=names[u],
                to_id=v,
                to_name=names[v],
                field=fld,
                # Read along the chain: the step's first entity starts the sentence.
                text=relation_text(names, src, tgt, fld, subject_first=u == src),
                citations=citations,
            )
        )
    return steps


# ---- GraphML -------------------------------------------------------------------------------------
def graphml_graph(repo: Repository, spec: FilterSpec) -> nx.Graph:
    """The filtered graph with string/number attributes only, as GraphML and Gephi want them."""
    graph = build_graph(repo, spec)
    out = nx.Graph(filter=graph.graph.get("filter", "") or "all entities", generator="Alliance Atlas")
    docs = {d.id: d.title for d in repo.documents()}
    for n, data in graph.nodes(data=True):
        out.add_node(
            n,
            label=data["name"],
            name=data["name"],
            kind=data["kind"],
            degree=data["degree"],
            citations=data["citations"],
        )
    for u, v, data in graph.edges(data=True):
        title = docs.get(data["document_id"], data["document_id"])
        out.add_edge(
            u,
            v,
            field=data["field"],
            relation=relation_text(graph, data["source"], data["target"], data["field"]),
            source_id=data["source"],
            target_id=data["target"],
            quote=data["quote"],
            document_id=data["document_id"],
            citation=f"{title}: “{data['quote']}”",
        )
    return out


def write_graphml(repo: Repository, spec: FilterSpec, path: Path) -> Path:
    """Write the filtered network as GraphML (atomic: a failed write leaves no partial file)."""
    path = Path(path)
    graph = graphml_graph(repo, spec)
    with atomic_path(path) as tmp:
        nx.write_graphml(graph, str(tmp), encoding="utf-8", prettyprint=True)
    return path
