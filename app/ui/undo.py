"""Edit > Undo and Redo for filter and tag changes: one QUndoStack, fed by what the window observes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec

if TYPE_CHECKING:
    from app.core.userdata.tags import TagState

FILTER_ID, TAGS_ID = 1401, 1402  # QUndoCommand ids: consecutive typing in the search box merges


def _what_changed(before: FilterSpec, after: FilterSpec) -> str:
    if (
        after.is_empty()
        and not before.is_empty()
        and (before.sort, before.descending) == (after.sort, after.descending)
    ):
        return "clear filters"
    if replace(before, text=after.text) == after:
        return "search"
    if replace(before, sort=after.sort, descending=after.descending) == after:
        return "sort"
    return "filter change"


class FilterCommand(QUndoCommand):
    """One change of the filter (typing a word is one change, not one per letter)."""

    def __init__(self, apply: Callable[[FilterSpec], None], before: FilterSpec, after: FilterSpec) -> None:
        super().__init__(_what_changed(before, after))  # the menu reads "Undo search", "Redo filter change"
        self._apply, self.before, self.after = apply, before, after
        self._first = True

    def id(self) -> int:
        return FILTER_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, FilterCommand) or other.before != self.after:
            return False
        typing = replace(self.before, text=other.after.text) == other.after  # text-only, both of them
        if not (typing and replace(self.before, text=self.after.text) == self.after):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:  # pushed after the change happened: nothing to do the first time
            self._first = False
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class TagsCommand(QUndoCommand):
    """A change to tags (tagging, untagging, the tag dialog's renames, colours and deletions)."""

    def __init__(self, history: UndoHistory, before: TagState, after: TagState) -> None:
        super().__init__("tag change")
        self._history, self.before, self.after = history, before, after
        self._first = True

    def id(self) -> int:
        return TAGS_ID

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._history.move_tags(self.before, self.after)

    def undo(self) -> None:
        self._history.move_tags(self.after, self.before)


class UndoHistory(QObject):
    """Records filter changes and tag changes as the window sees them, and replays them.

    ``apply_filter`` shows a FilterSpec in the filter pane (which then emits it as usual); ``tags``
    gives the tag store (``tag_state``/``change_tags``) when first needed (the notes code loads after
    the window's first paint); ``tags_changed`` is emitted after an undo or redo changed tags, so
    lists, facets and panes refresh. ``remember_tags`` reads the tags a first change is undone to.
    """

    tags_changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        *,
        apply_filter: Callable[[FilterSpec], None],
        tags: Callable[[], Any],
        spec: FilterSpec,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self._apply_filter = apply_filter
        self._tag_store = tags
        self._spec = spec
        self._replaying = False
        self._tag_state: TagState | None = None

    def remember_tags(self) -> None:
        """Read the tags as they are now: the state the next tag change is undone to."""
        self._tag_state = self._read_tags()

    # ---- observing -----------------------------------------------------------------------------
    def start_from(self, spec: FilterSpec) -> None:
        """The filter the window opened with (restored from the last session): not an undoable step."""
        self._spec = spec

    def filter_changed(self, spec: FilterSpec) -> None:
        before, self._spec = self._spec, spec
        if self._replaying or spec == before:
            return
        self.stack.push(FilterCommand(self._replay_filter, before, spec))

    def data_changed(self) -> None:
        """User data changed (notes or tags): a tag change becomes one undoable step."""
        if self._replaying:
            return
        before, after = self._tag_state, self._read_tags()
        self._tag_state = after
        if before is not None and after is not None and after != before:
            self.stack.push(TagsCommand(self, before, after))

    def _read_tags(self) -> TagState | None:
        try:
            return self._tag_store().tag_state()  # type: ignore[no-any-return]
        except AtlasError:
            return None  # the notes database is unavailable: nothing to undo against

    # ---- replaying -----------------------------------------------------------------------------
    def _replay_filter(self, spec: FilterSpec) -> None:
        self._replaying = True
        try:
            self._spec = spec
            self._apply_filter(spec)
        finally:
            self._replaying = False

    def move_tags(self, start: TagState, end: TagState) -> None:
        self._replaying = True
        try:
            try:
                self._tag_store().change_tags(start, end)
            except AtlasError as exc:
                self.failed.emit(str(exc))
            self._tag_state = self._read_tags()
            self.tags_changed.emit()
        finally:
            self._replaying = False
