"""Alliance datasets (ATOP, COW formal alliances): read, preview, import, remove. Qt-free.

The public API (what the window and the CLI call)
-------------------------------------------------

``preview(repo, dataset, *, members, alliances=None, states=None, progress=None, cancelled=None) -> DatasetPlan``
    Read and check the files, resolve the country codes, and return what an import would write,
    writing nothing. ``progress(bytes_read, bytes_total)`` follows the reading. ``dataset`` is
    ``"atop"`` (needs ``alliances`` and ``members``) or ``"cow"`` (``members`` only); ``states`` is
    COW's optional state list (names codes no library knows).
    All paths are ``pathlib.Path``. ``repo`` is the ``app.core.query.repository.Repository`` (its
    countries are matched by name). Slow on real files (about a second): run it off the GUI thread.

``import_plan(repo, user_data, plan, *, progress=None, cancelled=None) -> dict``
    Write a previewed plan: replaces that dataset's alliances (a re-import changes nothing else),
    one transaction (nothing half-imported); then proposes same-as links to the catalogue's
    entities (a link the user confirmed or removed stays as they decided), and, when both ATOP and COW
    are imported, between their alliances that are the same (founding year and members). Returns the report.

``import_dataset(repo, user_data, dataset, *, members, alliances=None, states=None, progress=None,
cancelled=None) -> dict``
    ``preview`` then ``import_plan``; ``progress(done, 2000)``: reading is 0-1000, writing 1000-2000.

``remove_dataset(user_data, dataset) -> int``
    Remove ``"atop"`` or ``"cow"``: its alliances, facts, citations and records (the countries only it
    named too). The reference, the user's notes (those on its alliances become detached) and same-as
    decisions stay. Returns how many alliances were removed (0: it was not imported).

``user_data`` is the window's ``app.core.userdata.database.UserData``; ``user_data.datasets`` is the
:class:`DatasetStore`: ``datasets() -> list[DatasetInfo]`` lists what is imported,
``record_fields(record_id) -> (file, line, [(column, value), ...]) | None`` gives a stored record's
row (``DatasetCitation.record_id`` on a fact), ``same_as()`` lists the links and
``set_same_as(entity_id, dataset_id, "confirmed" | "removed")`` records the user's decision.

Callbacks: ``progress(done: int, total: int) -> None`` is called from the worker thread after each
chunk of rows written; ``cancelled() -> bool`` is polled between chunks (and while reading): when it
returns True the transaction is rolled back and ``ImportCancelled`` is raised.

Errors: every problem with the files raises ``DatasetError`` (an ``app.core.errors.AtlasError``):
``str(exc)`` is one complete sentence naming the file and, where there is one, the line (a
truncated row, a non-numeric year, a code in the wrong column, an empty or oversized file, the two
ATOP files swapped, missing or unexpected columns). ``ImportCancelled`` is a ``DatasetError``.

``DatasetPlan`` (the preview): ``label`` ("ATOP"), ``version``, ``files``, ``alliances``
(``PlannedAlliance``: ``id``, ``name``, ``founded``, ``ended``, ``members``, ``facts``),
``countries`` (code -> ``Country``: ``name``, ``entity_id``, ``known``), ``unknown_codes``,
``skipped`` (``Skipped``: ``row``, ``reason``), ``memberships`` and ``report()``.

Time and citations, for the window: ``FilterSpec.as_of`` (int | None) restricts the list, facets and
exports; ``Repository.relation_pairs(as_of=...)`` (graph ties), ``Repository.get_entity(id, as_of=...)``
and ``entity_details(ids, as_of=...)`` (only the members in force that year). A dataset membership is
a ``Link`` with ``start_year``/``end_year`` (``years``: "1949–") and ``records``
(``app.core.query.views.DatasetCitation``: ``record_id``, ``dataset``, ``version``, ``file``,
``record``, ``field``, ``value``, ``label`` = "ATOP 3180, defense = 1"); facts carry ``records`` too.
The detail pane emits ``open_record_requested(record_id: int)`` when a record citation is clicked
(show ``user_data.datasets.record_fields(record_id)``) and ``same_as_decided(entity, alliance,
status)``, which the window records.

The report, as ``--json`` prints it:
``{"dataset": "ATOP", "version": "5.1", "alliances": 1, "memberships": 2, "countries": 2,
"unknown_codes": [260], "skipped": [{"row": 7, "reason": "..."}]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.datasets.countries import Country
from app.core.datasets.formats import DatasetError, ImportCancelled
from app.core.datasets.plan import DATASETS, DatasetPlan, PlannedAlliance, Skipped, plan_atop, plan_cow
from app.core.datasets.store import DatasetInfo, DatasetStore, SameAs

if TYPE_CHECKING:
    from app.core.query.repository import Repository
    from app.core.userdata.database import UserData

__all__ = [
    "DATASETS",
    "Country",
    "DatasetError",
    "DatasetInfo",
    "DatasetPlan",
    "DatasetStore",
    "ImportCancelled",
    "PlannedAlliance",
    "SameAs",
    "Skipped",
    "catalogue_countries",
    "import_dataset",
    "import_plan",
    "preview",
    "remove_dataset",
]


PHASE = 1000  # import_dataset's progress: reading the files is 0..1000, writing 1000..2000


def catalogue_countries(repo: Repository) -> dict[str, str]:
    """Casefolded names and aliases of the catalogue's own countries (reference and user) -> ids."""
    out: dict[str, str] = {}
    for eid, name, kind, aliases in repo.known_entities():
        if kind != "country" or eid.startswith("ccode-"):
            continue
        for n in (name, *aliases):
            out.setdefault(n.casefold(), eid)
    return out


def preview(
    repo: Repository,
    dataset: str,
    *,
    members: Path,
    alliances: Path | None = None,
    states: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DatasetPlan:
    """What importing these files would write (nothing is written); DatasetError if they cannot be."""
    return plan_files(
        catalogue_countries(repo),
        dataset,
        members=members,
        alliances=alliances,
        states=states,
        progress=progress,
        cancelled=cancelled,
    )


def plan_files(
    catalogue: Mapping[str, str],
    dataset: str,
    *,
    members: Path,
    alliances: Path | None = None,
    states: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DatasetPlan:
    if dataset == "atop":
        if alliances is None:
            raise DatasetError("ATOP needs both files: the alliance-level file and the member-level file.")
        return plan_atop(alliances, members, catalogue, states=states, cancelled=cancelled, progress=progress)
    if dataset == "cow":
        return plan_cow(members, catalogue, states=states, cancelled=cancelled, progress=progress)
    raise DatasetError(f"Unknown dataset '{dataset}': atop or cow.")


def import_plan(
    repo: Repository,
    user_data: UserData,
    plan: DatasetPlan,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Write a previewed plan in one transaction, then propose same-as links; returns the import report."""
    from app.core.datasets.same_as import propose_between_datasets, propose_links

    store = user_data.datasets
    report = store.write(plan, progress=progress, cancelled=cancelled)
    store.propose(propose_links(repo, plan.dataset))
    if {d.name for d in store.datasets()} >= {"atop", "cow"}:
        # The same alliance in both datasets (ATOP 3180 and COW 2205): proposed like the catalogue's links.
        store.propose(propose_between_datasets(store.alliances_and_members("atop"), store.alliances_and_members("cow")))
    return report


def import_dataset(
    repo: Repository,
    user_data: UserData,
    dataset: str,
    *,
    members: Path,
    alliances: Path | None = None,
    states: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Read, check and import a dataset's files; returns the import report."""

    def phase(base: int) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        report = progress
        return lambda done, total: report(base + PHASE * done // max(total, 1), 2 * PHASE)

    plan = preview(
        repo, dataset, members=members, alliances=alliances, states=states, progress=phase(0), cancelled=cancelled
    )
    return import_plan(repo, user_data, plan, progress=phase(PHASE), cancelled=cancelled)


def remove_dataset(user_data: UserData, dataset: str) -> int:
    """Remove an imported dataset; returns how many alliances went (0: it was not imported)."""
    if dataset not in DATASETS:
        raise DatasetError(f"Unknown dataset '{dataset}': atop or cow.")
    return user_data.datasets.remove(dataset)
