"""Load the curated catalogue (seeds/catalog.yaml) and verify every fact against its quoted document.

Run ``python -m app.core.reference.catalog [SEEDS_DIR]`` to check the catalogue by hand: it prints every
problem, naming the entry and the quote, and exits non-zero when there is one.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from app.core.reference.ingest import ParsedDocument, SeedError, load_documents, undecodable, yaml_kind
from app.core.vocab import FACT_FIELDS, KINDS, RELATION_FIELDS

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# Typographic variants the documents use; a quote typed with straight quotes still finds its text.
_EQUIV = {
    "'": "['‘’]", "‘": "['‘’]", "’": "['‘’]",
    '"': '["“”]', "“": '["“”]', "”": '["“”]',
    "-": "[-–—]", "–": "[-–—]", "—": "[-–—]",
}  # fmt: skip


class CatalogError(SeedError):
    """The catalogue is malformed or claims something its documents do not say."""

    def __init__(self, problems: list[str], path: Path | None = None):
        self.problems = problems
        head = f"The catalogue{f' {path}' if path else ''} has {len(problems)} problem(s):\n  - "
        super().__init__(head + "\n  - ".join(problems[:50]))


@dataclass(frozen=True)
class Cite:
    doc: str
    quote: str


@dataclass(frozen=True)
class LocatedCite:
    doc: str
    start: int
    end: int
    quote: str  # the document's own text over the span


@dataclass
class CatalogFact:
    field: str
    value: str | None  # text or year/count as text; None for description and relations
    target: str | None  # entity id for relation fields
    cites: list[Cite]
    located: list[LocatedCite] = dc_field(default_factory=list)


@dataclass
class CatalogEntity:
    id: str
    name: str
    aliases: list[str]
    kind: str
    facts: list[CatalogFact]

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Catalog:
    categories: list[str]
    activities: list[str]
    entities: list[CatalogEntity]

    def by_id(self) -> dict[str, CatalogEntity]:
        return {e.id: e for e in self.entities}


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A regex finding ``quote`` in a document despite whitespace and typographic differences."""
    parts = []
    for word in quote.split():
        parts.append("".join(_EQUIV.get(ch, re.escape(ch)) for ch in word))
    return re.compile(r"\s+".join(parts))


def name_pattern(name: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Whole-word match: 'US' never inside 'USA' or 'thus', 'Quad' never inside 'Quadrilateral'."""
    body = r"\s+".join("".join(_EQUIV.get(ch, re.escape(ch)) for ch in w) for w in name.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE if ignore_case else 0)


def names_entity(quote: str, entity: CatalogEntity, aliases_of: dict[str, list[str]] | None = None) -> bool:
    """Whether ``quote`` names ``entity`` by its name or an alias (whole words, any case).

    A bilateral partnership named "A – B" is named by a quote that names both A and B (by their own
    names or, through ``aliases_of`` keyed by name, their aliases): "the partnership between France
    and Germany" names "France – Germany"."""
    if any(name_pattern(n, ignore_case=True).search(quote) for n in entity.names):
        return True
    parts = entity.name.split(" – ")
    if len(parts) != 2:
        return False
    lookup = aliases_of or {}
    return all(
        any(name_pattern(n, ignore_case=True).search(quote) for n in [part, *lookup.get(part, [])]) for part in parts
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip()


def _text_list(mapping: dict[Any, Any], key: str, where: str, problems: list[str]) -> list[str]:
    """``mapping[key]`` as a list of texts; a problem (and []) when it is not a list."""
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: '{key}' must be a list (it is {yaml_kind(value)})")
        return []
    return [str(v) for v in value]


def parse_catalog(data: Any) -> tuple[Catalog, list[str]]:
    """Structural parse; returns the catalogue and the problems found."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        return Catalog([], [], []), ["the catalogue must be a mapping with an 'entities' list"]
    vocab = data.get("vocabulary")
    if vocab is None:
        vocab = {}
    elif not isinstance(vocab, dict):
        problems.append(
            f"'vocabulary' must be a mapping with 'categories' and 'activities' lists (it is {yaml_kind(vocab)})"
        )
        vocab = {}
    categories = _text_list(vocab, "categories", "vocabulary", problems)
    activities = _text_list(vocab, "activities", "vocabulary", problems)
    entities: list[CatalogEntity] = []
    for index, raw in enumerate(data["entities"]):
        where = f"entity #{index + 1}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a mapping")
            continue
        eid = str(raw.get("id", ""))
        where = f"entity '{eid or index + 1}'"
        if not _SLUG.match(eid):
            problems.append(f"{where}: id must be a lowercase slug")
        name = _as_text(raw.get("name")) or ""
        if not name:
            problems.append(f"{where}: no name")
        kind = str(raw.get("kind", ""))
        if kind not in KINDS:
            problems.append(f"{where}: kind '{kind}' is not one of {', '.join(KINDS)}")
        aliases = _text_list(raw, "aliases", where, problems)
        raw_facts = raw.get("facts")
        if raw_facts is not None and not isinstance(raw_facts, list):
            problems.append(f"{where}: 'facts' must be a list of facts (it is {yaml_kind(raw_facts)})")
            raw_facts = None
        facts: list[CatalogFact] = []
        for fi, fraw in enumerate(raw_facts or []):
            fwhere = f"{where}, fact #{fi + 1}"
            if not isinstance(fraw, dict):
                problems.append(f"{fwhere}: not a mapping")
                continue
            keys = [k for k in fraw if k in FACT_FIELDS]
            unknown = [k for k in fraw if k not in FACT_FIELDS and k not in ("doc", "quote", "cites")]
            if len(keys) != 1 or unknown:
                problems.append(f"{fwhere}: needs exactly one field of {', '.join(FACT_FIELDS)}")
                continue
            fname = keys[0]
            cites: list[Cite] = []
            if "cites" in fraw and fraw["cites"] is not None and not isinstance(fraw["cites"], list):
                problems.append(f"{fwhere}: 'cites' must be a list of doc and quote (it is {yaml_kind(fraw['cites'])})")
            elif "cites" in fraw:
                for c in fraw["cites"] or []:
                    if isinstance(c, dict) and c.get("doc") and c.get("quote"):
                        cites.append(Cite(str(c["doc"]), str(c["quote"])))
                    else:
                        problems.append(f"{fwhere}: each of 'cites' needs doc and quote")
            elif fraw.get("doc") and fraw.get("quote"):
                cites.append(Cite(str(fraw["doc"]), str(fraw["quote"])))
            if not cites:
                problems.append(f"{fwhere} ({fname}): no citation (doc and quote)")
                continue
            value = _as_text(fraw[fname])
            target = None
            if fname in RELATION_FIELDS:
                target, value = value, None
            elif fname == "description":
                value = None
            facts.append(CatalogFact(fname, value, target, cites))
        if not facts:
            problems.append(f"{where}: has no cited fact")
        entities.append(CatalogEntity(eid, name, aliases, kind, facts))
    return Catalog(categories, activities, entities), problems


def verify(catalog: Catalog, docs: list[ParsedDocument]) -> list[str]:
    """Check every fact against its document; locate each quote. Returns the problems found."""
    problems: list[str] = []
    texts = {d.id: d.text for d in docs}
    ids = catalog.by_id()
    seen: set[str] = set()
    for ent in catalog.entities:
        if ent.id in seen:
            problems.append(f"entity '{ent.id}': duplicate id")
        seen.add(ent.id)
    for ent in catalog.entities:
        for fact in ent.facts:
            label = f"entity '{ent.id}', {fact.field}"
            if fact.field == "category" and fact.value not in catalog.categories:
                problems.append(f"{label}: '{fact.value}' is not in vocabulary.categories")
            if fact.field == "activity" and fact.value not in catalog.activities:
                problems.append(f"{label}: '{fact.value}' is not in vocabulary.activities")
            if fact.field in ("founded", "ended", "member_count") and not (fact.value or "").isdigit():
                problems.append(f"{label}: '{fact.value}' is not a whole number")
            target = ids.get(fact.target or "") if fact.field in RELATION_FIELDS else None
            if fact.field in RELATION_FIELDS and target is None:
                problems.append(f"{label}: '{fact.target}' is not an entity id")
            for cite in fact.cites:
                text = texts.get(cite.doc)
                short = cite.quote if len(cite.quote) <= 90 else cite.quote[:87] + "..."
                if text is None:
                    problems.append(f"{label}: unknown document '{cite.doc}' for quote \"{short}\"")
                    continue
                m = quote_pattern(cite.quote).search(text)
                if not m:
                    problems.append(f'{label}: quote not found in {cite.doc}: "{short}"')
                    continue
                found = m.group(0)
                if "\n" in found:
                    problems.append(f'{label}: quote spans two paragraphs in {cite.doc}: "{short}"')
                fact.located.append(LocatedCite(cite.doc, m.start(), m.end(), found))
                if fact.field in ("founded", "ended"):
                    if not re.search(rf"(?<!\d){re.escape(fact.value or '')}(?!\d)", found):
                        problems.append(f'{label}: the year {fact.value} is not in the quote "{short}"')
                elif fact.field == "member_count":
                    words = [w for w, n in _NUMBER_WORDS.items() if str(n) == fact.value]
                    pat = "|".join([re.escape(fact.value or ""), *words])
                    if not re.search(rf"(?<![\w]){pat}(?!\w)", found, re.IGNORECASE):
                        problems.append(f'{label}: the count {fact.value} is not in the quote "{short}"')
                elif target is not None and not any(
                    name_pattern(n, ignore_case=True).search(found) for n in target.names
                ):
                    problems.append(f"{label}: '{target.name}' (or an alias) is not named in the quote \"{short}\"")
    return problems


def load_catalog(seeds: Path, docs: list[ParsedDocument]) -> Catalog:
    """Parse and verify; raise CatalogError naming each entry and quote that fails."""
    path = seeds / "catalog.yaml"
    import yaml  # imported on use: opening the app never parses YAML

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"Cannot read the catalogue {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"The catalogue {path} is not UTF-8 text ({undecodable(exc)}).") from exc
    except yaml.YAMLError as exc:
        raise SeedError(f"The catalogue {path} is not valid YAML: {exc}") from exc
    catalog, problems = parse_catalog(data)
    problems += verify(catalog, docs)
    if problems:
        raise CatalogError(problems, path)
    return catalog


def main(argv: list[str] | None = None) -> int:
    from app.paths import seeds_dir

    args = sys.argv[1:] if argv is None else argv
    seeds = Path(args[0]) if args else seeds_dir()
    try:
        docs = load_documents(seeds)
        catalog = load_catalog(seeds, docs)
    except CatalogError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {seeds / 'catalog.yaml'}", file=sys.stderr)
        return 1
    except SeedError as exc:
        print(exc, file=sys.stderr)
        return 1
    n_facts = sum(len(e.facts) for e in catalog.entities)
    print(f"catalogue ok: {len(catalog.entities)} entities, {n_facts} facts, every quote found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
