"""Quiz questions generated from cited facts: multiple choice, seeded, every answer with its quote.

Kinds of question (``Question.topic``): ``founded`` (in which year…), ``member`` (which of these is a
member or party of…), ``category`` (how do the documents describe…), ``activity`` (which activity…),
``which`` (which alliance… was founded in / has as a member / is described as…) and ``source`` (which
document says that…). The answer is a cited fact; the distractors are values of the same kind of
fact that the catalogue *knows* to be wrong for this question (another founding year on record, a
country listed as a member elsewhere but not here, an entity with a different recorded year…), so
no distractor is a guess. Each answer carries its citation's verbatim quote, document and span.

The same seed on the same catalogue gives the same quiz: every candidate list is sorted before a
``random.Random(seed)`` shuffles it, and topics take turns so a quiz mixes kinds of question. A
catalogue of more than :data:`SAMPLE` entities is read through a seeded sample of them (a 10,000-entity
catalogue makes a quiz in about half a second).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.core.lessons.model import LessonError, Question, Quiz
from app.core.query.repository import Citation, EntityDetail, Repository
from app.core.reference.relations import MEMBERSHIP_FIELDS, relation_sentence

CHOICES = 4  # one answer and up to three distractors
SAMPLE = 400  # at most this many entities are read to make a quiz
TOPICS = ("founded", "member", "category", "activity", "which", "source")
# Kinds close enough that one can stand in for another as a distractor ("Which of these…").
KIND_GROUPS = (
    frozenset({"alliance", "organisation", "partnership"}),
    frozenset({"treaty", "provision"}),
    frozenset({"country", "actor"}),
    frozenset({"event"}),
)


@dataclass(frozen=True)
class _Candidate:
    topic: str
    key: str  # one question per key (an entity and a kind of fact)
    make: Callable[[random.Random], Question | None]


def make_quiz(repo: Repository, *, questions: int, seed: int, entity_ids: Sequence[str] | None = None) -> Quiz:
    """Up to ``questions`` questions (fewer when the cited facts do not allow as many), the same
    ones for the same ``seed``. ``entity_ids``: only questions about these entities."""
    wanted = set(entity_ids) if entity_ids is not None else None
    rng = random.Random(seed)
    known = {eid: (name, kind) for eid, name, kind, _aliases in repo.known_entities()}
    every = sorted(known)
    # A large catalogue: questions and distractors come from a seeded sample of its entities (each
    # entity's own facts are complete in its detail, so a distractor is still known to be wrong).
    chosen = set(rng.sample(every, SAMPLE)) if len(every) > SAMPLE else set(every)
    details = repo.entity_details([e for e in every if e in chosen or (wanted is not None and e in wanted)])
    documents = repo.documents()
    facts = _Facts(details, {d.id for d in documents}, {d.id: d.title for d in documents}, known)
    pools: dict[str, list[_Candidate]] = {t: [] for t in TOPICS}
    for cand in facts.candidates():
        entity = cand.key.split("|", 1)[0]
        if wanted is None or entity in wanted:
            pools[cand.topic].append(cand)
    for pool in pools.values():
        rng.shuffle(pool)
    order = [t for t in TOPICS if pools[t]]
    rng.shuffle(order)
    out: list[Question] = []
    used_keys: set[str] = set()
    used_text: set[str] = set()
    while len(out) < questions and any(pools[t] for t in order):
        for topic in order:
            if len(out) >= questions:
                break
            while pools[topic]:
                cand = pools[topic].pop()
                if cand.key in used_keys:
                    continue
                q = cand.make(rng)
                if q is None or q.question in used_text:
                    continue
                used_keys.add(cand.key)
                used_text.add(q.question)
                out.append(q.check())
                break
    return Quiz(seed=seed, questions=tuple(out))


def _group(kind: str) -> frozenset[str]:
    return next((g for g in KIND_GROUPS if kind in g), frozenset({kind}))


def _choices(rng: random.Random, answer: str, distractors: Sequence[str]) -> tuple[str, ...] | None:
    pool = sorted({d for d in distractors if d and d != answer})
    if not pool:
        return None
    rng.shuffle(pool)
    choices = [answer, *pool[: CHOICES - 1]]
    rng.shuffle(choices)
    return tuple(choices)


def _question(
    rng: random.Random, text: str, answer: str, distractors: Sequence[str], cite: Citation, topic: str, entity: str
) -> Question | None:
    choices = _choices(rng, answer, distractors)
    if choices is None:
        return None
    return Question(text, choices, answer, cite.quote, cite.document_id, cite.start, cite.end, topic, entity)


class _Facts:
    """The catalogue's cited facts, indexed for questions and their distractors."""

    def __init__(
        self,
        details: list[EntityDetail],
        documents: set[str],
        titles: dict[str, str],
        known: dict[str, tuple[str, str]],
    ) -> None:
        self.details = details
        self.titles = titles
        self.known = known  # every entity id -> (name, kind)
        self.documents = documents
        self.founded: dict[str, set[str]] = {}  # entity -> founding years on record
        self.values: dict[str, dict[str, set[str]]] = {"category": {}, "activity": {}}  # field -> entity -> values
        self.members: dict[str, set[str]] = {}  # holder -> member ids
        for d in details:
            for f in d.facts:
                if not f.citations:
                    continue
                if f.field == "founded" and f.value:
                    self.founded.setdefault(d.id, set()).add(f.value)
                elif f.field in self.values and f.value:
                    self.values[f.field].setdefault(d.id, set()).add(f.value)
                elif f.field in MEMBERSHIP_FIELDS and f.target_id:
                    self.members.setdefault(d.id, set()).add(f.target_id)

    def name(self, eid: str) -> str:
        return self.known.get(eid, (eid, ""))[0]

    def kind(self, eid: str) -> str:
        return self.known.get(eid, ("", ""))[1]

    def candidates(self) -> list[_Candidate]:
        out: list[_Candidate] = []
        for d in self.details:
            # The same fact may be stated (and cited) more than once: one question, all its citations.
            cited: dict[tuple[str, str], list[Citation]] = {}
            for f in d.facts:
                cited.setdefault((f.field, f.target_id or f.value or ""), []).extend(f.citations)
            seen: set[tuple[str, str]] = set()
            for f in d.facts:
                fkey = (f.field, f.target_id or f.value or "")
                if not f.citations or fkey in seen:
                    continue
                seen.add(fkey)
                citations = cited[fkey]
                cite = citations[0]
                if f.field == "founded" and f.value:
                    out.append(_Candidate("founded", f"{d.id}|founded", self._founded(d, f.value, cite)))
                    out.append(_Candidate("which", f"{d.id}|which-founded", self._which_founded(d, f.value, cite)))
                    sentence = f"{d.name} was {_founded_verb(d.kind)} in {f.value}"
                    out.append(_Candidate("source", f"{d.id}|source-founded", self._source(d, sentence, citations)))
                elif f.field in self.values and f.value:
                    out.append(_Candidate(f.field, f"{d.id}|{f.field}", self._value(d, f.field, f.value, cite)))
                    if f.field == "category":
                        key = f"{d.id}|which-category"
                        out.append(_Candidate("which", key, self._which_value(d, f.field, f.value, cite)))
                elif f.field in MEMBERSHIP_FIELDS and f.target_id and f.target_name:
                    if _bare(f.target_name) in _bare(d.name):
                        continue  # "Is Russia a party to Islamic Nation – Russia?" gives itself away
                    target, field = f.target_id, f.field
                    out.append(_Candidate("member", f"{d.id}|member", self._member(d, field, target, cite)))
                    key = f"{d.id}|which-member"
                    out.append(_Candidate("which", key, self._which_member(d, field, target, cite)))
                    sentence = relation_sentence(field, d.name, f.target_name)
                    key = f"{d.id}|source-{field}-{target}"
                    out.append(_Candidate("source", key, self._source(d, sentence, citations)))
        return out

    # ---- the kinds of question ----
    def _founded(self, d: EntityDetail, year: str, cite: Citation) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            own = self.founded.get(d.id, set())
            others = sorted({y for e, ys in self.founded.items() if e != d.id for y in ys} - own)
            if len(others) < CHOICES - 1 and year.isdigit():  # near years fill in when few are on record
                near = [str(int(year) + k) for k in (-10, -5, -3, 3, 5, 10)]
                others += [y for y in near if y not in own and y not in others]
            return _question(
                rng, f"In which year was {d.name} {_founded_verb(d.kind)}?", year, others, cite, "founded", d.id
            )

        return make

    def _which_founded(self, d: EntityDetail, year: str, cite: Citation) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            others = [
                self.name(e)
                for e, ys in self.founded.items()
                if e != d.id and year not in ys and self.kind(e) in _group(d.kind)
            ]
            text = f"Which of these was {_founded_verb(d.kind)} in {year}?"
            return _question(rng, text, d.name, others, cite, "which", d.id)

        return make

    def _value(
        self, d: EntityDetail, field: str, value: str, cite: Citation
    ) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            own = self.values[field].get(d.id, set())
            others = sorted({v for vs in self.values[field].values() for v in vs} - own)
            if field == "category":
                text = f"According to the documents, what kind of arrangement is {d.name}?"
            else:
                text = f"According to the documents, which of these activities does {d.name} take part in?"
            return _question(rng, text, value, others, cite, field, d.id)

        return make

    def _which_value(
        self, d: EntityDetail, field: str, value: str, cite: Citation
    ) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            others = [
                self.name(e)
                for e, vs in self.values[field].items()
                if e != d.id and value not in vs and self.kind(e) in _group(d.kind)
            ]
            text = f"Which of these do the documents describe as {_article(value)}{value} arrangement?"
            return _question(rng, text, d.name, others, cite, "which", d.id)

        return make

    def _member(
        self, d: EntityDetail, field: str, target: str, cite: Citation
    ) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            own = self.members.get(d.id, set())
            # Entities of the same kind listed as a member of something else, but not of this.
            others = [
                self.name(m)
                for m in sorted({m for ms in self.members.values() for m in ms} - own - {d.id})
                if self.kind(m) in _group(self.kind(target))
            ]
            role = "party to" if field == "party" else "participant in" if field == "participant" else "member of"
            return _question(
                rng, f"Which of these is a {role} {d.name}?", self.name(target), others, cite, "member", d.id
            )

        return make

    def _which_member(
        self, d: EntityDetail, field: str, target: str, cite: Citation
    ) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            others = [
                self.name(e)
                for e, ms in self.members.items()
                if e != d.id
                and target not in ms
                and self.kind(e) in _group(d.kind)
                and _bare(self.name(target)) not in _bare(self.name(e))
            ]
            role = "a party" if field == "party" else "a participant" if field == "participant" else "a member"
            text = f"Which of these has {self.name(target)} as {role}?"
            return _question(rng, text, d.name, others, cite, "which", d.id)

        return make

    def _source(
        self, d: EntityDetail, sentence: str, citations: Sequence[Citation]
    ) -> Callable[[random.Random], Question | None]:
        def make(rng: random.Random) -> Question | None:
            citing = {c.document_id for c in citations}
            cite = citations[0]
            answer = self.titles.get(cite.document_id) or cite.document_title
            others = [self.titles[doc] for doc in sorted(self.documents - citing) if doc in self.titles]
            text = f"Which document says that {sentence}?"
            return _question(rng, text, answer, others, cite, "source", d.id)

        return make


def _article(word: str) -> str:
    return "an " if word[:1].lower() in "aeiou" else "a "


def _bare(name: str) -> str:
    """A name for "does one name contain the other": case-folded, without a leading "the"."""
    folded = name.casefold().strip()
    return folded[4:] if folded.startswith("the ") else folded


def cited_question(
    repo: Repository,
    *,
    question: str,
    choices: Sequence[str],
    answer: str,
    document: str,
    quote: str,
    topic: str = "trainer",
    entity_id: str | None = None,
) -> Question:
    """A question the trainer writes (or edits): its answer must be one of its choices and its
    ``quote`` word for word in ``document`` (an id or file name), whose span is found and kept.
    Anything else: LessonError naming what is wrong."""
    docs = repo.documents()
    doc = next((d for d in docs if document in (d.id, d.file_name)), None)
    if doc is None:
        raise LessonError(f"No document '{document}': the answer must quote one of the atlas's documents.")
    view = repo.get_document(doc.id)
    text = view.text if view is not None else ""
    quote = quote.strip()
    start = text.find(quote) if quote else -1
    if start < 0:
        raise LessonError(f"The quote is not word for word in “{doc.title}”; copy the sentence as it is written.")
    return Question(
        question.strip(),
        tuple(c.strip() for c in choices),
        answer.strip(),
        quote,
        doc.id,
        start,
        start + len(quote),
        topic,
        entity_id,
    ).check()


def _founded_verb(kind: str) -> str:
    """How a founding year reads for this kind: a treaty is signed, an event held."""
    return {"treaty": "signed", "provision": "adopted", "event": "held"}.get(kind, "founded")
