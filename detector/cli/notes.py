"""``subdetect notes``: what earlier scans found that `report` repeats, and dismissing it."""

from __future__ import annotations

import click

from .app import cli, db_option, existing_store, format_option


@cli.group("notes")
def notes_group() -> None:
    """Notes earlier scans stored (a file's charges another account holds): list, dismiss."""


@notes_group.command("list")
@db_option
@click.option("--account", "account_id", help="Only notes naming this account.")
@format_option("table", "csv", "json")
def notes_list_cmd(db_path: str, account_id: str | None, fmt: str) -> None:
    """List the notes that still apply and were not dismissed: `report` shows them too."""
    import pandas as pd

    from ..account_notes import NOTE_FIELDS
    from ..pipeline import stored_notes
    from ..report import render_frame

    notes = stored_notes(existing_store(db_path, readonly=True), account_id)
    click.echo(render_frame(pd.DataFrame(notes, columns=list(NOTE_FIELDS)), fmt, title=f"Notes ({len(notes)})"))


@notes_group.command("dismiss")
@db_option
@click.argument("note_id")
def notes_dismiss_cmd(db_path: str, note_id: str) -> None:
    """Hide note NOTE_ID from later reports (`notes list` and `report` name the ids)."""
    from ..account_notes import dismiss

    done = dismiss(existing_store(db_path), note_id)
    click.echo(f"Note {note_id} dismissed: later reports leave it out" if done else f"Note {note_id} was dismissed already")
