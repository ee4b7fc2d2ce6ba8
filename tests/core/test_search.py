"""Search that answers analysts' questions: relaxed fallback, name expansion, no stray prefixes, ranking."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.query.filters import FilterSpec
from app.core.query.fts import is_acronym, search_plan
from app.core.query.repository import Repository, plain_snippet


def ids(rows) -> list[str]:
    return [r.id for r in rows]


def texts(repo: Repository, hits) -> list[str]:
    by_id = {int(pid): str(t) for pid, t in repo._raw("SELECT id, text FROM passage")}
    return [by_id[h.passage_id] for h in hits]


def test_when_no_passage_has_every_word_some_words_are_enough_and_it_says_so(repo: Repository) -> None:
    found = repo.passage_search("joint exercises Pakistan")
    assert found.hits and found.relaxed
    assert found.message == (
        "No passage has all of “joint”, “exercises”, “Pakistan”; showing passages with some of them."
    )
    assert "Pakistan" in texts(repo, found.hits[:1])[0]
    # All the words together: no message.
    strict = repo.passage_search("joint exercises")
    assert strict.hits and not strict.relaxed and strict.message is None
    # The entity list falls back the same way, says so, and its count agrees with its rows.
    spec = FilterSpec(text="joint exercises Pakistan", sort="rank")
    rows = repo.list_entities(spec)
    assert ids(rows)[0] == "pakistan" and repo.count_entities(spec) == len(rows)
    assert repo.entity_search_message(spec) == (
        "No entity has all of “joint”, “exercises”, “Pakistan”; showing entities with some of them."
    )
    assert repo.entity_search_message(FilterSpec(text="NATO")) is None
    # Nothing at all still finds nothing (and says nothing misleading).
    assert repo.passage_search("zzzqx qqqzz").hits == ()


def test_entity_names_and_aliases_expand_in_passage_search(repo: Repository) -> None:
    csto = texts(repo, repo.search_passages("CSTO"))
    assert any("Collective Security Treaty Organization is a regional" in t for t in csto)
    us = repo.search_passages("US")
    assert us and all(re.search(r"United States|U\.S\.", t) for t in texts(repo, us))
    assert not any("the use of" in t for t in texts(repo, us))  # "US" is not the stem of "use"
    quad_china = texts(repo, repo.search_passages("Quad China"))
    assert quad_china and "Quadrilateral Security Dialogue" in quad_china[0] and "China" in quad_china[0]
    assert any("Five Eyes intelligence alliance" in t for t in texts(repo, repo.search_passages("Five Eyes")))
    assert "African Union" in texts(repo, repo.search_passages("AU"))[0]
    # A continent finds its adjective: "Africa" finds "the African Union".
    assert "African Union" in texts(repo, repo.search_passages("peacekeeping Africa"))[0]


def test_acronyms_and_full_words_are_never_prefixes(repo: Repository) -> None:
    for acronym, name in (("AU", "African Union"), ("UN", "United Nations"), ("EU", "European Union")):
        for typing in (False, True):
            hits = texts(repo, repo.search_passages(acronym, typing=typing))
            # Never "authoritarian", "augment", "under", "unified": only the body the acronym names.
            assert hits and all(name in t or re.search(rf"\b{acronym}\b", t) for t in hits), acronym
            spec = FilterSpec(text=acronym, typing=typing)
            assert ids(repo.list_entities(spec)) == [repo.resolve(acronym)]
    assert is_acronym("CSTO") and is_acronym("US") and not is_acronym("Nato") and not is_acronym("nato")
    # From the command line (typing=False) a word is whole: "peacek" finds nothing; in the window it is a prefix.
    assert repo.search_passages("peacek") == []
    assert repo.search_passages("peacek", typing=True)
    plan = search_plan("joint exer", typing=True)
    assert plan is not None and any(e.endswith('"exer"*') for e, _r in plan.steps)
    assert plan.steps[0] == ('"joint" AND "exer"', False)  # the word as typed is tried first
    # A word followed by a space is finished: no prefix.
    finished = search_plan("nation ", typing=True)
    assert finished is not None and not any("*" in e for e, _r in finished.steps)


def test_entities_rank_by_where_the_words_match(repo: Repository) -> None:
    def first(text: str) -> str:
        return ids(repo.list_entities(FilterSpec(text=text, sort="rank"), limit=3))[0]

    assert first("NATO members") == "nato"  # not "United States – NATO"
    assert first("CSTO founded") == "csto"
    assert first("1949") == "nato"  # its stated founding year, before the Warsaw Pact's quote naming 1949
    top = ids(repo.list_entities(FilterSpec(text="cyber", sort="rank"), limit=2))
    assert set(top) == {"nato", "asean-defense-ministers-meeting"}  # a stated activity before a quote's word
    assert first("mutual defense clause") == "article-5"
    assert "haiti-earthquake-relief-2010" in ids(repo.list_entities(FilterSpec(text="humanitarian", sort="rank")))


def test_a_query_naming_an_entity_and_a_fact_puts_the_facts_passage_first(repo: Repository) -> None:
    assert texts(repo, repo.search_passages("CSTO members"))[0].startswith(
        "Member states of the alliance include Armenia"
    )
    assert "It includes 31 countries" in texts(repo, repo.search_passages("NATO members"))[0]
    assert "Established in 1992" in texts(repo, repo.search_passages("CSTO founded"))[0]
    # Its snippet still reads as a snippet.
    hit = repo.search_passages("CSTO members")[0]
    assert plain_snippet(hit.snippet).strip() and hit.section == "Collective Security Treaty Organization"


QUERY_TEXT = st.text(
    alphabet=st.sampled_from(list("abcUS NATO\"()*:^-+ORANDNEAR{}[]\\'’…é中ع\n\t0123456789")), max_size=40
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERY_TEXT, typing=st.booleans())
def test_any_input_is_safe(repo: Repository, text: str, typing: bool) -> None:
    found = repo.passage_search(text, limit=5, typing=typing)
    assert found.message is None or found.relaxed
    spec = FilterSpec(text=text, sort="rank", typing=typing)
    rows = repo.list_entities(spec, limit=20)
    assert repo.count_entities(spec) >= len(rows)
    repo.entity_search_message(spec)
    repo.facet_counts(spec)


def test_passages_are_stored_and_searched_without_markdown_markers(repo: Repository) -> None:
    assert not repo._raw("SELECT 1 FROM passage WHERE text LIKE '%**%'")
    hit = repo.search_passages("Russia strategic alliances good relations")[0]
    assert "**" not in hit.snippet and "Russia" in hit.snippet
    start, end = hit.start, hit.end
    view = repo.get_document(hit.document_id)
    assert view is not None and view.text[start:end].startswith("2. **Russia:**")  # offsets: the original


def test_a_very_long_query_is_capped_not_an_error(repo: Repository) -> None:
    text = " ".join(["alliance"] * 500 + ["NATO"] * 50)
    assert isinstance(repo.search_passages(text, limit=3), list)
    assert isinstance(repo.list_entities(FilterSpec(text=text, sort="rank"), limit=3), list)


def test_what_searches_derive_from_the_catalogue_is_made_once_for_every_thread(repo, monkeypatch) -> None:
    """A search on a pool thread new to searching reads the name index, the names and the postings
    another thread made (at 100,000 entities a copy per thread cost a second a search); the answers
    are those of a search that made them itself."""
    import threading

    from app.core.query import search as search_module
    from app.core.query import topk

    alone = [(h.passage_id, h.snippet) for h in repo.search_passages("collective defense", limit=10)]
    repo.dispose()  # forget everything: the next thread starts from nothing

    words = []
    postings = []
    real_words_of, real_postings = search_module.words_of, topk.Postings.__init__
    monkeypatch.setattr(search_module, "words_of", lambda text: words.append(text) or real_words_of(text))
    monkeypatch.setattr(
        topk.Postings, "__init__", lambda self, *a, **k: postings.append(1) or real_postings(self, *a, **k)
    )

    def on_a_thread(fn):  # type: ignore[no-untyped-def]
        out = []
        t = threading.Thread(target=lambda: out.append(fn()))
        t.start()
        t.join()
        return out[0]

    on_a_thread(repo.prepare_search)
    names = len(words)
    assert names > len(repo.entity_names()) and len(postings) == 2  # every name read; both postings
    words.clear()
    got = on_a_thread(lambda: repo.search_passages("collective defense", limit=10))
    assert len(words) < 10 and len(postings) == 2  # only the query's own words: nothing made again
    assert [(h.passage_id, h.snippet) for h in got] == alone
    another = on_a_thread(lambda: repo.search_passages("collective defense", limit=10))
    assert [(h.passage_id, h.snippet) for h in another] == alone  # its own connection's scratch tables


def test_a_cited_passage_without_the_searched_words_still_comes_first_shown_from_its_start(repo) -> None:
    """For "CSTO activities" the passages cited for the CSTO's activity facts come first, in their
    order, even one holding neither word (nothing to highlight: its opening words are shown)."""
    detail = repo.get_entity(repo.resolve("CSTO"))
    cited = list(dict.fromkeys(c.passage_id for f in detail.facts if f.field == "activity" for c in f.citations))
    assert len(cited) >= 2
    hits = repo.search_passages("CSTO activities", limit=10)
    assert [h.passage_id for h in hits[: len(cited)]] == cited
    plain = [h for h in hits[: len(cited)] if "[[" not in h.snippet]
    assert plain, "expected a cited passage without the searched words"
    for hit in plain:
        document = repo.get_document(hit.document_id)
        text = document.text[hit.start : hit.end]
        shown = hit.snippet.removesuffix("…")
        assert text.startswith(shown) and len(shown) <= 200 and hit.section
