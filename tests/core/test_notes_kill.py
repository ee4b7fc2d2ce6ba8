"""The hard way: a process writing notes is killed with SIGKILL at random points; no committed note is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from app.core.userdata.database import UserData
from app.paths import PROJECT_ROOT

ROUNDS = 20
BUDGET_S = 30.0

# Prints "C id" after each committed create and "U id n" after each committed update (flushed),
# so everything it printed is a promise the database must keep.
WRITER = r"""
import sys
from pathlib import Path
from app.core.userdata.database import UserData
store = UserData.open(Path(sys.argv[1])).notes
tag = sys.argv[2]
print("ready", flush=True)
ids = []
i = 0
while True:
    i += 1
    n = store.create_note("nato" if i % 2 else None, title=f"{tag} note {i}", body=f"body {i} " + "x" * (i % 300),
                          tags=["kill-test"] if i % 5 == 0 else ())
    print("C", n.id, flush=True)
    ids.append(n.id)
    if i % 3 == 0:
        store.update_note(ids[i // 2], body=f"version {i}")
        print("U", ids[i // 2], i, flush=True)
    if i % 7 == 0:
        store.delete_note(ids[i // 3])
        print("D", ids[i // 3], flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_never_loses_a_committed_note(tmp_path):
    db = tmp_path / "user.sqlite"
    UserData.open(db).notes.list_notes()  # create and migrate once, outside the kill loop
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    created: set[str] = set()
    versions: dict[str, int] = {}
    deleted: set[str] = set()
    began = time.monotonic()
    rounds = 0
    while rounds < ROUNDS and time.monotonic() - began < BUDGET_S - 3:
        rounds += 1
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), f"r{rounds}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=PROJECT_ROOT,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else ""
        try:
            # A random moment in the middle of the write loop (a wait with a timeout, not a sleep).
            proc.wait(timeout=rng.uniform(0.02, 0.35))
        except subprocess.TimeoutExpired:
            pass
        os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        for line in out.decode().split("\n")[:-1]:  # the last piece may be a torn, unfinished line
            parts = line.split()
            if parts[0] == "C":
                created.add(parts[1])
            elif parts[0] == "U":
                versions[parts[1]] = max(versions.get(parts[1], 0), int(parts[2]))
            elif parts[0] == "D":
                deleted.add(parts[1])
    assert rounds >= 15
    assert len(created) > rounds  # the writer really got going in most rounds

    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.execute("INSERT INTO note_fts(note_fts) VALUES ('integrity-check')")
    stored = {r[0]: (r[1], r[2]) for r in con.execute("SELECT id, body, deleted_at FROM note")}
    n_fts = con.execute("SELECT count(*) FROM note_fts").fetchone()[0]
    con.close()
    missing = created - set(stored)
    assert not missing, f"{len(missing)} committed notes lost"
    assert n_fts == len(stored)
    for note_id, version in versions.items():
        body = stored[note_id][0]
        assert body.startswith("version "), body
        assert int(body.split()[1]) >= version
    for note_id in deleted:
        assert stored[note_id][1] is not None
