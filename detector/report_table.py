"""The scan report as a terminal table (``--format table``, the default), drawn by rich.

Columns are as wide as their content when the terminal has room. When it has not, their widths
come from :func:`detector.column_widths.fit_widths`: names and reasons wrap between words, dates
and amounts keep to one line, account ids stay whole, and a word is broken only where no layout
fits it. On a terminal too narrow for every word, a section folds up (:data:`_NARROWER`): the
account goes under the merchant (as it always does in the flags and refund requests), the refund
requests' "For" under the vendor and their deadline under "Eligible", and the table drops its
outer edges.
"""

from __future__ import annotations

from .column_widths import fit_widths, min_widths

#: Dates, amounts and one-word values keep to one line; names and reasons wrap around them. (A
#: refund request's status may wrap, :func:`_one_line`, but between its words only.)
_NO_WRAP = frozenset({"Date", "Charged", "Next", "Deadline", "Expected by", "Amount", "Per month",
                      "Severity", "Frequency", "Status", "Eligible", "Eligible, deadline"})
#: Columns of prose: the room left once every column has its longest word goes to them twice over.
_PROSE = frozenset({"What happened"})
#: The narrowest terminal the table is laid out for.
MIN_WIDTH = 80


def _overhead(n_columns: int, compact: bool = False) -> int:
    """Cells of a ``box.SIMPLE_HEAD`` table's row that are no column's text: a space of padding
    each side of every column, a divider between columns and an edge at each end (none when
    ``compact``)."""
    return 3 * n_columns + (-1 if compact else 1)


def _one_line(key: str, header: list[str]) -> list[bool]:
    # (a request's status may say its charge was removed: it wraps)
    return [col in _NO_WRAP and not (key == "refunds" and col == "Status") for col in header]


def _fits_unbroken(key: str, header: list[str], rows: list[list[str]], width: int, compact: bool) -> bool:
    """Whether every column of the section can have its longest word in ``width`` (a footer's are
    no longer than its values')."""
    columns = [[col, *(row[i] for row in rows)] for i, col in enumerate(header)]
    return sum(min_widths(columns, _one_line(key, header))) <= width - _overhead(len(header), compact)


def _merge_into(header: list[str], rows: list[list[str]], into: str, col: str, prefix: str = "",
                named: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The section with column ``col`` dropped, each of its cells a line under the cell of ``into``
    (the merged column ``named`` so, if given)."""
    if into not in header or col not in header:
        return header, rows
    i, j = header.index(into), header.index(col)
    out = []
    for row in rows:
        row = list(row)
        if row[j]:
            row[i] = f"{row[i]}\n{prefix}{row[j]}" if row[i] else prefix + row[j]
        out.append(row[:j] + row[j + 1:])
    header = [named if k == i and named else h for k, h in enumerate(header)]
    return header[:j] + header[j + 1:], out


#: How a section folds up on a terminal too narrow for it, step by step: the accounts' column
#: under the merchant; the refund requests' "For" under the vendor, then their deadline (the
#: last day to file) under "Eligible", then the day charged under the vendor (round 28: with
#: several accounts' ids under the vendors, 80 columns had no room left for "Processing").
_NARROWER = {"streams": (("Merchant", "Account"),),
             "refunds": (("Vendor", "For", "for "), ("Eligible", "Deadline", "", "Eligible, deadline"),
                         ("Vendor", "Charged", "charged "))}


def _narrowed(key: str, header: list[str], rows: list[list[str]],
              width: int) -> tuple[list[str], list[list[str]], bool]:
    """The section laid out for ``width``, and whether without the table's outer edges: as it
    is when every word fits, else folded up (:data:`_NARROWER`) until they do, each step tried
    with its edges and then without."""
    steps = iter(_NARROWER.get(key, ()))
    while True:
        for compact in (False, True):
            if _fits_unbroken(key, header, rows, width, compact):
                return header, rows, compact
        step = next(steps, None)
        if step is None:
            return header, rows, True
        header, rows = _merge_into(header, rows, *step)


def _footers(key: str, header: list[str], ctx: dict) -> list[str] | None:
    """The subscriptions' total under their "Per month" column, in one currency (several
    currencies' totals are too wide for it: a line under the table says them)."""
    if key != "streams" or ctx["several_currencies"]:
        return None
    return ["Total" if i == 0 else ctx["total"] if col == "Per month" else "" for i, col in enumerate(header)]


def _section(key: str, heading: str, header: list[str], rows: list[list[str]], n_rows: int, width: int,
             several_accounts: bool, compact: bool, footers: list[str] | None = None):
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    one_line = _one_line(key, header)
    # the columns holding account ids: their own, or the merchant's or vendor's with the account under it
    whole = [col == "Account" or (several_accounts and col in ("Merchant", "Vendor")) for col in header]
    # (a footer may wrap, as a header: "3,096.04 USD" over two lines sooner than an id in pieces)
    labels = [f"{col}\n{footers[i]}" if footers and footers[i] else col for i, col in enumerate(header)]
    columns = [[labels[i], *(row[i] for row in rows)] for i in range(len(header))]
    widths = fit_widths(columns, width - _overhead(len(header), compact), one_line=one_line, whole=whole,
                        ratio=[2 if col in _PROSE else 1 for col in header],
                        keep_words=[col in _NO_WRAP for col in header])
    # (without its edges a table has no blank first and last line: the title is a line of its own)
    table = Table(title=None if compact else f"{heading} ({n_rows})", box=box.SIMPLE_HEAD,
                  title_justify="left", show_edge=not compact, show_footer=bool(footers))
    for i, col in enumerate(header):
        numeric = col in ("Amount", "Per month")
        # (with the widths chosen, a header may wrap over the dates of its column: "Expected / by")
        table.add_column(escape(col), justify="right" if numeric else "left", overflow="fold",
                         footer=escape(footers[i]) if footers else "",
                         no_wrap=one_line[i] and widths is None, width=None if widths is None else widths[i])
    for row in rows:
        table.add_row(*(escape(c) for c in row))
    return table


def _drop_empty_columns(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Leave out the columns no row fills (a deadline only some vendors set), to give the others room."""
    keep = [i for i in range(len(header)) if any(row[i] for row in rows)]
    return [header[i] for i in keep], [[row[i] for i in keep] for row in rows]


def not_listed(ctx: dict) -> str:
    """What the table's subscriptions leave out (round-twenty-one audit: markdown and html said it,
    the table did not)."""
    return (f"{ctx['n_other']} ended, cancelled or incoming streams not listed: --format json or csv "
            "lists them")


def scan_table(ctx: dict, width: int = 100, limit: int | None = None) -> str:
    """The report's sections (``ctx`` of :func:`detector.report.render_scan`) as text ``width``
    cells wide (at least :data:`MIN_WIDTH`); ``limit`` caps the rows of each section."""
    from rich.console import Console
    from rich.markup import escape
    from rich.padding import Padding

    console = Console(record=True, width=max(width, MIN_WIDTH), color_system=None, force_terminal=False)

    def note(text: str) -> None:  # a line under a section, indented as its rows, wrapped lines too
        console.print(Padding(escape(text), (0, 0, 0, 2)))

    with console.capture() as cap:
        console.print(escape(ctx["title"]), style="bold")
        if ctx.get("as_of_note"):
            note(ctx["as_of_note"])
        if ctx["sync_problems"]:
            console.print(escape(f"{ctx['sync_heading']} ({len(ctx['sync_problems'])})"))
            for message in ctx["sync_problems"]:
                note(message)
            note(ctx["sync_note"])
        if ctx.get("notes"):
            console.print(escape(f"{ctx['notes_heading']} ({len(ctx['notes'])})"))
            for message in ctx["notes"]:
                note(message)
        for key, heading in (("flags", "Suspicious charges"), ("streams", "Active subscriptions"),
                             ("refunds", "Refund requests")):
            header, rows = ctx[key]
            if not rows and key == "refunds":
                continue
            if not rows:
                console.print(f"{heading}: none" + (f" ({not_listed(ctx)})" if key == "streams" and
                                                    ctx.get("n_other") else ""))
                if key == "streams" and ctx["card_payments"]:  # (all of them were card payments)
                    note(ctx["card_payments"])
                continue
            if key == "refunds":
                header, rows = _drop_empty_columns(header, rows)
            n_rows = len(rows)
            if limit and n_rows > limit:
                rows = rows[:limit]  # the most severe flags and the costliest plans come first
            header, rows, compact = _narrowed(key, header, rows, console.width)
            if compact:
                console.print(f"{heading} ({n_rows})\n")
            console.print(_section(key, heading, header, rows, n_rows, console.width,
                                   ctx.get("several_accounts", False), compact, _footers(key, header, ctx)))
            if compact:
                console.print()
            if key == "flags" and ctx.get("flags_note"):
                note(ctx["flags_note"])
            if key == "streams" and ctx["several_currencies"]:
                note(f"Total per month: {ctx['total']}")
            if key == "streams" and ctx["card_payments"]:
                note(ctx["card_payments"])
            if key == "streams" and ctx.get("n_other"):
                # (as the markdown and html say: a cancelled plan still charging is among them)
                note(not_listed(ctx).capitalize())
            if key == "refunds" and ctx["refunds_note"]:
                note(ctx["refunds_note"])
            if len(rows) < n_rows:
                console.print(f"  ... and {n_rows - len(rows):,} more not shown here: --limit 0 shows them all, "
                              "--format csv, json or html exports them.")
    return "\n".join(line.rstrip() for line in cap.get().splitlines()).rstrip("\n")
