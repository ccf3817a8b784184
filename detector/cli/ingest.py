"""``subdetect ingest``: read statement files into the store, one summary line per file."""

from __future__ import annotations

import json

import click

from ..schema import PAYMENT_METHODS
from .app import check_statement_options, cli, db_option, format_option

#: ``--format`` names a statement layout; these two words name an output format instead (no layout
#: is called that), so ``--format json`` from older docs keeps working.
_OUTPUT_WORDS = ("table", "json")


def _totals(results) -> dict:
    keys = ("rows_read", "stored", "duplicates", "rejected")
    totals = {k: sum(getattr(r, k) for r in results) for k in keys}
    totals["files"] = len(results)
    totals["failed"] = sum(1 for r in results if not r.ok)
    return totals


def render_summary(results, max_rejections: int = 10) -> str:
    """The per-file ingest table (read, stored, duplicates, rejected) plus errors and rejected lines."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Ingest")
    for col, justify in (("File", "left"), ("Format", "left"), ("Account", "left"), ("Read", "right"),
                         ("Stored", "right"), ("Duplicates", "right"), ("Rejected", "right"),
                         ("Status", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for r in results:
        account = r.account_id or (f"{len(r.accounts)} accounts" if r.accounts else "")
        table.add_row(escape(r.path), escape(r.format or ""), escape(account), str(r.rows_read), str(r.stored),
                      str(r.duplicates), str(r.rejected), "ok" if r.ok else "[red]failed[/red]")
    t = _totals(results)
    table.add_section()
    table.add_row(f"{t['files']} file(s)", "", "", str(t["rows_read"]), str(t["stored"]),
                  str(t["duplicates"]), str(t["rejected"]), f"{t['failed']} failed")
    console = Console(record=True, width=160)
    with console.capture() as cap:
        console.print(table)
        for r in results:
            if r.error:
                console.print(f"[red]error[/red] {escape(r.error)}", markup=True, highlight=False, soft_wrap=True)
        for r in results:
            for note in r.notes:
                console.print(f"note: {r.path}: {note}", markup=False, highlight=False, soft_wrap=True)
        for r in results:
            for rej in r.rejections[:max_rejections]:
                console.print(f"rejected {rej['source_file']}:{rej['source_line']}: {rej['reason']}",
                              markup=False, highlight=False, soft_wrap=True)
            if len(r.rejections) > max_rejections:
                console.print(f"... and {len(r.rejections) - max_rejections} more rejected in {r.path} "
                              "(see the rejected_rows table)", markup=False, highlight=False)
    return cap.get().rstrip("\n")


@cli.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--account", "account_id", help="Account id for files that do not name their account "
              "(default: the card the rows name, else the OFX/QFX account of a file the bank named alike, "
              "else the file name without extension and date stamps). Give a CSV the ACCTID of its card's "
              "QFX to store the two as one account.")
@click.option("--layout", "--format", "layout", metavar="NAME",
              help="Statement layout, skipping detection (see docs/importers.md); --layout as in "
                   "`scan`. '--format json' / '--format table' choose the output instead, like --output.")
@click.option("--columns", metavar="MAP",
              help="Map any CSV's columns: date=Posted,description=Payee,amount=Amount "
                   "[,debit=,credit=,direction=,reference=,account_id=,transaction_id=,currency=,"
                   "date_format=%d/%m/%Y,decimal=comma,delimiter=semicolon,sign=-1,country=IE] "
                   "(docs/importers.md).")
@click.option("--payment-method", type=click.Choice(PAYMENT_METHODS),
              help="How these accounts pay (overrides the importer's default; kept as set by you).")
@click.option("--output", "output", type=click.Choice(_OUTPUT_WORDS), default="table", show_default=True,
              help="Summary format.")
@db_option
def ingest_cmd(files, account_id, layout, columns, payment_method, output, db_path) -> None:
    """Import bank statements (CSV layouts, OFX/QFX) into the store.

    The layout of each file is recognised from its own header; re-importing a file adds nothing.
    Rows that cannot be read are listed with file, line and reason and kept in the store.
    Exits with status 3 when any file failed (the other files are still imported).
    """
    from ..importers import ingest_files
    from ..store import Store

    if layout in _OUTPUT_WORDS:
        output, layout = layout, None
    check_statement_options(layout, columns)
    store = Store(db_path)
    try:
        results = ingest_files(list(files), store, format=layout, account_id=account_id, columns=columns,
                               payment_method=payment_method)
    finally:
        store.close()
    if output == "json":
        click.echo(json.dumps({"files": [r.to_dict() for r in results], "totals": _totals(results)}, indent=2))
    else:
        click.echo(render_summary(results))
    if any(not r.ok for r in results):
        raise SystemExit(3)


@cli.command("formats")
@format_option("table", "csv", "json")
def formats_cmd(fmt: str) -> None:
    """List the statement layouts that ingest recognises (names for --format)."""
    import pandas as pd

    from ..importers import all_importers
    from ..report import render_frame

    # each layout's docstring, its first line, without the reST literal marks (``...``); render_frame
    # escapes rich markup in a table ("[account_id,]" is text): escaping it here too showed "\[" (round 51)
    rows = [{"format": imp.name, "bank": imp.title, "currency": imp.currency,
             "payment_method": imp.payment_method or "",
             "doc": (type(imp).__doc__ or "").strip().splitlines()[0].replace("``", "")}
            for imp in all_importers()]
    click.echo(render_frame(pd.DataFrame(rows), fmt, title="Statement formats"))
