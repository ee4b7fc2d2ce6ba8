"""Find the known entities a document names: names, aliases, and country-name variants.

Country variants come from the ``countryinfo`` package (its alternative spellings and demonyms):
"United States of America", "USA", "U.S." and "American" all name the United States. Only
unambiguous variants are used: a code only when it is the initials of one of the country's names
(so "US" and "U.S." for the United States, never "CAN" for Canada), a demonym only when no other
country (other than its own dependencies) shares it. Matching is case-sensitive on word
boundaries, so "US" never matches "use".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from app.core.reference.catalog import name_pattern


@dataclass(frozen=True)
class KnownEntity:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Found:
    entity_id: str
    start: int
    end: int
    matched: str


_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'’-]*$")
_CONNECTORS = {"of", "the", "and", "for", "de", "du", "da"}


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w and w.lower() not in _CONNECTORS).upper()


@lru_cache(maxsize=1)
def _demonym_owners() -> dict[str, str]:
    """Demonym -> the country it names. A demonym shared by several records is kept only when one
    holds over 90% of their people (the others are its dependencies: "American" is the United
    States, not the Northern Mariana Islands); otherwise it is ambiguous and left out."""
    from countryinfo import all_countries

    shares: dict[str, list[tuple[int, str]]] = {}
    for c in all_countries():
        try:
            d, name, people = c.demonym(), c.name(), c.population() or 0
        except (KeyError, ValueError, TypeError):
            continue
        if d:
            shares.setdefault(d, []).append((int(people), name))
    owners = {}
    for d, holders in shares.items():
        people, name = max(holders)
        total = sum(p for p, _n in holders)
        if len(holders) == 1 or (total and people / total > 0.9):
            owners[d] = name
    return owners


@lru_cache(maxsize=512)
def country_variants(name: str) -> tuple[str, ...]:
    """Other ways a document may name the country ``name`` (empty when countryinfo does not know it)."""
    from countryinfo import CountryInfo

    try:
        info = CountryInfo(name)
        canonical = info.name()
        spellings = list(info.alt_spellings())
        demonym = info.demonym()
    except (KeyError, ValueError, LookupError):
        return ()
    # Only a country the atlas names as countryinfo does: "the Islamic Nation" is no country code.
    same = canonical and canonical.casefold() == name.strip().casefold()
    if not same and name.strip().casefold() not in {s.casefold() for s in spellings}:
        return ()
    names = [canonical] + [s for s in spellings if _LATIN.match(s) and len(s) > 3 and not s.isupper()]
    out: list[str] = [n for n in names if n != name]
    initials = {_initials(n) for n in names}
    for code in spellings:
        if code.isupper() and 2 <= len(code) <= 3 and code.isalpha() and code in initials:
            out += [code, ".".join(code) + "."]
    if demonym and _demonym_owners().get(demonym) == canonical and _LATIN.match(demonym):
        out.append(demonym)
    return tuple(dict.fromkeys(v for v in out if v and v != name))


_WORD = re.compile(r"\w+")


class MentionMatcher:
    """Every known name (longest first at each word); each match maps back to one entity.

    One alternation of all names costs 4 s on a 1 MB document (each position tries every name), so
    names are grouped by their first word: the text's words are walked once, and only the names
    starting with that word are tried there (the same matches as the alternation, in 0.1 s)."""

    def __init__(self, entities: Iterable[KnownEntity]) -> None:
        by_text: dict[str, str | None] = {}
        for ent in entities:
            names = [ent.name, *ent.aliases]
            if ent.kind == "country":
                names += list(country_variants(ent.name))
            for n in names:
                key = _norm(n)
                if not key:
                    continue
                if key in by_text and by_text[key] != ent.id:
                    by_text[key] = None  # two entities share this text: ambiguous, not linked
                else:
                    by_text[key] = ent.id
        self._by_text = {k: v for k, v in by_text.items() if v is not None}
        ordered = sorted(self._by_text, key=lambda n: (-len(n), n))
        self._by_first: dict[str, list[re.Pattern[str]]] = {}
        odd: list[str] = []
        for n in ordered:
            # A demonym before "Ocean" is geography, not the country ("Indian Ocean").
            pattern = name_pattern(n).pattern + (r"(?!\s+Ocean)" if " " not in n else "")
            first = _WORD.match(n)
            if first is None:
                odd.append(pattern)  # a name starting with punctuation: the slow path, rare
            else:
                self._by_first.setdefault(first.group(0), []).append(re.compile(pattern))
        self._odd = re.compile("|".join(odd)) if odd else None
        self.names = frozenset(k.casefold() for k in self._by_text)

    def entity_for(self, text: str) -> str | None:
        return self._by_text.get(_norm(text))

    def find(self, text: str) -> list[Found]:
        out: list[Found] = []
        by_first = self._by_first
        taken_until = 0
        for w in _WORD.finditer(text):
            start = w.start()
            if start < taken_until:
                continue  # inside the previous match
            candidates = by_first.get(w.group(0))
            if not candidates:
                continue
            for pattern in candidates:
                m = pattern.match(text, start)
                if m is None:
                    continue
                eid = self._by_text.get(_norm(m.group(0)))
                if eid:
                    out.append(Found(eid, m.start(), m.end(), m.group(0)))
                    taken_until = m.end()
                    break
        if self._odd is not None:
            seen = {(f.start, f.end) for f in out}
            for m in self._odd.finditer(text):
                eid = self._by_text.get(_norm(m.group(0)))
                if eid and (m.start(), m.end()) not in seen:
                    out.append(Found(eid, m.start(), m.end(), m.group(0)))
            out.sort(key=lambda f: f.start)
        return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")).strip()


def in_passages(found: list[Found], spans: list[tuple[int, int, int]]) -> list[tuple[Found, int]]:
    """Each mention with the id of the passage (start, end, id; sorted by start) that holds it."""
    starts = [s for s, _e, _pid in spans]
    out = []
    for f in found:
        i = bisect.bisect_right(starts, f.start) - 1
        if i >= 0 and spans[i][0] <= f.start and f.end <= spans[i][1]:
            out.append((f, spans[i][2]))
    return out
