"""What a user types into the notes search (app.core.query.fts.to_fts_query): phrases, OR, -word, prefixes,
British/American spellings, caps on long searches, and the messages shown when a search is too long."""

from __future__ import annotations

import pytest

from app.core.query import fts
from app.core.query.fts import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    cap_query,
    query_too_long,
    spelling_variants,
    to_fts_query,
    words_of,
)
from app.core.userdata.database import UserData

NOTES = {
    "treaty": ("Treaty", "The North Atlantic treaty binds its members to collective defense."),
    "pact": ("Pact", "The Warsaw pact answered the treaty in 1955."),
    "drills": ("Drills", "Naval exercises in the Indian Ocean every summer."),
    "british": ("British", "The UK programme for defence organisation."),
    "quote": ("Quote", 'He said "no comment" and left; O’Brien agreed.'),
    "africa": ("Continent", "The African Union mediates."),
}


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    store = UserData.open(tmp_path_factory.mktemp("fts") / "user.sqlite").notes
    ids = {}
    for key, (title, body) in NOTES.items():
        ids[store.create_note(None, title=title, body=body).id] = key

    def run(text: str) -> list[str]:
        return sorted(ids[h.note.id] for h in store.search(text))

    return run


def test_all_words_must_be_in_the_note(search) -> None:
    assert search("treaty collective") == ["treaty"]
    assert search("treaty") == ["pact", "treaty"]
    assert search("treaty exercises") == []


def test_an_exact_phrase_in_quotes_keeps_the_word_order(search) -> None:
    assert search('"north atlantic"') == ["treaty"]
    assert search('"atlantic north"') == []
    assert search('"warsaw pact" treaty') == ["pact"]
    assert search('"no comment"') == ["quote"]


def test_or_between_words_finds_either(search) -> None:
    assert search("warsaw OR naval") == ["drills", "pact"]
    assert search("warsaw or naval") == []  # lower-case "or" is a word to find, not the operator
    assert search("OR naval") == ["drills"]  # a leading OR has nothing to join
    assert search("collective warsaw OR naval") == []  # (collective) AND (warsaw OR naval)
    assert search("treaty warsaw OR naval") == ["pact"]


def test_a_minus_word_is_left_out(search) -> None:
    assert search("treaty -warsaw") == ["treaty"]
    assert search("treaty -warsaw -collective") == []
    # Alone, "-word" cannot be a pure exclusion: it searches for the word.
    assert search("-warsaw") == ["pact"]
    assert search("a-b") == []  # a hyphen inside a word is a separator, not an exclusion
    assert search("-") == []


def test_the_last_word_is_a_prefix_while_typing_but_not_after_a_space(search) -> None:
    assert search("trea") == ["pact", "treaty"]
    assert search("trea ") == []
    assert search('"north atl"') == []  # a phrase is never a prefix
    assert search("north atl") == ["treaty"]


def test_british_and_american_spellings_find_each_other(search) -> None:
    assert search("defence") == ["british", "treaty"]
    assert search("defense") == ["british", "treaty"]
    assert search("organization") == ["british"]
    assert search("program ") == ["british"]
    assert search("africa ") == ["africa"]


def test_operators_and_punctuation_typed_by_the_user_are_plain_text(search) -> None:
    for text in ["NEAR(treaty", "treaty AND", '"unbalanced treaty', "treaty)", "*", "NOT", "O’Brien"]:
        search(text)  # never an FTS5 syntax error
    assert search("O’Brien") == ["quote"] == search("O'Brien")
    assert search('"unbalanced') == []
    assert search("treaty)") == ["pact", "treaty"]


def test_nothing_searchable_is_no_query() -> None:
    assert to_fts_query("") is None
    assert to_fts_query("   ") is None
    assert to_fts_query("?! ..") is None
    assert to_fts_query("x", prefix=False) == '"x"'
    assert to_fts_query("x") == '"x"*'


def test_spelling_variants_only_for_real_endings() -> None:
    assert spelling_variants("Defence") == ["Defence", "defense"]
    assert spelling_variants("colour") == ["colour", "color"]
    assert spelling_variants("our") == ["our"]  # no stem: not a spelling pair
    assert spelling_variants("rise") == ["rise"]  # stem too short for -ise/-ize
    assert spelling_variants("centre") == ["centre", "center"]
    assert spelling_variants("Asia") == ["Asia", "asian"]
    assert spelling_variants("european") == ["european", "europe"]
    assert spelling_variants("treaty") == ["treaty"]


def test_words_split_as_the_index_splits_them() -> None:
    assert words_of("U.S.-led NATO’s") == ["U", "S", "led", "NATO's"]
    assert words_of("snake_case") == ["snake", "case"]


def test_a_search_too_long_says_how_long_and_the_limit() -> None:
    words = " ".join(f"w{i}" for i in range(MAX_QUERY_WORDS + 1))
    assert query_too_long(words) == "The search has too many words: 65 (at most 64). Shorten it."
    assert query_too_long(" ".join(f"w{i}" for i in range(MAX_QUERY_WORDS))) is None
    assert query_too_long("x" * MAX_QUERY_CHARS) is None
    long = "x" * 1234
    assert query_too_long(long) == "The search is too long: 1,234 characters (at most 1,000). Shorten it."
    many = " ".join(["a"] * 1200)
    assert query_too_long(many) == "The search has too many words: 1,200 (at most 64). Shorten it."


def test_a_long_search_is_cut_to_the_limits_not_refused() -> None:
    words = [f"w{i}" for i in range(100)]
    assert cap_query(" ".join(words)) == " ".join(words[:MAX_QUERY_WORDS]) + " "
    assert cap_query(" ".join(words[:MAX_QUERY_WORDS])) == " ".join(words[:MAX_QUERY_WORDS])
    assert cap_query("y" * 1500) == "y" * MAX_QUERY_CHARS
    # The cut reaches the notes search too: the 65th word is not looked for.
    expr = to_fts_query(" ".join(words), prefix=False)
    assert expr is not None and '"w63"' in expr and '"w64"' not in expr


def test_the_notes_search_falls_back_only_when_the_strict_query_finds_nothing() -> None:
    sql = fts.match_sql("t", "q", True)
    assert sql == ("t MATCH (CASE WHEN EXISTS (SELECT 1 FROM t WHERE t MATCH :q) THEN :q ELSE :q_broad END)")
    assert fts.match_sql("t", "q", False) == "t MATCH :q"


# ---- entity names in a search (the passage search and the ranked list expand them) -------------------
NAMES = {
    ("csto",): [("Collective", "Security", "Treaty", "Organization"), ("CSTO",)],
    ("north", "atlantic", "treaty", "organization"): [("NATO",), ("North", "Atlantic", "Treaty", "Organization")],
    ("us",): [("United", "States"), ("US",)],
    ("centre",): [("Centre",), ("Geneva", "Centre")],
}
CSTO = '("csto" OR "Collective Security Treaty Organization" OR "CSTO")'


def steps(text: str, **kw) -> list[tuple[str, bool]]:
    plan = fts.search_plan(text, expansions=NAMES, **kw)
    assert plan is not None
    return list(plan.steps)


def test_an_entity_named_beside_other_words_finds_its_full_name_too() -> None:
    # "csto exercises" is no name, but "csto" alone is: it expands, and "exercises" stays a word.
    assert steps("csto exercises")[0] == (f'{CSTO} AND ("exercises" OR "exercizes")', False)
    assert steps("csto -russia") == [(f'({CSTO}) NOT "russia"', False)]
    assert steps("csto OR centre") == [(f'({CSTO} OR (("centre" OR "center") OR "Centre" OR "Geneva Centre"))', False)]


def test_a_name_of_several_words_is_looked_for_as_a_phrase_and_by_its_aliases() -> None:
    assert steps("north atlantic treaty organization") == [
        ('("north atlantic treaty organization" OR "NATO" OR "North Atlantic Treaty Organization")', False)
    ]
    # A one-word name keeps its spelling twin.
    assert steps("centre") == [('(("centre" OR "center") OR "Centre" OR "Geneva Centre")', False)]


def test_a_two_letter_acronym_searches_for_what_it_stands_for_not_the_word() -> None:
    # "US" as a word would also find "use": only "United States" is looked for, wherever it stands.
    assert steps("US") == [('("United States")', False)]
    assert steps("the US") == [('"the" AND ("United States")', False), ('"the" OR ("United States")', True)]


def test_the_search_tries_each_step_in_order_and_knows_which_one_found() -> None:
    assert fts.cascade_sql("t", "q", 3) == (
        "t MATCH (CASE WHEN EXISTS (SELECT 1 FROM t WHERE t MATCH :q0) THEN :q0"
        " WHEN EXISTS (SELECT 1 FROM t WHERE t MATCH :q1) THEN :q1 ELSE :q2 END)"
    )
    assert fts.step_sql("t", "q", 3) == (
        "(CASE WHEN EXISTS (SELECT 1 FROM t WHERE t MATCH :q0) THEN 0"
        " WHEN EXISTS (SELECT 1 FROM t WHERE t MATCH :q1) THEN 1 ELSE 2 END)"
    )
    assert fts.cascade_sql("t", "q", 1) == "t MATCH :q0" and fts.step_sql("t", "q", 1) == "0"


def test_the_list_search_understands_phrases_or_and_minus_words() -> None:
    def plan(text: str, typing: bool = False):
        p = fts.search_plan(text, typing=typing)
        assert p is not None
        return list(p.steps), p.words, p.phrase

    assert plan('treaty "warsaw pact" -russia') == (
        [('("treaty" AND "warsaw pact") NOT "russia"', False), ('("treaty" OR "warsaw pact") NOT "russia"', True)],
        ("treaty", "warsaw pact"),
        None,
    )
    assert plan("nato OR csto OR eu") == ([('(("nato" OR "csto") OR "eu")', False)], ("nato", "csto", "eu"), None)
    assert plan("nato -a")[0] == [('("nato") NOT "a"', False)]  # a one-letter word can be left out too
    assert plan("nato -well-known")[0][0] == ('("nato" AND "known") NOT "well"', False)  # only the first word
    assert plan("-russia") == ([('"russia"', False)], (), None)
    assert plan('"" nato -') == ([('"nato"', False)], ("nato",), None)
    assert plan("pact-based") == (
        [('"pact" AND "based"', False), ('"pact" OR "based"', True)],
        ("pact", "based"),
        '("pact based")',
    )
    # While typing: the exact words, the last as a prefix, the stemmer's tail broadened, then any word.
    assert plan('"warsaw pact" treaty', typing=True)[0] == [
        ('"warsaw pact" AND "treaty"', False),
        ('"warsaw pact" AND "treaty"*', False),
        ('"warsaw pact" AND ("treaty"* OR "treat"* OR "trea"*)', False),
        ('"warsaw pact" OR "treaty"', True),
        ('"warsaw pact" OR "treaty"*', True),
    ]
    assert fts.search_plan("  ") is None and fts.search_plan("-") is None


def test_a_half_typed_word_also_finds_what_its_stem_finds() -> None:
    def broad(text: str) -> str | None:
        return fts.fallback_query(text, to_fts_query(text))

    assert broad("securi") == '("securi"* OR "secur"*)'
    assert broad("securit") == '("securit"* OR "securi"* OR "secur"*)'
    assert broad("nato securi") == '"nato" AND ("securi"* OR "secur"*)'
    assert broad("statuette") == '("statuette"* OR "statuett"* OR "statuet"* OR "statue"*)'  # three letters at most
    assert broad("treatie") == '("treatie"* OR "treati"* OR "treat"* OR "trea"*)'  # never below four letters
    assert broad("abei") is None  # "abe" would be too short
    assert broad("complex") is None  # only vowels and t's are cut
    assert broad("securi ") is None  # a finished word is not broadened
    assert fts.fallback_query("x", None) is None


def test_a_three_letter_acronym_is_a_word_and_an_alias_of_its_full_name() -> None:
    more = {
        **NAMES,
        ("eda",): [("European", "Defence", "Agency"), ("EDA",)],
        ("european", "defence", "agency"): [("European", "Defence", "Agency"), ("EDA",)],
        ("five", "eyes"): [("Five", "Eyes"), ("FVEY",)],
    }

    def first(text: str) -> str:
        plan = fts.search_plan(text, expansions=more)
        assert plan is not None
        return plan.steps[0][0]

    assert first("EDA") == '("EDA" OR "European Defence Agency")'
    assert first("european defence agency") == '("european defence agency" OR "European Defence Agency" OR "EDA")'
    assert first("five eyes") == '("five eyes" OR "Five Eyes" OR "FVEY")'  # two words: looked for side by side


def test_a_one_letter_word_can_be_left_out_of_a_notes_search() -> None:
    assert to_fts_query("nato -a", prefix=False) == '("nato") NOT "a"'
    assert to_fts_query("-a -b", prefix=False) == '"a"'  # alone, only the first is searched for


def test_every_phrase_counts_and_a_closing_quote_ends_the_typing() -> None:
    assert to_fts_query('"warsaw pact" treaty', prefix=False) == '"warsaw pact" AND "treaty"'
    assert to_fts_query('"warsaw pact" "north atlantic"') == '"warsaw pact" AND "north atlantic"'
    plan = fts.search_plan('"warsaw pact" "north atlantic"')
    assert plan is not None and plan.steps[0][0] == '"warsaw pact" AND "north atlantic"'
    assert to_fts_query('trea "') == '"trea"'  # a stray quote at the end: the word is finished
    assert to_fts_query("defence") == '("defence"* OR "defense"*)'  # both spellings while typing
    assert to_fts_query('"north atl"') == '"north atl"'  # a phrase is never a prefix
