"""``subdetect vendors``: browse the vendor catalogue and try descriptors against it."""

from __future__ import annotations

import json

import click

from .app import cli, format_option


def catalog_option(f):
    """``--catalog FILE``: a user catalogue that overrides or adds vendors (env SUBDETECT_VENDORS)."""
    return click.option(
        "--catalog",
        "catalog_path",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="User vendor catalogue (TOML) that overrides or adds vendors (env SUBDETECT_VENDORS).",
    )(f)


@cli.group("vendors")
def vendors_group() -> None:
    """The subscription vendor catalogue: list, show, and match descriptors."""


@vendors_group.command("list")
@catalog_option
@click.option("--category", default=None, help="Only vendors of this category.")
@click.option("--channel", default=None, help="Only vendors billed through this channel.")
@format_option("table", "csv", "json")
def list_cmd(catalog_path, category, channel, fmt) -> None:
    """List catalogue vendors with category, cadence, channels and refund process."""
    from ..catalog import CATEGORIES, CHANNELS, load_vendors
    from ..report import render_frame

    # a typo (`--category vnp`) listed no vendor, exit 0, as if the catalogue held none (round-57 audit)
    category, channel = (value.strip().lower() if value else None for value in (category, channel))
    for option, value, known in (("--category", category, CATEGORIES), ("--channel", channel, CHANNELS)):
        if value is not None and value not in known:
            raise click.BadParameter(f"{value!r} is none of {', '.join(known)}", param_hint=option)
    df = load_vendors(user_path=catalog_path).to_frame(category=category, channel=channel)
    click.echo(render_frame(df, fmt, title=f"Vendors ({len(df)})"))


@vendors_group.command("show")
@click.argument("name")
@catalog_option
@format_option("table", "json")
def show_cmd(name, catalog_path, fmt) -> None:
    """Show one vendor: aliases, patterns, channels, refund process."""
    from ..catalog import load_vendors

    vendor = load_vendors(user_path=catalog_path).get(name).to_dict()
    if fmt == "json":
        click.echo(json.dumps(vendor, indent=2))
        return
    for field, value in vendor.items():
        shown = ", ".join(value) if isinstance(value, list) else ("" if value is None else value)
        click.echo(f"{field:>15}: {shown}")


@vendors_group.command("match")
@click.argument("descriptors", nargs=-1, required=True)
@catalog_option
@format_option("table", "csv", "json")
def match_cmd(descriptors, catalog_path, fmt) -> None:
    """Show how raw bank descriptors normalise and which vendor they match."""
    from ..match import MerchantMatcher
    from ..report import render_frame

    df = MerchantMatcher(user_catalog=catalog_path).fit().transform(list(descriptors))
    df.insert(0, "descriptor", list(descriptors))
    click.echo(render_frame(df, fmt, title="Matches"))
