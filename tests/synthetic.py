"""Synthetic reference databases at scale (10,000 entities, 200 countries, 50,000 memberships,
100,000 passages) for benchmarks. Same schema as a real build; content is random but deterministic."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

from app.core.reference.build import create_schema, sort_name
from app.core.reference.postings import build_search_postings
from app.core.vocab import REFERENCE_SCHEMA_VERSION

_WORDS = [
    "alliance",
    "defence",
    "security",
    "partnership",
    "joint",
    "exercise",
    "intelligence",
    "sharing",
    "treaty",
    "regional",
    "naval",
    "cyber",
    "peacekeeping",
    "relief",
    "training",
    "technology",
    "transfer",
    "military",
    "aid",
    "cooperation",
    "maritime",
    "border",
    "strategic",
    "dialogue",
    "summit",
    "council",
    "command",
    "logistics",
    "deterrence",
    "interoperability",
    "counter",
    "terrorism",
]
_CATEGORIES = [
    "collective defence",
    "collective security",
    "multilateral",
    "bilateral",
    "regional",
    "intelligence sharing",
]
_ACTIVITIES = [
    "joint exercises",
    "intelligence sharing",
    "technology transfer",
    "military aid",
    "peacekeeping",
    "disaster relief",
    "cyber defence",
]
_REGIONS = ["Europe", "Asia", "Africa", "Middle East", "Americas", "Indo-Pacific", "Arctic"]
_KINDS = ["alliance", "organisation", "partnership", "treaty", "event"]


def _sentence(rng: random.Random, n: int = 18) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def generate_reference(
    path: Path,
    *,
    entities: int = 10_000,
    countries: int = 200,
    memberships: int = 50_000,
    passages: int = 100_000,
    documents: int = 50,
    seed: int = 0,
) -> Path:
    """Write a synthetic reference database at ``path`` (replaced if present) and return it."""
    rng = random.Random(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    create_schema(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    per_doc = passages // documents
    passage_rows = []
    doc_rows = []
    section_rows = []
    pid = 0
    for d in range(documents):
        doc_id = f"synthetic-{d:03d}"
        texts = [_sentence(rng) for _ in range(per_doc)]
        pos = 0
        spans = []
        for t in texts:
            spans.append((pos, pos + len(t)))
            pos += len(t) + 1
        doc_rows.append(
            (doc_id, f"{doc_id}.txt", f"Synthetic document {d}", f"{doc_id}.txt", "synthetic", "0", "\n".join(texts), d)
        )
        section_rows.append((d + 1, doc_id, 0, f"Section {d}", 2, 0, pos))
        for i, (s, e) in enumerate(spans):
            pid += 1
            passage_rows.append((pid, doc_id, d + 1, i, s, e, texts[i]))
    con.executemany("INSERT INTO document VALUES (?, ?, ?, ?, ?, ?, ?, ?)", doc_rows)
    con.executemany(
        "INSERT INTO section (id, document_id, ordinal, heading, level, start, end) VALUES (?, ?, ?, ?, ?, ?, ?)",
        section_rows,
    )
    con.executemany(
        "INSERT INTO passage (id, document_id, section_id, ordinal, start, end, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
        passage_rows,
    )
    con.executemany(
        "INSERT INTO passage_fts (rowid, text, heading, title) VALUES (?, ?, ?, ?)",
        ((p[0], p[6], "Section", "Synthetic") for p in passage_rows),
    )
    country_ids = [f"country-{i:03d}" for i in range(countries)]
    group_ids = [f"entity-{i:05d}" for i in range(entities - countries)]
    entity_rows: list[tuple[object, ...]] = []
    for cid in country_ids:
        name = f"Country {cid[-3:]} {rng.choice(_WORDS).title()}"
        entity_rows.append((cid, name, sort_name(name), "country", None, rng.choice(_REGIONS), None, None, None, 0, ""))
    for gid in group_ids:
        name = f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()} {gid[-5:]}"
        founded = rng.randint(1900, 2024) if rng.random() < 0.7 else None
        entity_rows.append(
            (
                gid,
                name,
                sort_name(name),
                rng.choice(_KINDS),
                rng.choice(_CATEGORIES),
                rng.choice(_REGIONS),
                founded,
                None,
                None,
                0,
                "",
            )
        )
    con.executemany(
        "INSERT INTO entity (id, name, sort_name, kind, category, region, founded, ended, stated_members,"
        " member_count, aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        entity_rows,
    )
    facts: list[tuple[object, ...]] = []
    fid = 0
    members: dict[str, set[str]] = {}
    for gid in group_ids:
        fid += 1
        facts.append((fid, gid, 0, "category", rng.choice(_CATEGORIES), None))
        fid += 1
        facts.append((fid, gid, 1, "activity", rng.choice(_ACTIVITIES), None))
        fid += 1
        facts.append((fid, gid, 2, "region", rng.choice(_REGIONS), None))
    for _ in range(memberships):
        gid = rng.choice(group_ids)
        cid = rng.choice(country_ids)
        if cid in members.setdefault(gid, set()):
            continue
        members[gid].add(cid)
        fid += 1
        facts.append((fid, gid, 10 + len(members[gid]), "member", None, cid))
    con.executemany(
        "INSERT INTO fact (id, entity_id, ordinal, field, value, target_id) VALUES (?, ?, ?, ?, ?, ?)", facts
    )
    con.executemany("UPDATE entity SET member_count = ? WHERE id = ?", ((len(v), k) for k, v in members.items()))
    cites = []
    for f in facts:
        p = passage_rows[rng.randrange(len(passage_rows))]
        cites.append((f[0], p[1], p[0], p[4], p[5], p[6]))
    con.executemany(
        "INSERT INTO citation (fact_id, document_id, passage_id, start, end, quote) VALUES (?, ?, ?, ?, ?, ?)", cites
    )
    con.execute(
        "INSERT INTO entity_fts (rowid, name, aliases, facts, body, context) SELECT e.rowid, e.name, e.aliases,"
        " coalesce((SELECT group_concat(value, ' ') FROM fact f WHERE f.entity_id = e.id AND value IS NOT NULL), ''),"
        " coalesce((SELECT group_concat(c.quote, ' ') FROM fact f JOIN citation c ON c.fact_id = f.id"
        " WHERE f.entity_id = e.id), ''), ''"
        " FROM entity e"
    )
    mentions = []
    for i in range(passages // 2):
        p = passage_rows[rng.randrange(len(passage_rows))]
        eid = rng.choice(country_ids) if i % 3 else rng.choice(group_ids)
        mentions.append((eid, p[0], p[4], p[4] + 5, "xxxxx"))
    con.executemany("INSERT INTO mention (entity_id, passage_id, start, end, matched) VALUES (?, ?, ?, ?, ?)", mentions)
    meta = {
        "schema_version": str(REFERENCE_SCHEMA_VERSION),
        "seed_hash": f"synthetic-{seed}",
        "app_version": "synthetic",
    }
    con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
    con.execute(
        "INSERT INTO entity_source (entity_id, document_id) SELECT DISTINCT f.entity_id, c.document_id"
        " FROM fact f JOIN citation c ON c.fact_id = f.id ORDER BY 1, 2"
    )
    con.execute(f"PRAGMA user_version = {REFERENCE_SCHEMA_VERSION}")
    con.execute("COMMIT")
    # As a real build does (app.core.reference.build): merged indexes, and the passage postings.
    con.execute("INSERT INTO passage_fts(passage_fts) VALUES ('optimize')")
    con.execute("INSERT INTO entity_fts(entity_fts) VALUES ('optimize')")
    build_search_postings(con)
    con.execute("ANALYZE")
    con.close()
    return path


def random_graph(nodes: int = 2000, edges: int = 10_000, *, seed: int = 0) -> Any:
    """A synthetic graph with the catalogue's shape (countries ↔ groups) for benchmarks and tests."""
    import networkx as nx

    rng = random.Random(seed)
    kinds = ("alliance", "organisation", "partnership", "treaty", "event")
    countries = max(2, nodes // 10)
    graph = nx.Graph()
    for i in range(nodes):
        kind = "country" if i < countries else kinds[i % len(kinds)]
        graph.add_node(f"n{i:05d}", name=f"{kind.title()} {i}", kind=kind, citations="")
    ids = list(graph.nodes())
    while graph.number_of_edges() < edges:
        a, b = ids[rng.randrange(countries)], ids[rng.randrange(countries, nodes)]
        graph.add_edge(b, a, field="member", source=b, target=a, quote="", document_id="synthetic")
    for n, deg in graph.degree():
        graph.nodes[n]["degree"] = int(deg)
    return graph
