"""Stopping a superseded job's query (app.core.query.interrupt): the running statement is interrupted,
the next is not started, and a job that is not stopped reads as before."""

from __future__ import annotations

import threading

import pytest

from app.core.query.filters import FilterSpec
from app.core.query.interrupt import Stop, Superseded, check, running
from app.core.query.repository import Repository

ENDLESS = (
    "WITH RECURSIVE c(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM c WHERE x < 400000000) SELECT count(*) FROM c"
)


def test_stopping_a_job_interrupts_its_running_query(repo: Repository) -> None:
    started = threading.Event()
    con = repo._raw_connection()
    con.create_function("started", 0, lambda: started.set() or 0)
    stop = Stop()
    raised: list[BaseException] = []

    def job() -> None:
        with running(stop):
            try:
                repo._raw(ENDLESS)
            except BaseException as exc:  # what the job saw, checked below
                raised.append(exc)

    # The repository keeps one connection per thread: run the job on this one's thread.
    worker = threading.Thread(target=lambda: (repo._local.__setattr__("con", con), job()))
    worker.start()
    assert started.wait(10)
    stop.set()
    worker.join(30)
    assert not worker.is_alive()
    assert len(raised) == 1 and isinstance(raised[0], Superseded)


def test_a_stopped_job_starts_no_further_query_and_stops_its_python_loops(repo: Repository) -> None:
    stop = Stop()
    stop.set()
    with running(stop):
        with pytest.raises(Superseded):
            repo.list_matches(FilterSpec(text="treaty", typing=True))
        with pytest.raises(Superseded):
            check()
    check()  # outside the job: nothing to stop
    assert len(repo.list_matches(FilterSpec(text="treaty", typing=True))) > 0


def test_a_job_that_is_not_stopped_reads_the_same_rows(repo: Repository) -> None:
    spec = FilterSpec(text="security", typing=True)
    plain = repo.list_matches(spec).ids
    with running(Stop()):
        assert repo.list_matches(spec).ids == plain
        assert repo.facet_counts(spec) == repo.facet_counts(spec)
