"""Turn whatever a user types into a safe FTS5 query: never a syntax error, whatever the input."""

from __future__ import annotations

import re

# A token is a run of letters/digits (any script). Everything else is a separator, so stray
# quotes, parentheses, NEAR(, *, :, ^ and the like can never reach the FTS5 parser raw.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text)]


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
