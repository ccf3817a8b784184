"""Column widths for the terminal tables, from their content and the terminal's width.

rich sizes a table that fits by its content; one that does not fit it narrows by shrinking its
widest wrapping columns evenly, whatever the words in them, and so broke "HelloFresh" into
"HelloFre / sh" and an account id into three pieces on an 80-column terminal while a column of
prose had room to spare (round-51 audit). :func:`fit_widths` chooses the widths instead, and the
table is drawn by rich with them:

1. everything fits on one line each: nothing to choose (rich lays it out);
2. every column can have its longest word: the columns that need more share what is left,
   a column of prose (``ratio``) taking a larger share, no word broken;
3. not even that fits: words are broken, first in the prose columns, then in the headers of
   the one-value columns (dates, amounts), then in the account ids (``whole``: an id is what
   ``--account`` takes); a date, an amount or a status word (``keep_words``: a refund request's
   "Pending (charge removed ...)" wraps between its words) is broken only when nothing else is left.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

#: Narrowest a column is made while words in other columns can still be broken.
FLOOR = 4


def _lines(cell: str) -> list[str]:
    return cell.split("\n") if cell else [""]


def natural_width(cells: Sequence[str]) -> int:
    """The width the column takes with no line of it wrapped."""
    return max((cell_len(line) for cell in cells for line in _lines(cell)), default=0)


def word_width(cells: Sequence[str]) -> int:
    """The column's longest word: the narrowest it can be with no word broken."""
    return max((cell_len(word) for cell in cells for word in cell.split()), default=0)


def min_widths(columns: Sequence[Sequence[str]], one_line: Sequence[bool] = ()) -> list[int]:
    """Each column's narrowest width with no word broken: its longest word, or for a column
    whose values keep to one line (``one_line[i]``), its longest value or header word."""
    one_line = list(one_line) or [False] * len(columns)
    return [max(natural_width(c[1:]), word_width(c[:1])) if keep else word_width(c)
            for c, keep in zip(columns, one_line)]


def fit_widths(columns: Sequence[Sequence[str]], available: int, *, one_line: Sequence[bool] = (),
               whole: Sequence[bool] = (), ratio: Sequence[int] = (), break_words: bool = True,
               keep_words: Sequence[bool] = ()) -> list[int] | None:
    """Widths of the columns (each a list of cells, its header first) in ``available`` cells of
    text (the terminal's width less the table's padding and borders), or None when every column
    fits unwrapped. ``one_line[i]``: the column's values are never wrapped while the other
    columns can give room (its header may wrap); ``whole[i]``: its words are the last broken
    but for the values'; ``keep_words[i]``: its values wrap between words, never inside one while
    anything else can give (round 28: a refund request's status read "Pendin / g" at 80 columns);
    ``ratio[i]``: its share, against the others', of the room left once every column has its
    longest word (default 1). With ``break_words`` false, a table whose words cannot all fit is
    left to rich too (None): its narrowing gives the columns of long text the more room.

    >>> fit_widths([["Name", "Hello Fresh"], ["Note", "a rather long note that wraps"]], 24, ratio=[1, 2])
    [8, 16]
    """
    n = len(columns)
    one_line = list(one_line) or [False] * n
    whole = list(whole) or [False] * n
    keep = list(keep_words) or [False] * n
    ratio = list(ratio) or [1] * n
    natural = [natural_width(c) for c in columns]
    if sum(natural) <= available:
        return None
    lo = min_widths(columns, one_line)
    if sum(lo) <= available:
        return _share(lo, natural, ratio, available)
    if not break_words:
        return None
    # some words must be broken: first the prose columns' (not below FLOOR), then the headers of
    # the one-line columns (not their values), then the ids (not below FLOOR), then any but an
    # amount or a date; their values (and words kept whole) are broken last of all (a folded
    # amount is misread)
    prose = [i for i in range(n) if not one_line[i] and not whole[i] and not keep[i]]
    ids = [i for i in range(n) if whole[i] and not one_line[i] and not keep[i]]
    values = [i for i in range(n) if one_line[i]]
    kept = [i for i in range(n) if keep[i] and not one_line[i]]
    widths = list(lo)
    for tier, floor in ((prose, {i: FLOOR for i in prose}),
                        (values, {i: min(lo[i], natural_width(columns[i][1:]) or 1) for i in values}),
                        (ids, {i: FLOOR for i in ids}),
                        (prose + ids, {i: 1 for i in prose + ids}),
                        (values + kept, {i: 1 for i in values + kept})):
        _shrink(widths, tier, available, floor)
        if sum(widths) <= available:
            break
    return widths


def _share(lo: list[int], hi: list[int], ratio: list[int], available: int) -> list[int]:
    """Each column ``max(lo, ratio * level)`` wide, at most ``hi``, at the highest level whose
    widths add up to no more than ``available``; what rounding leaves goes to the columns held
    back by the level, left first."""
    def at(level: float) -> list[int]:
        return [min(h, max(low, int(r * level))) for low, h, r in zip(lo, hi, ratio)]

    low_level, high_level = 0.0, float(max(hi))
    for _ in range(60):  # (bisection: sums are whole numbers, this settles far sooner)
        mid = (low_level + high_level) / 2
        if sum(at(mid)) <= available:
            low_level = mid
        else:
            high_level = mid
    widths = at(low_level)
    left = available - sum(widths)
    for i in range(len(widths)):
        if left <= 0:
            break
        if widths[i] < hi[i]:
            widths[i] += 1
            left -= 1
    return widths


def _shrink(widths: list[int], columns: list[int], available: int, floor: dict[int, int]) -> None:
    """Narrow the widest of ``columns`` first, none below its ``floor``, until the widths add up
    to ``available`` or those columns are all at their floor."""
    while sum(widths) > available:
        wide = [i for i in columns if widths[i] > floor[i]]
        if not wide:
            return
        top = max(widths[i] for i in wide)
        for i in wide:
            if widths[i] == top and sum(widths) > available:
                widths[i] -= 1
