"""The hard way: note writers, `notes restore` and `notes import` are killed with SIGKILL at random
moments, 100 times each; no committed note is lost and no kill leaves a silently empty database.

Each writer is a child forked from one "zygote" process that has the application already imported,
so a round costs the random wait, not an interpreter start (100 kills stay well under a minute).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.userdata import restore as rs
from app.core.userdata.database import UserData
from app.paths import PROJECT_ROOT, DataPaths

ROUNDS = 100
BUDGET_S = 90.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="needs fork and SIGKILL"),
    pytest.mark.timeout(180),
]

# Reads one command per line; forks a child that runs it forever (printing a promise after each
# committed step), reports the child's pid, relays its output after it dies, then "END".
ZYGOTE = r"""
import json, os, sys
from pathlib import Path
from app.core.userdata.database import UserData
from app.core.userdata import backup as bk
from app.core.userdata import restore as rs
from app.paths import DataPaths

def create(args, out):
    store = UserData.open(Path(args["db"])).notes
    ids, i = [], 0
    while True:
        i += 1
        n = store.create_note("nato" if i % 2 else None, title=f"{args['tag']} {i}", body="x" * (i % 300),
                              tags=["kill"] if i % 5 == 0 else ())
        out.write(f"C {n.id}\n"); ids.append(n.id)
        if i % 3 == 0:
            store.update_note(ids[i // 2], body=f"version {i}")
            out.write(f"U {ids[i // 2]} {i}\n")

def restore(args, out):
    paths = DataPaths(Path(args["root"]))
    i = 0
    while True:
        i += 1
        name = "A" if i % 2 else "B"
        if args.get("damage") and i % 3 == 0:
            paths.user_db.write_bytes(b"")  # damaged: the restore must set it aside and swap atomically
            for side in ("-wal", "-shm"):
                Path(str(paths.user_db) + side).unlink(missing_ok=True)
            out.write("Z\n")
            rs.recover(paths, Path(args[name]))
        else:
            rs.restore_backup(paths, Path(args[name]))
        out.write(f"R {name}\n")

def import_(args, out):
    store = UserData.open(Path(args["db"])).notes
    i = 0
    while True:
        i += 1
        notes = [{"id": f"imp{args['round']:03d}x{i:04d}x{k:02d}", "entity_id": "nato", "title": f"import {i}",
                  "body": "y" * k, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}
                 for k in range(40)]
        store.import_data({"format": "alliance-atlas-notes", "version": 1, "notes": notes})
        out.write(f"I {args['round']:03d}x{i:04d}\n")

KINDS = {"create": create, "restore": restore, "import": import_}
for line in sys.stdin:
    args = json.loads(line)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = os.fdopen(w, "w", buffering=1)
        out.write("ready\n")
        KINDS[args["kind"]](args, out)
        os._exit(0)
    os.close(w)
    print(pid, flush=True)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(b"".join(chunks).decode(errors="replace"))
    print(f"\nEND {status}", flush=True)
"""


class Zygote:
    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=PROJECT_ROOT,
            text=True,
        )
        self.rng = random.Random(int.from_bytes(os.urandom(4), "big"))

    def kill_round(self, args: dict[str, object], low: float = 0.01, high: float = 0.25) -> list[str]:
        """Start a child with ``args``, SIGKILL it after a random moment, return its promises."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()
        pid = int(self.proc.stdout.readline())
        deadline = time.monotonic() + self.rng.uniform(low, high)
        while time.monotonic() < deadline:  # a busy wait on the clock: no sleep, the child runs meanwhile
            os.sched_yield()
        os.kill(pid, signal.SIGKILL)
        lines = []
        while not (line := self.proc.stdout.readline()).startswith("END"):
            lines.append(line)
        text = "".join(lines)[:-1]  # the zygote adds one newline before END
        # The last piece may be a torn, unfinished line: only complete lines are promises.
        return [ln for ln in text.split("\n")[:-1] if ln]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def zygote():
    z = Zygote()
    yield z
    z.close()


def _rounds(began: float) -> bool:
    return time.monotonic() - began < BUDGET_S


def _enough(rounds: int, wanted: int) -> bool:
    """Every round ran, or (on a machine so loaded that the time budget ran out first) a quarter of
    them: the invariants are still checked on every round that ran, and the run stays bounded."""
    return rounds == wanted or rounds >= wanted // 4


def test_sigkill_of_a_note_writer_loses_no_committed_note(tmp_path, zygote):
    db = tmp_path / "user.sqlite"
    UserData.open(db).close()
    created: set[str] = set()
    versions: dict[str, int] = {}
    began, rounds = time.monotonic(), 0
    while rounds < ROUNDS and _rounds(began):
        rounds += 1
        for line in zygote.kill_round({"kind": "create", "db": str(db), "tag": f"r{rounds}"}):
            parts = line.split()
            if parts[0] == "C":
                created.add(parts[1])
            elif parts[0] == "U":
                versions[parts[1]] = max(versions.get(parts[1], 0), int(parts[2]))
    assert _enough(rounds, ROUNDS) and len(created) > rounds
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.execute("INSERT INTO note_fts(note_fts) VALUES ('integrity-check')")
    stored = dict(con.execute("SELECT id, body FROM note").fetchall())
    con.close()
    assert not created - set(stored), f"{len(created - set(stored))} committed notes lost"
    for note_id, version in versions.items():
        assert int(stored[note_id].split()[1]) >= version


def _backup_with(tmp_path: Path, name: str, n: int) -> tuple[Path, set[str]]:
    db = tmp_path / f"{name}.sqlite"
    with UserData.open(db) as user:
        ids = {user.notes.create_note("nato", title=f"{name} {i}", body="b" * i).id for i in range(n)}
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return db, ids


@pytest.mark.parametrize("damage", [False, True], ids=["sound", "damaged"])
def test_sigkill_during_restore_never_leaves_a_silent_empty_database(tmp_path, zygote, damage):
    paths = DataPaths(tmp_path / "home").ensure()
    a, ids_a = _backup_with(tmp_path, "A", 30)
    b, ids_b = _backup_with(tmp_path, "B", 45)
    UserData.open(paths.user_db).close()
    rs.restore_backup(paths, a)
    began, rounds, restores = time.monotonic(), 0, 0
    rounds_wanted = ROUNDS // 2  # two variants: 100 kills of `notes restore` in all
    while rounds < rounds_wanted and _rounds(began):
        rounds += 1
        lines = zygote.kill_round(
            {"kind": "restore", "root": str(paths.root), "A": str(a), "B": str(b), "damage": damage}
        )
        restores += sum(1 for ln in lines if ln.startswith("R"))
        health = rs.check_user_db(paths)
        if health.status == "damaged":
            # Killed while the file was the (simulated) damage: it is still there, still said to be damaged.
            assert damage and paths.user_db.stat().st_size == 0
            continue
        assert health.status == "ok", health.message
        con = sqlite3.connect(f"file:{paths.user_db}?mode=ro", uri=True)
        try:
            ids = {r[0] for r in con.execute("SELECT id FROM note")}
        finally:
            con.close()
        assert ids in (ids_a, ids_b), f"round {rounds}: {len(ids)} notes, neither backup's set"
    assert _enough(rounds, rounds_wanted) and restores > 0
    rs.restore_backup(paths, a)  # a killed restore's half-built file is cleaned by the next one
    assert not list(paths.root.glob(".user.sqlite.restoring-*"))


def test_sigkill_during_import_keeps_each_import_whole_or_absent(tmp_path, zygote):
    db = tmp_path / "user.sqlite"
    UserData.open(db).close()
    promised: set[str] = set()
    began, rounds = time.monotonic(), 0
    while rounds < ROUNDS and _rounds(began):
        rounds += 1
        for line in zygote.kill_round({"kind": "import", "db": str(db), "round": rounds}, 0.01, 0.2):
            if line.startswith("I "):
                promised.add(line.split()[1])
    assert _enough(rounds, ROUNDS) and promised
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    batches: dict[str, int] = {}
    for (nid,) in con.execute("SELECT id FROM note"):
        key = nid[3:11]
        batches[key] = batches.get(key, 0) + 1
    con.close()
    assert not promised - set(batches), "a committed import was lost"
    assert set(batches.values()) == {40}, "an import was half applied"
