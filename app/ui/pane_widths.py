"""How the window shares its width among side-by-side panes: room comes from where there is room."""

from __future__ import annotations

from collections.abc import Sequence


def share_width(total: int, current: Sequence[int], comfort: Sequence[int], minimum: Sequence[int]) -> list[int]:
    """New widths for panes that together get ``total`` px (handles already taken off).

    A pane below its ``comfort`` width is raised towards it with room taken from the panes above
    theirs, in proportion to their surplus, so a dock that opens narrows the roomy pane instead of
    the one already at its limit. When even the comfortable widths do not fit, every pane gets its
    ``minimum`` plus a share of what is left in proportion to how much it would like
    (comfort - minimum). Panes at or above comfort keep their widths when the others are fine.
    """
    n = len(current)
    if not (len(comfort) == len(minimum) == n) or n == 0 or total <= 0:
        return list(current)
    widths = [max(0, int(w)) for w in current]
    # Scale what we were given to the total first (the splitter may not have settled yet).
    got = sum(widths)
    if got != total and got > 0:
        widths = [w * total // got for w in widths]
        widths[-1] += total - sum(widths)
    comfort_sum = sum(comfort)
    if comfort_sum >= total:
        spare = max(0, total - sum(minimum))
        want = [max(0, c - m) for c, m in zip(comfort, minimum, strict=True)]
        want_sum = sum(want) or 1
        out = [m + spare * w // want_sum for m, w in zip(minimum, want, strict=True)]
        out[-1] += total - sum(out)
        return out
    need = sum(max(0, c - w) for c, w in zip(comfort, widths, strict=True))
    if need == 0:
        return widths
    surplus = [max(0, w - c) for c, w in zip(comfort, widths, strict=True)]
    surplus_sum = sum(surplus)  # > need, since sum(comfort) < total
    out = []
    for w, c, s in zip(widths, comfort, surplus, strict=True):
        if w < c:
            out.append(c)
        else:
            out.append(w - need * s // surplus_sum)
    # Rounding: give or take the last few px on the roomiest pane.
    roomiest = max(range(n), key=lambda i: out[i] - comfort[i])
    out[roomiest] += total - sum(out)
    return out
