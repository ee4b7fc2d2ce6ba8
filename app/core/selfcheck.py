"""The self-check (``alliance-atlas --self-check``, Help > Self-check): does this installation work, offline?

Each check gives one line. The reference database is opened read-only and never changed (when it
is missing it is built into the data folder, as the first start would). The search and the PDF run
against a temporary notes database, so the check works, and says what still works, when the data
folder is read-only; the user's own notes database is only read. Qt-free: the parts that need Qt
(the PDF's figures, registering the fonts with Qt) come in as callables from the caller.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.core.errors import AtlasError, folder_unwritable
from app.paths import DataPaths, resources_dir, seeds_dir

if TYPE_CHECKING:
    from app.core.atlas import Atlas

Status = Literal["ok", "note", "FAIL"]
# (atlas opened on the checked reference, PDF path) -> the written file
PdfRenderer = Callable[["Atlas", Path], Path]
# () -> the font families registered (empty: none could be loaded)
FontLoader = Callable[[], list[str]]

REQUIRED_FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf")
_SFNT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")
SEARCH_WORD = "alliance"
PDF_ENTITY = "nato"


@dataclass(frozen=True)
class Check:
    """One line of the self-check. ``note`` is not a failure (e.g. a read-only data folder)."""

    name: str
    status: Status
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "FAIL"

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def check_seeds(seeds: Path) -> Check:
    """Every seed document is present and has the sha256 the manifest records."""
    from app.core.reference.ingest import SeedError, read_manifest

    try:
        entries = read_manifest(seeds)
    except SeedError as exc:
        return Check("seed documents", "FAIL", str(exc))
    bad = []
    for entry in entries:
        path = seeds / entry.file
        try:
            if _sha256(path) != entry.sha256:
                bad.append(f"{entry.file} (changed)")
        except OSError as exc:
            bad.append(f"{entry.file} ({exc.strerror or exc})")
    if bad:
        return Check("seed documents", "FAIL", f"not as the manifest records: {', '.join(bad)}")
    return Check("seed documents", "ok", f"{len(entries)} files match the sha256 in {seeds / 'manifest.yaml'}")


def check_reference(reference: Path, seeds: Path) -> Check:
    """Open the reference database read-only: schema version, seed hash, entity count."""
    from app.core.db import read_reference_meta
    from app.core.reference.ingest import seed_hash
    from app.core.vocab import REFERENCE_SCHEMA_VERSION

    name = "reference database"
    try:
        meta = read_reference_meta(reference, REFERENCE_SCHEMA_VERSION)
        uri = f"file:{reference}?mode=ro"
        con = sqlite3.connect(uri, uri=True)
        try:
            entities = con.execute("SELECT count(*) FROM entity").fetchone()[0]
            result = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
    except (AtlasError, sqlite3.Error) as exc:
        return Check(name, "FAIL", f"{reference}: {exc}")
    if result != "ok":
        return Check(name, "FAIL", f"{reference} is damaged ({result}); run 'alliance-atlas build-db'")
    if meta.get("user_version") != str(REFERENCE_SCHEMA_VERSION):
        return Check(name, "FAIL", f"{reference} has schema {meta.get('user_version')}, this version reads "
                     f"{REFERENCE_SCHEMA_VERSION}; run 'alliance-atlas build-db'")  # fmt: skip
    try:
        current = seed_hash(seeds)
    except OSError:
        current = None
    built_from = "these seeds" if current == meta.get("seed_hash") else f"other seeds ({meta.get('seed_hash')})"
    if entities == 0:
        return Check(name, "FAIL", f"{reference} holds no entities")
    return Check(name, "ok", f"{reference} opened read-only: {entities} entities, built from {built_from}")


def check_search(atlas: Atlas) -> Check:
    from app.core.query.filters import FilterSpec

    try:
        hits = atlas.repo.search_passages(SEARCH_WORD, limit=5)
        found = [r.id for r in atlas.repo.list_entities(FilterSpec(text="NATO", sort="rank"), limit=3)]
    except (AtlasError, sqlite3.Error) as exc:
        return Check("search", "FAIL", str(exc))
    if not hits or PDF_ENTITY not in found:
        return Check("search", "FAIL", f"'{SEARCH_WORD}' found {len(hits)} passages; 'NATO' found {found or 'nothing'}")
    return Check("search", "ok", f"'{SEARCH_WORD}' finds passages (first: {hits[0].file_name}); 'NATO' finds NATO")


def check_pdf(atlas: Atlas, render: PdfRenderer, folder: Path) -> Check:
    """A one-page PDF through the application's own export, to a temporary file."""
    out = folder / "self-check.pdf"
    try:
        written = render(atlas, out)
        data = Path(written).read_bytes()
    except (AtlasError, OSError, ImportError, RuntimeError) as exc:
        return Check("PDF", "FAIL", f"the export failed: {exc}")
    pages = pdf_page_count(data)
    if not data.startswith(b"%PDF-") or pages < 1:
        return Check("PDF", "FAIL", f"the export wrote {len(data)} bytes that are not a PDF")
    return Check("PDF", "ok", f"a {pages}-page summary of NATO rendered ({len(data) // 1024} KiB, temporary file)")


def pdf_page_count(data: bytes) -> int:
    """Page objects in a PDF (``/Type /Page``, not ``/Pages``); 0 when there are none."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def check_fonts(load: FontLoader | None) -> Check:
    """The bundled font files are there and are fonts; with ``load``, they also register (Qt)."""
    folder = resources_dir() / "fonts"
    files = sorted(folder.glob("*.tt[fc]")) + sorted(folder.glob("*.otf")) if folder.is_dir() else []
    bad = [f"{name} (missing)" for name in REQUIRED_FONTS if not (folder / name).is_file()]
    for path in files:
        try:
            with open(path, "rb") as fh:
                if fh.read(4) not in _SFNT_MAGIC:
                    bad.append(f"{path.name} (not a font)")
        except OSError as exc:
            bad.append(f"{path.name} ({exc.strerror or exc})")
    if bad:
        return Check("fonts", "FAIL", f"in {folder}: {', '.join(bad)}")
    if load is None:
        return Check("fonts", "ok", f"{len(files)} font files readable in {folder}")
    try:
        families = load()
    except (ImportError, OSError, RuntimeError) as exc:
        return Check("fonts", "FAIL", f"the bundled fonts could not be loaded: {exc}")
    if "Noto Sans" not in families:
        return Check("fonts", "FAIL", f"the bundled fonts did not load (families: {families or 'none'})")
    return Check("fonts", "ok", f"{len(files)} bundled fonts load: {', '.join(families)}")


def check_resources() -> Check:
    res = resources_dir()
    needed = [res / "style.qss", res / "report.typ", res / "fonts" / "OFL-1.1.txt"]
    icons = sorted((res / "icons").glob("*.svg")) if (res / "icons").is_dir() else []
    missing = [str(p) for p in needed if not p.is_file()]
    if missing or not icons:
        return Check("resources", "FAIL", f"missing: {', '.join(missing) or 'the icons in ' + str(res / 'icons')}")
    return Check("resources", "ok", f"{len(icons)} icons, the style sheet, the report template and font licences")


def check_data_folder(paths: DataPaths) -> Check:
    """Writable, or read-only with what still works."""
    name = "user data folder"
    root = paths.root
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".self-check-", dir=root)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        why = folder_unwritable(root) or (exc.strerror or str(exc)).lower()
        return Check(
            name,
            "note",
            f"{root} {why}: notes, tags, saved filters and backups cannot be saved there; reading, search and "
            "exports still work. To keep notes, start with --data-dir on writable storage.",
        )
    from app.core.userdata.restore import check_user_db

    health = check_user_db(paths)
    if health.status == "damaged":
        return Check(name, "FAIL", f"{root} is writable, but {health.message}")
    if health.status == "unavailable":
        return Check(name, "FAIL", f"{root} is writable, but {health.message}")
    notes = "no notes database yet" if health.status == "missing" else "the notes database passes its check"
    return Check(name, "ok", f"{root} is writable; {notes}")


def run_self_check(
    paths: DataPaths,
    *,
    seeds: Path | None = None,
    render_pdf: PdfRenderer | None = None,
    load_fonts: FontLoader | None = None,
) -> Iterator[Check]:
    """Yield each check as it completes (the window shows them as they come)."""
    from app.core.atlas import Atlas, reference_path
    from app.core.db import connector, ensure_user_db
    from app.core.query.repository import Repository
    from app.core.reference.build import build_reference
    from app.core.userdata.database import UserData

    seeds = seeds or seeds_dir()
    yield check_seeds(seeds)
    yield check_resources()
    yield check_fonts(load_fonts)
    ref = reference_path(paths)
    with tempfile.TemporaryDirectory(prefix="atlas-self-check-") as tmp:
        folder = Path(tmp)
        if not ref.exists():
            # As the first start does: build it into the data folder, or (read-only) into a temporary one.
            target = ref if not folder_unwritable(ref.parent) and _can_create(ref.parent) else folder / ref.name
            try:
                build_reference(seeds, target)
            except (AtlasError, OSError) as exc:
                yield Check("reference database", "FAIL", f"{ref} is missing and could not be built: {exc}")
                yield check_data_folder(paths)
                return
            ref = target
        reference = check_reference(ref, seeds)
        yield reference
        if reference.failed:
            yield check_data_folder(paths)
            return
        user_db = folder / "user.sqlite"  # a scratch notes database: the user's own is only read
        ensure_user_db(user_db)
        user_data = UserData.open(user_db)
        atlas = Atlas(DataPaths(folder), ref, Repository(connector(ref, user_db)), user_data, {})
        try:
            yield check_search(atlas)
            if render_pdf is not None:
                yield check_pdf(atlas, render_pdf, folder)
        finally:
            atlas.close()
    yield check_data_folder(paths)


def _can_create(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)
