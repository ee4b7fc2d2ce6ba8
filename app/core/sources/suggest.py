"""Propose entities a document names that the atlas does not know yet, each with its sentence.

Candidates: a defined acronym ("… Security Treaty (ANZUS)"), a capitalised name ending in
Treaty, Pact, Alliance, Organisation/Organization, Agreement, Dialogue, Council, Partnership and
the like, and a usual short name ("usually called the X", "known as X"), which becomes an alias.
From the sentence (or, failing that, the next one when it refers back) come proposed facts: a
founding or signing year named in it, and the known countries named in it as members or parties.
Every proposal carries the exact span of the sentence it came from; nothing is proposed without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.sources.mentions import MentionMatcher

_KEYWORDS = {
    "Treaty": "treaty", "Pact": "treaty", "Agreement": "treaty", "Accord": "treaty", "Accords": "treaty",
    "Convention": "treaty", "Charter": "treaty",
    "Alliance": "alliance", "Entente": "alliance", "Coalition": "alliance",
    "Organisation": "organisation", "Organization": "organisation", "Council": "organisation",
    "Community": "organisation", "Union": "organisation", "Forum": "organisation", "Command": "organisation",
    "Commission": "organisation", "Force": "organisation", "Group": "organisation", "Conference": "organisation",
    "Partnership": "partnership", "Dialogue": "partnership", "Initiative": "partnership",
    "Cooperation": "partnership", "Framework": "partnership",
    "Meeting": "organisation", "Mechanism": "organisation", "Arrangements": "organisation",
    "Exercise": "event", "Exercises": "event", "Summit": "event", "Operation": "event",
}  # fmt: skip
_CONNECT = r"(?:of|the|and|for|on|in|&|de|du)"
_CAP = r"[A-Z][\w’'&.-]*"
# A capitalised run ending in a keyword, optionally followed by "of <Capitalised ...>".
_KEYWORD_NAME = re.compile(
    rf"\b(?:{_CAP}\s+(?:(?:{_CONNECT}\s+)*{_CAP}\s+)*)?(?:{'|'.join(_KEYWORDS)})\b"
    rf"(?:\s+(?:of|on|for)\s+(?:the\s+)?{_CAP}(?:\s+(?:{_CONNECT}\s+)?{_CAP})*)?"
)
_ACRONYM = re.compile(r"\(\s*(?:the\s+)?([A-Z][A-Za-z0-9&+-]{1,11})\s*\)")
_USUAL = re.compile(
    r"\b(?:usually|commonly|often|generally|also|simply|popularly)?\s*(?:called|known as|referred to as|dubbed)"
    rf"\s+(?:the\s+)?[“\"']?((?:{_CAP})(?:\s+{_CAP}){{0,5}})[”\"']?"
)
_GENERIC_FIRST = {
    "The", "This", "That", "These", "Those", "A", "An", "Each", "Every", "Such", "Any", "Our", "Its", "Their",
    "In", "On", "Under", "By", "With", "From", "As", "For", "At", "New", "Both", "Some", "Many",
}  # fmt: skip
_YEAR = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")
_FOUNDING = re.compile(
    r"\b(?:found(?:ed|ing)|establish(?:ed|ing|ment)|sign(?:ed|ing)|creat(?:ed|ion)|formed|formation|set up|"
    r"launch(?:ed)?|conclu(?:ded|sion)|inaugurat(?:ed|ion)|born|ratified|came into (?:force|being))\b",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(r"^\s*(?:It|Its|They|Their|The (?:treaty|pact|alliance|organi[sz]ation|agreement|group))\b")
_ABBREV = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|No|vs|etc|e\.g|i\.e|Gen|Col|Lt|Adm|approx))\.$")
_PARTY_KINDS = ("treaty", "partnership", "event")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class ProposedFact:
    field: str  # founded, member, party
    value: str | None  # the year for founded
    target_id: str | None  # the member/party entity
    start: int  # the quote's span in the document
    end: int
    quote: str

    def as_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "value": self.value,
            "target": self.target_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
        }


@dataclass
class Candidate:
    name: str
    kind: str
    sentence: Sentence
    aliases: list[str] = field(default_factory=list)
    facts: list[ProposedFact] = field(default_factory=list)

    @property
    def founded(self) -> int | None:
        return next((int(f.value) for f in self.facts if f.field == "founded" and f.value), None)

    @property
    def members(self) -> list[str]:
        return [f.target_id for f in self.facts if f.field in ("member", "party") and f.target_id]


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]`` with spans into ``text``; "U.S." and "Dr." do not end one."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    s = start
    for m in re.finditer(r"[.!?…]+[\"”’)]*(?=\s+[\"“(]?[A-Z0-9])|\n", text[start:end]):
        stop = start + m.end()
        piece = text[s:stop]
        if m.group(0) != "\n" and _ABBREV.search(piece.rstrip('"”’)')):
            continue
        _add(out, text, s, stop)
        s = stop
    _add(out, text, s, end)
    return out


def _add(out: list[Sentence], text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append(Sentence(a, b, text[a:b]))


def _kind_of(name: str) -> str:
    words = re.findall(r"[A-Za-z]+", name)
    for w in reversed(words):
        if w in _KEYWORDS:
            return _KEYWORDS[w]
    return "organisation"


def _trim(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name


def _acronym_name(before: str, acronym: str) -> str | None:
    """The name an acronym abbreviates, from the words just before it: the shortest run of words
    ending there whose initials start with the acronym's first letter and hold all its letters in order."""
    tokens = list(re.finditer(r"[A-Za-z][\w’'&.-]*|,", before))
    letters = [c for c in acronym.upper() if c.isalpha()]
    if len(letters) < 2:
        return None
    for i in range(len(tokens) - 1, max(-1, len(tokens) - 16), -1):
        first = tokens[i].group(0)
        if not first[0].isupper() or first in _GENERIC_FIRST:
            if first[0].islower() and first not in ("of", "the", "and", "for", "on", "in", "de", "du"):
                break
            continue
        caps = [t.group(0)[0] for t in tokens[i:] if t.group(0)[0].isupper()]
        if caps and caps[0] == letters[0] and _subsequence(letters, caps):
            name = before[tokens[i].start() :]
            return _trim(name) if len(name.split()) >= 2 else None
    return None


def _subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(h == n for h in it) for n in needle)


def _proposals(
    cand: Candidate, sent: Sentence, nxt: Sentence | None, matcher: MentionMatcher, kinds: dict[str, str]
) -> None:
    role = "party" if cand.kind in _PARTY_KINDS else "member"
    for source in (sent, nxt):
        if source is None:
            continue
        if source is nxt and (cand.facts or not _REFERS_BACK.search(source.text)):
            break
        year = _YEAR.search(source.text) if _FOUNDING.search(source.text) else None
        if year and cand.founded is None:
            cand.facts.append(ProposedFact("founded", year.group(1), None, source.start, source.end, source.text))
        seen = set(cand.members)
        for f in matcher.find(source.text):
            if kinds.get(f.entity_id) == "country" and f.entity_id not in seen:
                seen.add(f.entity_id)
                cand.facts.append(ProposedFact(role, None, f.entity_id, source.start, source.end, source.text))


def suggest(
    text: str, passages: list[tuple[int, int]], matcher: MentionMatcher, kinds: dict[str, str]
) -> list[Candidate]:
    """Candidates in reading order, one per name (aliases merged). ``passages`` are (start, end)
    spans; ``kinds`` maps known entity ids to their kind (countries become member proposals)."""
    found: dict[str, Candidate] = {}
    known = matcher.names
    for p_start, p_end in passages:
        sents = sentences(text, p_start, p_end)
        for i, sent in enumerate(sents):
            local: list[Candidate] = []
            # Defined acronyms first: they give the most exact name.
            for m in _ACRONYM.finditer(sent.text):
                acronym = m.group(1)
                name = _acronym_name(sent.text[: m.start()], acronym)
                if name is None:
                    continue
                local.append(Candidate(name, _kind_of(name), sent, [acronym]))
            for m in _KEYWORD_NAME.finditer(sent.text):
                name = _trim(m.group(0))
                first = name.split()[0] if name.split() else ""
                if len(name.split()) < 2 or first in _GENERIC_FIRST:
                    continue
                if any(name in c.name or name in c.aliases for c in local):
                    continue
                owner = next((c for c in local if any(a in name.split() for a in c.aliases)), None)
                if owner is not None:  # "the ANZUS Treaty" after "... (ANZUS)": another name for it
                    owner.aliases.append(name)
                    continue
                local.append(Candidate(name, _kind_of(name), sent))
            for m in _USUAL.finditer(sent.text):
                short = _trim(m.group(1))
                owner = next((c for c in reversed(local) if sent.text.find(c.name) < m.start()), None)
                if owner is not None and short != owner.name and short not in owner.aliases:
                    owner.aliases.append(short)
            nxt = sents[i + 1] if i + 1 < len(sents) else None
            for cand in local:
                names = [cand.name, *cand.aliases]
                if any(n.casefold() in known for n in names):
                    continue  # the atlas knows it: it is a mention, not a suggestion
                key = cand.name.casefold()
                earlier = next(
                    (c for c in found.values() if any(a in cand.name.split() for a in c.aliases if a.isupper())), None
                )
                if earlier is not None and key not in found:
                    # "the ANZUS Treaty" after "... Security Treaty (ANZUS)": another name for it.
                    for a in [cand.name, *cand.aliases]:
                        if a not in earlier.aliases and a != earlier.name:
                            earlier.aliases.append(a)
                    continue
                if key in found:
                    for a in cand.aliases:
                        if a not in found[key].aliases:
                            found[key].aliases.append(a)
                    continue
                _proposals(cand, sent, nxt, matcher, kinds)
                found[key] = cand
    return list(found.values())
