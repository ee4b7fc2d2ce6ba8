"""Turn whatever a user types into a safe FTS5 query: never a syntax error, whatever the input."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A token is a run of letters/digits (any script). Everything else is a separator, so stray
# quotes, parentheses, NEAR(, *, :, ^ and the like can never reach the FTS5 parser raw.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text)]


def words_of(text: str) -> list[str]:
    """The searchable words of ``text`` as the index splits them ("U.S." -> ["U", "S"])."""
    return _words(text)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


# British and American spellings find each other: the documents write "defense", analysts
# often type "defence". Each rule maps one spelling's ending to the other's.
_SPELLING = (
    ("defence", "defense"),
    ("offence", "offense"),
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("our", "or"),
    ("ours", "ors"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("programme", "program"),
)
# A continent's name finds its adjective ("peacekeeping Africa" finds "the African Union").
_DEMONYMS = {"africa": "african", "asia": "asian", "europe": "european", "america": "american"}
_MIN_STEM = 3


def spelling_variants(word: str) -> list[str]:
    """The word and its other-spelling twin, if a rule applies (``defence`` -> ``defense``)."""
    lower = word.lower()
    out = [word]
    for a, b in _SPELLING:
        for src, dst in ((a, b), (b, a)):
            if lower.endswith(src) and len(lower) - len(src) >= (0 if len(src) > 5 else _MIN_STEM):
                twin = lower[: len(lower) - len(src)] + dst
                if twin not in (w.lower() for w in out):
                    out.append(twin)
    for a, b in _DEMONYMS.items():
        if lower in (a, b):
            twin = b if lower == a else a
            if twin not in (w.lower() for w in out):
                out.append(twin)
    return out


def _term(word: str, suffix: str = "") -> str:
    variants = spelling_variants(word)
    if len(variants) == 1:
        return _quote(word) + suffix
    return "(" + " OR ".join(_quote(v) + suffix for v in variants) + ")"


def to_fts_query(text: str, *, prefix: bool = True) -> str | None:
    """Build an FTS5 expression from free text, or None when it holds nothing searchable.

    Supported, forgivingly: balanced "exact phrases", ``OR`` between terms, ``-term`` to exclude.
    Every term is quoted, so FTS5 keywords (AND, NOT, NEAR) typed by the user are plain words.
    With ``prefix`` the last bare word matches as a prefix, so results update while typing.
    """
    if not text or not text.strip():
        return None
    text = cap_query(text)
    pieces: list[tuple[str, str]] = []  # (kind, fts-term) kind in {"term", "neg", "or"}
    pos = 0
    # Only balanced quotes make phrases; an odd trailing quote is ignored as a separator.
    for m in _PHRASE.finditer(text):
        pieces += _bare(text[pos : m.start()])
        words = _words(m.group(1))
        if words:
            pieces.append(("term", _quote(" ".join(words))))
        pos = m.end()
    pieces += _bare(text[pos:])
    if prefix and pieces and pieces[-1][0] == "term" and not text.endswith((" ", '"')):
        kind, term = pieces[-1]
        if term.startswith("(") or " " not in term:
            pieces[-1] = (kind, _prefixed(term))
    positives: list[str] = []
    negatives: list[str] = []
    pending_or = False
    for kind, term in pieces:
        if kind == "or":
            pending_or = bool(positives)
            continue
        if kind == "neg":
            negatives.append(term)
            continue
        if pending_or and positives:
            positives[-1] = f"({positives[-1]} OR {term})"
        else:
            positives.append(term)
        pending_or = False
    if not positives:
        # FTS5 cannot run a pure NOT; treat "-word" alone as a search for the word.
        if not negatives:
            return None
        positives, negatives = negatives[:1], []
    expr = " AND ".join(positives)
    for neg in negatives:
        expr = f"({expr}) NOT {neg}"
    return expr


def _prefixed(term: str) -> str:
    """Make every quoted word of a term a prefix query (the user is still typing it)."""
    return re.sub(r'"((?:[^"]|"")*)"', lambda m: m.group(0) + "*", term)


def _bare(chunk: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for raw in chunk.split():
        if raw == "OR":
            out.append(("or", ""))
            continue
        negative = raw.startswith("-") and len(raw) > 1
        for i, word in enumerate(_words(raw)):
            out.append(("neg" if negative and i == 0 else "term", _term(word)))
    return out


def fallback_query(text: str, strict: str | None) -> str | None:
    """A broader query for when ``strict`` (``to_fts_query(text)``) finds nothing at all, or None.

    The index holds Porter stems ("security" is stored as "secur") and FTS5 stems a prefix query's
    word too, but a half-typed word is not stemmed the same way: "securi" and "securit" find nothing
    between "secur" and "security", so the list would flash empty while typing. The fallback also
    tries the last word with up to three final vowels or t's off (never below four letters)."""
    if strict is None or not strict.endswith('"*'):
        return None
    m = re.search(r'"((?:[^"]|"")*)"\*$', strict)
    if m is None or (m.start() > 0 and strict[m.start() - 1] == "("):
        return None  # a spelling-variant group: leave it as it is
    word = m.group(1).replace('""', '"')
    # Only an ending the stemmer could have cut ("securi", "securit"); "CSTOXYZ" finds nothing.
    forms = [word[:-k] for k in range(1, 4) if len(word) - k >= 4 and set(word[-k:].lower()) <= set("aeiouyt")]
    if not forms:
        return None
    broad = "(" + " OR ".join(_quote(f) + "*" for f in [word, *forms]) + ")"
    return strict[: m.start()] + broad


def match_sql(table: str, param: str, has_fallback: bool) -> str:
    """``table MATCH :param``, or, with a fallback, MATCH the strict query if anything in ``table``
    matches it, else the broader ``:param_broad`` (one statement, so counts and lists agree)."""
    if not has_fallback:
        return f"{table} MATCH :{param}"
    return (
        f"{table} MATCH (CASE WHEN EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :{param})"
        f" THEN :{param} ELSE :{param}_broad END)"
    )


# Caps on what one search may hold. FTS5's parser overflows its stack near 100 nested ORs (a
# 3,000-word "a OR b OR ..." raised "parser stack overflow"), and time grew with the square of the
# word count; no one types more than a few dozen words into a search box.
MAX_QUERY_WORDS = 64
MAX_QUERY_CHARS = 1000


def query_too_long(text: str) -> str | None:
    """Why ``text`` is too long to search (a sentence for the user), or None when it is fine."""
    words = sum(1 for _ in _WORD.finditer(text))
    if words > MAX_QUERY_WORDS:
        return f"The search has too many words: {words:,} (at most {MAX_QUERY_WORDS}). Shorten it."
    if len(text) > MAX_QUERY_CHARS:
        return f"The search is too long: {len(text):,} characters (at most {MAX_QUERY_CHARS:,}). Shorten it."
    return None


def cap_query(text: str) -> str:
    """``text`` cut to the caps: the first :data:`MAX_QUERY_CHARS` characters and
    :data:`MAX_QUERY_WORDS` words (callers that can show a message check :func:`query_too_long`)."""
    text = text[:MAX_QUERY_CHARS]
    for i, m in enumerate(_WORD.finditer(text)):
        if i == MAX_QUERY_WORDS:
            return text[: m.start()]
    return text


# ---- search plans: what the entity list and passage search run ------------------------------------
# An all-capital word of up to six letters is an acronym (AU, UN, EU, US, CSTO, ADMM): matched as a
# whole word only, never as the start of a longer one ("AU" must not find "authoritarian").
_ACRONYM = re.compile(r"^[A-Z]{1,6}$")
MAX_NAME_WORDS = 6  # longest entity name looked for in a query, in words
MAX_RELAXED_WORDS = 12


def is_acronym(word: str) -> bool:
    return bool(_ACRONYM.match(word))


@dataclass(frozen=True)
class SearchPlan:
    """The FTS5 queries for one search, tried in order until one finds something.

    ``steps`` holds (expression, relaxed) pairs: all words exact; all words with the last one as a
    prefix (only while typing in the window, never an acronym); those with the stemmer's cut-off tail
    broadened; then any of the words ("relaxed"), so a query whose words never meet in one passage
    still finds the passages that hold some of them. ``words`` are the positive terms as typed (for
    the message saying so)."""

    steps: tuple[tuple[str, bool], ...]
    words: tuple[str, ...]
    phrase: str | None = None  # the words side by side, in order: ranked above scattered matches

    def params(self, name: str) -> dict[str, str]:
        return {f"{name}{i}": expr for i, (expr, _r) in enumerate(self.steps)}


Expansions = Mapping[tuple[str, ...], Sequence[Sequence[str]]]


@dataclass
class _Token:
    kind: str  # "term", "phrase", "neg", "or"
    words: list[str]
    expr: str = ""


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    for m in _PHRASE.finditer(text):
        out += _bare_tokens(text[pos : m.start()])
        words = _words(m.group(1))
        if words:
            out.append(_Token("phrase", words, _quote(" ".join(words))))
        pos = m.end()
    out += _bare_tokens(text[pos:])
    return out


def _bare_tokens(chunk: str) -> list[_Token]:
    out: list[_Token] = []
    for raw in chunk.split():
        if raw == "OR":
            out.append(_Token("or", []))
            continue
        negative = raw.startswith("-") and len(raw) > 1
        for i, word in enumerate(_words(raw)):
            out.append(_Token("neg" if negative and i == 0 else "term", [word], _term(word)))
    return out


def _expand(tokens: list[_Token], expansions: Expansions | None) -> list[_Token]:
    """Runs of plain words that name an entity become one term: any of its names and aliases."""
    if not expansions:
        return tokens
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        matched = False
        for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
            run = tokens[i : i + n]
            if any(t.kind != "term" for t in run):
                continue
            key = tuple(w.casefold() for t in run for w in t.words)
            names = expansions.get(key)
            if not names:
                continue
            words = [w for t in run for w in t.words]
            alternatives = [_quote(" ".join(words)) if n > 1 else run[0].expr]
            if n == 1 and len(words[0]) <= 2 and is_acronym(words[0]):
                # "US" as a word would also find "use" (the stemmer makes both "us"): a two-letter
                # acronym searches for the names it stands for.
                alternatives = []
            for name in names:
                q = _quote(" ".join(name))
                if q not in alternatives and (len(name) > 1 or not is_acronym(name[0]) or len(name[0]) > 2):
                    alternatives.append(q)
            out.append(_Token("term", words, "(" + " OR ".join(alternatives) + ")"))
            i += n
            matched = True
            break
        if not matched:
            out.append(tokens[i])
            i += 1
    return out


def _combine(tokens: list[_Token], joiner: str) -> str | None:
    positives: list[str] = []
    negatives: list[str] = []
    pending_or = False
    for t in tokens:
        if t.kind == "or":
            pending_or = bool(positives)
            continue
        if t.kind == "neg":
            negatives.append(t.expr)
            continue
        if pending_or and positives:
            positives[-1] = f"({positives[-1]} OR {t.expr})"
        else:
            positives.append(t.expr)
        pending_or = False
    if not positives:
        if not negatives:
            return None
        positives, negatives = negatives[:1], []
    expr = f" {joiner} ".join(positives)
    for neg in negatives:
        expr = f"({expr}) NOT {neg}"
    return expr


def search_plan(text: str, *, typing: bool = False, expansions: Expansions | None = None) -> SearchPlan | None:
    """The queries for ``text`` (see :class:`SearchPlan`), or None when it holds nothing searchable.

    ``typing`` is True only for the window's search box, where the last word may be half typed;
    ``expansions`` maps entity names (as lower-case word tuples) to all their names and aliases."""
    if not text or not text.strip():
        return None
    text = cap_query(text)
    tokens = _expand(_tokens(text), expansions)
    strict = _combine(tokens, "AND")
    if strict is None:
        return None
    steps: list[tuple[str, bool]] = [(strict, False)]
    positives = [t for t in tokens if t.kind in ("term", "phrase")]
    last = tokens[-1] if tokens else None
    typing_tokens: list[_Token] | None = None
    if (
        typing
        and last is not None
        and last.kind == "term"
        and len(last.words) == 1
        and not is_acronym(last.words[0])
        and not text.endswith((" ", '"'))
    ):
        typing_tokens = [*tokens[:-1], _Token("term", last.words, _prefixed(last.expr))]
        typed = _combine(typing_tokens, "AND")
        if typed and typed != strict:
            steps.append((typed, False))
            broad = fallback_query(text, typed)
            if broad:
                steps.append((broad, False))
    # Any-word matching for a few words only: FTS5's parser overflows near a hundred ORs.
    if 1 < len(positives) <= MAX_RELAXED_WORDS:
        relaxed = _combine(tokens, "OR")
        if relaxed and relaxed != strict:
            steps.append((relaxed, True))
        if typing_tokens is not None:
            relaxed_typed = _combine(typing_tokens, "OR")
            if relaxed_typed and relaxed_typed not in (s for s, _r in steps):
                steps.append((relaxed_typed, True))
    words = tuple(" ".join(t.words) for t in positives)
    return SearchPlan(tuple(steps), words, _phrase(tokens))


def _phrase(tokens: list[_Token]) -> str | None:
    """All the plain words as one phrase (each spelling variant), when there are two or more."""
    if len(tokens) < 2 or any(t.kind != "term" or len(t.words) != 1 for t in tokens):
        return None
    combos: list[list[str]] = [[]]
    for t in tokens:
        combos = [[*c, v] for c in combos for v in spelling_variants(t.words[0])][:8]
    return "(" + " OR ".join(_quote(" ".join(c)) for c in combos) + ")"


def cascade_sql(table: str, param: str, n_steps: int) -> str:
    """``table MATCH`` the first of ``:param0..`` that matches anything in ``table`` (one statement,
    so counts and lists agree)."""
    if n_steps == 1:
        return f"{table} MATCH :{param}0"
    whens = " ".join(
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :{param}{i}) THEN :{param}{i}"
        for i in range(n_steps - 1)
    )
    return f"{table} MATCH (CASE {whens} ELSE :{param}{n_steps - 1} END)"


def step_sql(table: str, param: str, n_steps: int) -> str:
    """The index (0-based) of the step ``cascade_sql`` would use, as a SQL expression."""
    if n_steps == 1:
        return "0"
    whens = " ".join(
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :{param}{i}) THEN {i}" for i in range(n_steps - 1)
    )
    return f"(CASE {whens} ELSE {n_steps - 1} END)"


def relaxed_message(words: Sequence[str], what: str) -> str:
    """ "No passage has all of “a”, “b”; showing passages with some of them."."""
    quoted = ", ".join(f"“{w}”" for w in words)
    plural = "entities" if what == "entity" else f"{what}s"
    return f"No {what} has all of {quoted}; showing {plural} with some of them."
