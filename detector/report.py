"""Render frames and scan results as table, JSON, CSV, Markdown or HTML.

CSV cells are safe against formula injection; HTML is escaped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

import numpy as np
import pandas as pd

from .account_notes import NOTE_FIELDS, note_line
from .column_widths import fit_widths
from .descriptor_words import card_payment_streams, payroll_streams
from .money import figure
from .transfers import own_transfer_streams

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ TAB CR gets a leading '.

    Numbers stay numbers (a negative amount is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records", date_format="iso"))


#: The width of :func:`render_frame`'s tables.
FRAME_WIDTH = 160


def render_frame(df: pd.DataFrame, fmt: str, title: str | None = None) -> str:
    """One DataFrame as ``table`` (rich), ``json``, ``csv``."""
    if fmt == "json":
        return json.dumps(_records(df), indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(df.columns)
        for row in df.itertuples(index=False, name=None):  # a missing value is an empty cell, not "nan"
            writer.writerow(["" if _missing(v) else safe_cell(v) for v in row])
        return buf.getvalue().rstrip("\n")
    if fmt == "table":
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        from .schema import OPTIONAL_TRANSACTION_COLUMNS

        # a terminal has no room for columns no row fills (transactions' original amounts, kept
        # only for charges in another currency): json and csv keep them
        df = df.drop(columns=[c for c in OPTIONAL_TRANSACTION_COLUMNS if c in df and df[c].isna().all()])
        cells = [[str(col), *("" if _missing(v) else str(v) for v in df[col])] for col in df.columns]
        # words wrap whole while the table has room for them all (detector/column_widths.py; else
        # rich lays it out); a word wider than its column is folded onto the next line, never cut
        # off with "…" (round-51 audit: `subdetect formats` lost the end of a column list, "amount[,cur…")
        widths = fit_widths(cells, FRAME_WIDTH - 3 * len(cells) - 1, break_words=False)
        table = Table(title=title)
        for i, col in enumerate(df.columns):
            table.add_column(escape(str(col)), overflow="fold", width=None if widths is None else widths[i])
        for row in df.itertuples(index=False, name=None):
            # Descriptors like "[PAYPAL] ..." are data, not rich markup.
            table.add_row(*("" if _missing(v) else escape(str(v)) for v in row))
        console = Console(record=True, width=FRAME_WIDTH)
        with console.capture() as cap:
            console.print(table)
        return cap.get().rstrip("\n")
    raise ValueError(f"unknown format {fmt!r}")


# -- scan results ------------------------------------------------------------------------------

#: Charges per month of each frequency, to compare subscriptions on one scale.
MONTHLY_FACTOR = {
    # (a year of 365.25 days, as for four-weekly plans: 52/12 made a weekly 12.50 cost 54.17 a
    # month and a four-weekly 50.00, the same in a year, 54.35: round-twenty-one audit)
    "weekly": 365.25 / 7 / 12,
    "biweekly": 365.25 / 14 / 12,
    "semimonthly": 2.0,
    "monthly": 1.0,
    "bimonthly": 1 / 2,
    "quarterly": 1 / 3,
    "semiannual": 1 / 6,
    "annual": 1 / 12,
}
#: A "monthly" plan billed every four weeks (a UK gym, a meal box) bills 13 times a year, so its
#: monthly cost is 13/12 of its price: told from a calendar month by at least five charges whose
#: mean gap is 28 days (a calendar month's four gaps average 29.5-31 days even around February).
FOUR_WEEKLY_GAP_DAYS = (27.4, 28.6)
FOUR_WEEKLY_MIN_CHARGES = 5
ACTIVE_STATUSES = ("active", "early")
SCAN_FORMATS = ("table", "json", "csv", "markdown", "html")
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
_FLAG_VIEW = {"severity": "Severity", "type": "Type", "date": "Date", "merchant": "Merchant",
              "amount": "Amount", "reason": "Reason"}
#: The terminal table folds type and reason into one column so the reason gets the room.
_FLAG_VIEW_TABLE = {"severity": "Severity", "date": "Date", "merchant": "Merchant", "amount": "Amount",
                    "what": "What happened"}
#: Markdown and HTML have room for the raw descriptor (what the bank statement shows).
_FLAG_VIEW_WIDE = {**_FLAG_VIEW, "description": "Descriptor"}
_STREAM_VIEW = {"merchant": "Merchant", "frequency": "Frequency", "last_amount": "Amount",
                "monthly": "Per month", "next_date": "Next", "status": "Status"}
#: The charge's date and the flag behind each request tell apart several requests to one vendor.
_REFUND_VIEW = {"vendor": "Vendor", "charge_date": "Charged", "amount": "Amount", "why": "For",
                "status": "Status", "eligible": "Eligible", "deadline": "Deadline", "expected_by": "Expected by"}


def _ids(value) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [v for v in value.split(";") if v]
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return []
    return [str(v) for v in value]


def _scan_frames(streams, flags, refund_requests):
    from .schema import FLAG_COLUMNS, REFUND_REQUEST_FIELDS, STREAM_COLUMNS

    s = pd.DataFrame(streams if streams is not None else [], copy=True)
    for col in STREAM_COLUMNS:
        if col not in s:
            s[col] = None
    s = s[list(STREAM_COLUMNS)].copy()
    s["transaction_ids"] = s["transaction_ids"].map(_ids)
    f = pd.DataFrame(flags if flags is not None else [], copy=True)
    for col in FLAG_COLUMNS:
        if col not in f:
            f[col] = None
    f = f[list(FLAG_COLUMNS)].copy()
    if not f.empty:
        f = f.assign(_r=f["severity"].map(_SEVERITY_RANK).fillna(3))
        f = f.sort_values(["_r", "date", "merchant"], ascending=[True, False, True]).drop(columns="_r")
    r = pd.DataFrame(list(refund_requests or []))
    for col in (*REFUND_REQUEST_FIELDS, "charge_date", "flag_type"):
        if col not in r:
            r[col] = None
    if len(r):  # the newest charges first, as the flags (not in the order of their hashed ids)
        r = r.sort_values(["charge_date", "vendor", "request_id"], ascending=[False, True, True],
                          kind="stable", na_position="last")
    return s.reset_index(drop=True), f.reset_index(drop=True), r


def _active(s: pd.DataFrame, f: pd.DataFrame | None = None) -> pd.DataFrame:
    """The active outflows of ``s`` with their monthly cost; ``f``, the flags, tells how many of
    each stream's charges are double charges (:func:`_monthly_factor`)."""
    a = s[(s["direction"].fillna("outflow") == "outflow") & s["status"].isin(ACTIVE_STATUSES)].copy()
    if a.empty:
        # with no active stream, the empty columns read from the store keep their text type, which
        # takes no arithmetic nor a boolean or (round-twenty audit: ``report`` crashed when every
        # stored plan had ended)
        a = a.astype(object)
    if f is not None and len(f) and len(a):
        doubled = f.loc[f["type"] == "duplicate_charge", "stream_id"].value_counts()
        a["doubles"] = a["stream_id"].map(doubled).fillna(0).astype(int)
    a["monthly"] = _monthly_cost(a)
    return a.sort_values(["monthly", "merchant"], ascending=[False, True])


def _monthly_cost(a: pd.DataFrame) -> pd.Series:
    """Each stream's monthly cost: what it charges a cycle (:func:`_typical_charge`) times its
    cycles a month (:func:`_monthly_factor`); for a bill whose amount moves every cycle seen for
    a year or more, a twelfth of what its last year of charges came to (``last_year_total``): its
    last three bills are a season's (round-thirty-six audit: a gas bill's winter made it 107.87 a
    month in May, when its bills were about 37.00)."""
    cost = (_typical_charge(a) * _monthly_factor(a)).round(2)
    if "last_year_total" not in a:
        return cost
    year = pd.to_numeric(a["last_year_total"], errors="coerce")
    return cost.mask(year.notna(), (year / 12).round(2))


def _typical_charge(a: pd.DataFrame) -> pd.Series:
    """What each stream charges a cycle, for its monthly cost: the amount the detector expects
    next (``next_amount``), else its last charge. For a plan at a set price that is its price,
    the last one (a price that just rose counts at once); for a bill that moves every cycle, the
    mean of its last three (docs/detection.md), not whatever the last bill happened to be
    (round-twenty-six audit: a usage bill's one 212.40 month, after two years of 40-95, made its
    "Per month" and the total 212.40 while its next amount read 107.43)."""
    last = pd.to_numeric(a["last_amount"], errors="coerce")
    if "next_amount" not in a:
        return last
    return pd.to_numeric(a["next_amount"], errors="coerce").fillna(last)


def _monthly_factor(a: pd.DataFrame) -> pd.Series:
    """Charges per month of each stream: :data:`MONTHLY_FACTOR` of its frequency, 365.25 / 28
    / 12 for a monthly stream billed every four weeks (:data:`FOUR_WEEKLY_GAP_DAYS`), and a
    twelfth of its ``charges_per_year`` for one that pauses at the same time each year (council
    tax in ten instalments cost its instalment a month: round-thirty-one audit)."""
    factor = a["frequency"].map(MONTHLY_FACTOR)
    charges = a["transaction_ids"].map(len)
    last = pd.to_datetime(a["last_date"], errors="coerce")
    span = (last - pd.to_datetime(a["first_date"], errors="coerce")).dt.days
    gap = span / (charges - 1).where(charges > 1)
    # The detector dates a four-weekly plan's next charge 28 days on, where a plan billed monthly
    # keeps its day of the month (only from February is that 28 days too): one double charge in a
    # year of a monthly plan also brings its mean gap near 28 days (round-five audit: Netflix at
    # 15.49 cost 16.84 a month).
    nxt = pd.to_datetime(a["next_date"], errors="coerce") if "next_date" in a else pd.Series(pd.NaT, index=a.index)
    drifts = (((nxt - last).dt.days == 28) | (nxt == _rolled(last + pd.Timedelta(days=28), a))) \
        & ((nxt.dt.day != last.dt.day) | (last.dt.month == 2))
    # ... and from February, a plan whose first and last charges fall on one day of the month
    # (or on month ends) keeps its day: a plan every 28 days drifts through the month (round
    # twenty-three: one double charge in February made a gym billed on the 3rd cost 27.17, not 24.99)
    first = pd.to_datetime(a["first_date"], errors="coerce")
    keeps_day = (first.dt.day == last.dt.day) | (first.dt.is_month_end & last.dt.is_month_end)
    # ... with a charge a month (and one double charge) at most where its next date is 28 days on
    # to the day: 26 charges every 28 days from 2024-12-10 end on 2026-11-10 by chance, and a plan
    # billed on one day had no 26 charges in 23 months. (A next date moved off a weekend or a
    # holiday, 31 days on, is the plan's day rolled: two double charges there still say monthly.)
    # Double charges the flags name are no cycles of their own (twenty-fifth session: a plan on the
    # 3rd with two of them, last billed in February, cost 13/12 of its price a month).
    months = (last.dt.year - first.dt.year) * 12 + (last.dt.month - first.dt.month)
    doubles = a.get("doubles", 0)
    keeps_day &= ((nxt - last).dt.days != 28) | (charges - doubles <= months + 2)
    drifts &= ~keeps_day
    four_weekly = (a["frequency"] == "monthly") & (charges >= FOUR_WEEKLY_MIN_CHARGES) & gap.between(
        *FOUR_WEEKLY_GAP_DAYS) & drifts
    factor = factor.mask(four_weekly, 365.25 / 28 / 12)
    if "charges_per_year" not in a:
        return factor
    per_year = pd.to_numeric(a["charges_per_year"], errors="coerce")
    return factor.mask(per_year > 0, per_year / 12)


def _rolled(due: pd.Series, a: pd.DataFrame) -> pd.Series:
    """``due`` moved forward off weekends and the public holidays of each stream's currency, as
    the detector moves a debit's next date (:func:`detector.due_dates.on_business_days`): a plan
    billed every four weeks by direct debit whose 28th day is a holiday is due the day after,
    and still costs 13/12 of its price a month (round-45 audit: due on Friday 4 July, dated
    Monday the 7th, it cost its price a month and its twin chain 13/12 of it)."""
    from .due_dates import on_business_days

    out = pd.Series(pd.NaT, index=due.index, dtype="datetime64[ns]")
    ok = due.notna().to_numpy()
    if not ok.any():
        return out
    days = due[ok].to_numpy().astype("datetime64[D]").astype(np.int64)
    currency = a["currency"].to_numpy(dtype=object)[ok] if "currency" in a else np.full(len(days), None, object)
    moved = on_business_days(days, np.ones(len(days), bool), np.zeros(len(days), bool), currency)
    out[ok] = moved.astype("datetime64[D]").astype("datetime64[ns]")
    return out


def _several_currencies(s: pd.DataFrame) -> bool:
    """Whether the report's streams are in more than one currency (active or ended: a GBP
    account's ended plan still has flags in pounds). Decided once for the whole report."""
    return "currency" in s and s["currency"].dropna().nunique() > 1


def _totals(active: pd.DataFrame, several: bool) -> tuple[str, pd.DataFrame]:
    """The monthly total, and the rows to show, their amounts written out (:func:`_written`).
    Streams of several currencies (a GBP and a EUR account) are never added up: there is one
    total per currency, and each monthly cost names its currency. A total in one currency names
    it, dollars too, in every format."""
    shown = active.assign(monthly=_written(active["monthly"], active["currency"], several),
                          last_amount=_written(active["last_amount"], active["currency"], False))
    if not several:
        one = active["currency"].dropna()
        code = one.iloc[0] if len(one) else None
        total = figure(float(active["monthly"].sum()) if len(active) else 0.0, code)
        # a report in one currency names it (a Monzo statement's report read "Total 160.37" while
        # its emails said £: round-thirty-nine audit), dollars too and in every format (round-56
        # audit: the table said "59.50 USD", markdown and html "59.50")
        return (f"{total} {code}" if isinstance(code, str) else total), shown
    code = active["currency"].fillna("?").astype(str)
    sums = active["monthly"].groupby(code).sum().sort_values(ascending=False)
    total = " + ".join(f"{figure(v, c)} {c}" for c, v in sums.items())
    return total or "0.00", shown


def _written(amounts, codes, name_code: bool) -> list:
    """Each amount as the report writes it, in its currency's decimals (:func:`money.figure`:
    ``1,500`` in yen, ``15.49`` in dollars), the currency named after it when ``name_code`` (a
    report of several currencies); what is no number stays as it is. (A list, not a Series sum:
    with no row, all paying cards, an empty float Series plus text raised a TypeError.)"""
    out = []
    for value, code in zip(amounts, codes):
        code = code if isinstance(code, str) else None
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and not pd.isna(value):
            value = figure(float(value), code) + (f" {code}" if name_code and code else "")
        out.append(value)
    return out


def _account_currency(s: pd.DataFrame) -> pd.Series:
    """Each account's currency: the commonest of its streams'."""
    known = s.dropna(subset=["currency"])
    if known.empty:
        return pd.Series(dtype=object)
    # Series.mode's first value per account: the most streams, of those the first currency in
    # sorted order; counted per (account, currency) pair, not a Python call per account
    counts = known.groupby(["account_id", "currency"]).size()
    first_max = counts.groupby(level=0, sort=False).idxmax()
    return pd.Series([currency for _, currency in first_max], index=first_max.index, name="currency")


def _flag_currency(s: pd.DataFrame, f: pd.DataFrame) -> pd.Series:
    """Each flag's currency: its stream's, else its account's (:func:`_account_currency`)."""
    return f["stream_id"].map(dict(zip(s["stream_id"], s["currency"]))).fillna(
        f["account_id"].map(_account_currency(s)))


def _amounts_written(s: pd.DataFrame, f: pd.DataFrame, r: pd.DataFrame,
                     several: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flags and refund requests with their amounts written in their currency (:func:`_written`;
    a flag in its stream's currency, else its account's; a request in its own), naming it when
    the streams are in several."""
    if len(f):
        f = f.assign(amount=_written(f["amount"], _flag_currency(s, f), several))
    if len(r):
        code = r["currency"] if "currency" in r else r["account_id"].map(_account_currency(s))
        r = r.assign(amount=_written(r["amount"], code, several))
    return f, r


def _not_counted_note(streams: pd.DataFrame, several: bool, what: str) -> str:
    """The line naming streams that are neither listed nor counted: how many (``what`` says of
    what, with ``{n}`` for the count), their total a month and each one's (one total per currency,
    each stream in its own)."""
    if streams.empty:
        return ""
    total, shown = _totals(streams, several)
    each = ", ".join(f"{m} {v}" for m, v in zip(shown["merchant"], shown["monthly"]))
    return f"Not listed or counted: {what.format(n=len(streams))}, {total} a month ({each})."


def _card_payments_note(to_cards: pd.DataFrame, several: bool) -> str:
    return _not_counted_note(to_cards, several, "{n} payment(s) to cards and banks")


def _own_transfers_note(moves: pd.DataFrame, several: bool) -> str:
    """The line naming the streams that move money to another of the scan's accounts (the
    paying side's: their money arrives there, docs/detection.md)."""
    return _not_counted_note(moves, several, "{n} transfer(s) to your own accounts (the money arrives in another "
                                             "account of the scan)")


def _payroll_note(runs: pd.DataFrame, several: bool) -> str:
    """The line naming the streams that fund payroll runs (net pay, payroll taxes: no plan's
    price, round-forty-six audit)."""
    return _not_counted_note(runs, several, "{n} payroll debit(s) (the pay and payroll taxes a payroll service "
                                            "collects, no subscription)")


def _unasked_note(unasked: dict[str, int], n_flags: int) -> str:
    """The line under the suspicious charges saying why some ask nothing back, by reason
    (:data:`detector.refunds.NOT_ASKED`): round-51 audit, 15 flags and 8 requests and no word why."""
    from .refunds import NOT_ASKED

    n = sum(unasked.values())
    if not n:
        return ""
    each = ", ".join(f"{count} {NOT_ASKED.get(reason, reason)}" for reason, count in unasked.items())
    return (f"{n} of the {n_flags} suspicious charges {'asks' if n == 1 else 'ask'} nothing back: {each}. "
            "See docs/features.md, \"Which charges are asked back\".")


def _assumed_method_note(r: pd.DataFrame) -> str:
    """A line under the refund requests when some expected dates assume a payment method (their
    account stores none: a generic or ``--columns`` CSV), pointing to ``--payment-method``."""
    if r.empty or "timeline" not in r:
        return ""
    assumed = r[r["timeline"].map(lambda t: isinstance(t, dict) and bool(t.get("payment_method_assumed")))]
    if assumed.empty:
        return ""
    methods = " or ".join(sorted({str(m).replace("_", " ") for m in assumed["payment_method"].dropna()})) or "a card"
    accounts = ", ".join(sorted({str(a) for a in assumed["account_id"].dropna()}))
    return (f"Expected dates of {len(assumed)} request(s) assume {methods}: account(s) {accounts} store no "
            "payment method. Set it with --payment-method (subdetect scan FILE --payment-method debit_card); "
            "`subdetect refunds show ID` gives the vendor's time for each method.")


def refund_status_text(req) -> str:
    """A request's status as the report and ``refunds list`` show it (``req``: the request, a
    dict or a row), with what the bank's removal or change of its charge after filing asks of
    the user (:func:`detector.refunds.bank_change_advice`): "Pending (charge removed by the bank
    on 2026-08-08: withdraw it)", "Pending (the bank corrected the charge to $18.99: nothing is
    left to ask, withdraw it)". Round-thirty-eight audit: a filed request for a charge that was
    never taken read "Pending", like any open claim; round forty-seven: so did one whose price
    rise the bank corrected away."""
    from .refunds import bank_change_advice

    status = req.get("status")
    status = "" if _missing(status) else str(status)
    advice = bank_change_advice({k: (None if _missing(v) else v) for k, v in req.items()
                                 if not isinstance(v, (list, dict))})
    return f"{status} ({advice})" if advice else status


def _plain(value) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return str(value)


def _with_account(view: dict) -> dict:
    """``view`` with an Account column after the merchant (or the vendor)."""
    after = "merchant" if "merchant" in view else "vendor"
    out = {}
    for key, label in view.items():
        out[key] = label
        if key == after:
            out["account_id"] = "Account"
    return out


def _words(name: str) -> str:
    return str(name).replace("_", " ")


def _view(df: pd.DataFrame, columns: dict) -> list[list[str]]:
    return [[_plain(v) for v in row] for row in df[list(columns)].itertuples(index=False, name=None)]


#: Why a stream is not in the total (``not_counted_reason`` of the JSON and CSV).
NOT_COUNTED_REASONS = ("card_payment", "own_transfer", "payroll", "inflow", "not_active")


def _export_columns(s: pd.DataFrame, f: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the other formats show beside the schema's fields, for JSON and CSV: each flag's
    currency (its stream's, else its account's), each active plan's monthly cost
    (``monthly_amount``, as the table's "Per month"; null for the others) and whether the table
    counts the stream in its total (``counted``; ``not_counted_reason`` says why not, one of
    :data:`NOT_COUNTED_REASONS`). Round-twenty-one audit: an analyst exporting a dollar and a
    pound account could not tell the flags apart. Round-thirty-four audit: payments to one's own
    cards had a ``monthly_amount`` and nothing saying the table leaves them out, so the active
    streams' monthly amounts summed to 467.52 where the table's total was 24.99. A transfer between the scan's own accounts
    (round-thirty-nine audit) is ``own_transfer``, whatever its direction or status; money out that
    funds payroll runs (:func:`~detector.descriptor_words.payroll_streams`, round-forty-six audit)
    is ``payroll``, whatever its status."""
    f = f.assign(currency=_flag_currency(s, f) if len(f) else pd.Series(dtype=object))
    active = _active(s, f)
    to_cards = active.index[card_payment_streams(active).to_numpy(dtype=bool)]
    moves = s.index[own_transfer_streams(s).to_numpy(dtype=bool)].difference(to_cards)
    payroll = s.index[payroll_streams(s).to_numpy(dtype=bool)].difference(to_cards).difference(moves)
    counted = active.index.difference(to_cards).difference(moves).difference(payroll)
    monthly = pd.to_numeric(active["monthly"], errors="coerce").loc[counted]
    inflow = s["direction"].fillna("outflow") != "outflow"
    reason = pd.Series(np.where(inflow, "inflow", "not_active"), index=s.index, dtype=object)
    reason.loc[to_cards] = "card_payment"
    reason.loc[moves] = "own_transfer"
    reason.loc[payroll] = "payroll"
    reason.loc[counted] = None
    s = s.assign(monthly_amount=monthly.reindex(s.index), counted=s.index.isin(counted),
                 not_counted_reason=reason)
    return s, f


_ASCII = json.encoder.encode_basestring_ascii


def json_indented(value) -> str:
    """``json.dumps(value, indent=2)``, the same text, about twice as fast on a scan's document.

    With ``indent`` the standard library takes its pure-Python encoder, a generator per
    container: 0.5 CPU-s for the 25 MB document of a 1.2M-row scan, whose ten thousand streams
    hold a million transaction ids. Here a list of strings (the ids) is one C ``join`` and every
    other value is written as ``json`` writes it (``ensure_ascii``, ``", "`` and ``": "``,
    ``float.__repr__``, ``NaN``/``Infinity``). Anything but a dict with text keys, a list, text,
    a number, a bool or None goes to ``json.dumps`` as a whole."""
    out: list[str] = []
    try:
        _write_json(value, "\n", out)
    except _NotPlainJSON:
        return json.dumps(value, indent=2)
    return "".join(out)


class _NotPlainJSON(Exception):
    pass


def _json_scalar(v) -> str | None:
    """``v`` as ``json`` writes it, or None for a container."""
    t = type(v)
    if t is str:
        return _ASCII(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        if math.isnan(v):
            return "NaN"
        if v == math.inf:
            return "Infinity"
        if v == -math.inf:
            return "-Infinity"
        return float.__repr__(v)
    if t is dict or t is list:
        return None
    raise _NotPlainJSON


def _write_json(v, nl: str, out: list) -> None:
    """Append ``v`` to ``out`` as ``json.dumps(indent=2)`` lays it out; ``nl`` is the newline and
    indent of ``v``'s own line."""
    text = _json_scalar(v)
    if text is not None:
        out.append(text)
        return
    if not v:
        out.append("{}" if type(v) is dict else "[]")
        return
    inner = nl + "  "
    if type(v) is list:
        try:  # a list of text: one join in C
            body = ("," + inner).join(map(_ASCII, v)) if type(v[0]) is str else None
        except TypeError:  # (encode_basestring_ascii takes str only)
            body = None
        if body is not None:
            out.append("[" + inner + body + nl + "]")
            return
        out.append("[")
        sep = inner
        for item in v:
            out.append(sep)
            sep = "," + inner
            _write_json(item, inner, out)
        out.append(nl + "]")
        return
    out.append("{")
    sep = inner
    for key, item in v.items():
        if type(key) is not str:
            raise _NotPlainJSON
        t = type(item)  # the commonest values written here, the others by _json_scalar
        if t is str:
            out.append(sep + _ASCII(key) + ": " + _ASCII(item))
        elif item is None:
            out.append(sep + _ASCII(key) + ": null")
        else:
            out.append(sep + _ASCII(key) + ": ")
            text = _json_scalar(item)
            if text is not None:
                out.append(text)
            else:
                _write_json(item, inner, out)
        sep = "," + inner
    out.append(nl + "}")


#: What the report gives of each stale account (:func:`detector.freshness.sync_problems`).
SYNC_PROBLEM_FIELDS = ("account_id", "account_name", "item", "last_successful_sync", "error_code", "error",
                       "judged_as_of", "message")


def _doc(s, f, r, as_of, problems=(), notes=()) -> dict:
    def recs(df):
        return json.loads(df.to_json(orient="records", date_format="iso")) if len(df) else []

    doc = {"as_of": str(as_of)}
    if problems:  # (only then: a report of accounts that all synced reads as it always did)
        doc["sync_problems"] = [{k: p.get(k) for k in SYNC_PROBLEM_FIELDS} for p in problems]
    if notes:  # (likewise: a store with no open note reads as it always did)
        doc["notes"] = [{k: n.get(k) for k in NOTE_FIELDS} for n in notes]
    return {**doc, "streams": recs(s), "flags": recs(f), "refund_requests": recs(r)}


#: The heading of the section of stored notes (:func:`detector.account_notes.open_notes`).
NOTES_HEADING = "Notes from earlier scans"
#: The heading of the report's first section, when some accounts have not synced.
SYNC_HEADING = "Accounts whose bank data is not up to date"
#: What the report says under it.
SYNC_NOTE = ("Their plans are shown as of the last day their data came in: a plan is not ended because "
             "the bank stopped sending its charges.")


def render_scan(streams, flags, refund_requests, fmt: str, *, as_of, title: str | None = None,
                width: int = 100, limit: int | None = None, sync_problems=None, unasked=None,
                notes=None, accounts_as_of=None) -> str:
    """A scan result (streams, flags, refund requests) as table, json, csv, markdown or html.

    ``json`` is one document ``{"as_of", "streams", "flags", "refund_requests"}`` with the schema
    fields (``transaction_ids`` a list), the shape ``shared/eval/score.py`` reads. The human
    formats list the suspicious charges first (high severity first), then active subscriptions
    with their monthly-equivalent cost and a total. ``width`` is the table's width in columns
    (the CLI passes the terminal's). ``limit`` caps the rows of each section in the terminal
    table (a line says how many more there are; totals count them all); other formats are
    never cut. ``sync_problems`` (:func:`detector.freshness.sync_problems`: the accounts of a
    Plaid item that stopped syncing) come first in every format: the JSON's ``sync_problems`` (only
    when there are some), the CSV's ``sync_problem`` records, a section at the top of the others.
    ``unasked`` (:func:`detector.refunds.unasked_counts`: how many flags ask nothing back, by
    reason) is a line under the suspicious charges of the table, markdown and html.
    ``notes`` (:func:`detector.account_notes.open_notes`: what earlier scans found, such as a
    file's charges held by another account) come next: the JSON's ``notes`` (only when there are
    some), the CSV's ``note`` records, a section after the sync problems in the others.
    ``accounts_as_of`` (account -> ISO date; ``report``'s
    :attr:`~detector.pipeline.ScanResult.accounts_as_of`) is the date each account was detected
    as of, where it is not ``as_of``: each stream's ``as_of`` in the JSON and CSV (``as_of``
    where not given), and a line under the title of the others naming the accounts of an
    earlier date (:func:`as_of_note`).
    """
    if fmt not in SCAN_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(SCAN_FORMATS)}")
    s, f, r = _scan_frames(streams, flags, refund_requests)
    as_of = pd.Timestamp(as_of).strftime("%Y-%m-%d")
    title = title or f"Subscriptions as of {as_of}"
    problems = list(sync_problems or [])
    notes = list(notes or [])
    dates = {str(k): pd.Timestamp(v).strftime("%Y-%m-%d") for k, v in (accounts_as_of or {}).items() if v}
    if fmt in ("json", "csv"):
        s, f = _export_columns(s, f)
        s = s.assign(as_of=s["account_id"].map(lambda a: dates.get(str(a), as_of)).astype(object))
        doc = _doc(s, f, r, as_of, problems, notes)
        return json_indented(doc) if fmt == "json" else _scan_csv(doc)
    active = _active(s, f)
    # Paying off one's own card is no subscription, and what the card billed is listed already.
    to_cards = active[card_payment_streams(active)]  # paying one's own cards: no subscription
    active = active.drop(to_cards.index)
    moves = active[own_transfer_streams(active)]  # money arriving in another of the scan's accounts
    active = active.drop(moves.index)
    runs = active[payroll_streams(active)]  # a payroll service's debits: pay and payroll taxes
    active = active.drop(runs.index)
    several = _several_currencies(s)
    total, active = _totals(active, several)
    status = _status_cells(r) if len(r) else []
    f, r = _amounts_written(s, f, r, several)
    # Several statements in one report: the same subscription may be paid from two accounts.
    accounts = pd.concat([s["account_id"], f["account_id"], r["account_id"]]).dropna().nunique()
    flag_view = _FLAG_VIEW_TABLE if fmt == "table" else _FLAG_VIEW_WIDE
    stream_view, refund_view = _STREAM_VIEW, _REFUND_VIEW
    if accounts > 1 and fmt == "table":
        # The terminal is narrow: the account goes under the merchant, leaving the reason its room.
        f = f.assign(merchant=f["merchant"].fillna("") + "\n" + f["account_id"].fillna(""))
        r = r.assign(vendor=r["vendor"].fillna("") + "\n" + r["account_id"].fillna(""))
        stream_view = _with_account(stream_view)
    elif accounts > 1:
        flag_view, stream_view, refund_view = (_with_account(v) for v in (flag_view, stream_view, refund_view))
    ctx = {
        "title": title, "as_of": as_of, "as_of_note": as_of_note(as_of, dates, s["account_id"]),
        # (the table's "What happened" names the type in words, as its refund requests' "For" does:
        # "charge_after_cancellation:" was one word wider than the column on an 80-column terminal)
        "flags": (list(flag_view.values()),
                  _view(f.assign(what=f["type"].map(_words, na_action="ignore") + ": " + f["reason"]), flag_view)),
        "streams": (list(stream_view.values()), _view(active, stream_view)),
        "refunds": (list(refund_view.values()),
                    _view(r.assign(why=r["flag_type"].map(_words, na_action="ignore"),
                                   status=status, eligible=_eligible_cells(r)), refund_view)),
        "total": total, "several_currencies": several, "several_accounts": accounts > 1,
        "n_other": int(len(s) - len(active) - len(to_cards) - len(moves) - len(runs)),
        # (one line under the subscriptions: what is neither listed nor counted, and why)
        "card_payments": " ".join(n for n in (_card_payments_note(to_cards, several),
                                              _own_transfers_note(moves, several),
                                              _payroll_note(runs, several)) if n),
        "refunds_note": _assumed_method_note(r),
        "flags_note": _unasked_note(unasked or {}, len(f)),
        "sync_problems": [p["message"] for p in problems], "sync_heading": SYNC_HEADING, "sync_note": SYNC_NOTE,
        "notes": [note_line(n) for n in notes], "notes_heading": NOTES_HEADING,
    }
    if fmt == "markdown":
        return _scan_markdown(ctx)
    if fmt == "html":
        return _scan_html(ctx)
    from .report_table import scan_table

    return scan_table(ctx, width, limit)


#: Accounts :func:`as_of_note` names one by one; the rest are counted.
AS_OF_SHOWN = 10


def as_of_note(as_of: str, dates: dict[str, str], accounts) -> str:
    """The line saying which of ``accounts`` (those of the report's streams) were detected as of
    another day than the report's ``as_of`` (``dates``: account -> ISO date), or "". Round-56
    audit: an account scanned as of October, reported "as of" November with the others, showed
    its plans "active" with next dates a month gone and no word why."""
    other = sorted({(dates[a], a) for a in map(str, pd.Series(accounts, dtype=object).dropna())
                    if a in dates and dates[a] != as_of})
    if not other:
        return ""
    named = ", ".join(f"{a} as of {d}" for d, a in other[:AS_OF_SHOWN])
    more = f" and {len(other) - AS_OF_SHOWN} more" if len(other) > AS_OF_SHOWN else ""
    its, it = ("its", "it") if len(other) == 1 else ("their", "them")
    return (f"Not every account is as of {as_of}: {named}{more} ({its} last detection). {its.capitalize()} "
            f"plans' next dates and statuses are as of that day, not {as_of}: a plan due in between is not "
            f"overdue. A newer statement, scanned, brings {it} up to date.")


def _status_cells(r: pd.DataFrame) -> list:
    """Each request's status cell (:func:`refund_status_text`), of the requests as stored (their
    amounts numbers, not yet written for the table)."""
    keys = [c for c in ("status", "amount", "currency", "charge_removed_on", "charge_amount_now",
                        "amount_to_ask_now") if c in r]
    return [refund_status_text(dict(zip(keys, row))) for row in r[keys].itertuples(index=False, name=None)]


def _eligible_cells(r: pd.DataFrame) -> list:
    """Each request's eligibility cell: as stored, "unknown" where no refund window is known."""
    if "eligible" not in r:
        return [None] * len(r)
    return ["unknown" if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in r["eligible"]]


#: What the JSON and CSV give beside each stream's schema fields (:func:`_export_columns`).
STREAM_EXPORT_FIELDS = ("monthly_amount", "counted", "not_counted_reason", "as_of")


def csv_columns() -> tuple[str, ...]:
    """The CSV report's header, the same in every report whatever it holds: ``record``, then each
    field a flag, a stream, a refund request, a sync problem or a note can have, in that order
    (one column for a field several of them have). Round-56 audit: the columns were the union of
    the records' fields, 60 in a report with flags, 24 with streams only (``stream_id`` moved from
    column 7 to 2), 1 in an empty one; a loader keyed on names or positions broke on quiet nights."""
    from .refunds import REQUEST_EXPORT_FIELDS
    from .schema import FLAG_COLUMNS, STREAM_COLUMNS

    return tuple(dict.fromkeys(("record", *FLAG_COLUMNS, "currency", *STREAM_COLUMNS, *STREAM_EXPORT_FIELDS,
                                *REQUEST_EXPORT_FIELDS, "charge_date", "flag_type", *SYNC_PROBLEM_FIELDS,
                                *NOTE_FIELDS)))


def _scan_csv(doc: dict) -> str:
    parts = [("sync_problem", doc.get("sync_problems", [])), ("note", doc.get("notes", [])), ("flag", doc["flags"]), ("stream", doc["streams"]),
             ("refund_request", doc["refund_requests"])]
    columns = list(csv_columns())
    known = set(columns)
    for _, recs in parts:  # (a field none of those lists names is kept, after them: never dropped)
        for rec in recs:
            extra = [k for k in rec if k not in known]
            columns += extra
            known.update(extra)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for kind, recs in parts:
        for rec in recs:
            row = {"record": kind, **rec}
            writer.writerow([safe_cell(_csv_value(row.get(c))) for c in columns])
    return buf.getvalue().rstrip("\n")


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return ";".join(v)
    if isinstance(v, (list, dict)):
        return json.dumps(v, default=str)
    return v


#: What Markdown (CommonMark and GitHub's tables and strikethrough) reads as formatting anywhere
#: in a line: a backslash, a code span's backtick, emphasis' star, a link's brackets, a table's
#: pipe, strikethrough's tilde; and an underscore not inside a word (``_x_`` is emphasis,
#: ``capital_one`` never is, so account ids stay as they are).
_MD_INLINE = re.compile(r"[\\`*\[\]|~]|_(?![^\W_])|(?<![^\W_])_")
#: What makes a line a heading or a list item when it starts it (after spaces); a minus before
#: a digit is a negative amount, no list.
_MD_LINE_START = re.compile(r"^(\s*)(#|[+-](?=\s|$))")


#: A command the report tells the user to run (``subdetect notes dismiss ID``), ours: kept a code span.
_MD_COMMAND = re.compile(r"(`subdetect [^`\n]*`)")


def _md_cell(text: str) -> str:
    """Text of the statement (a descriptor, a merchant's or account's name, a reason naming them)
    as Markdown that shows it as written, in a table cell or a line of prose: what Markdown would
    read as formatting (``*``, ``_``, backticks, ``[x](y)``, ``|``, a leading ``#``) is escaped
    with a backslash, and inline HTML as in the HTML report (``&lt;tag&gt;``). Digits, letters,
    dots and spaces are left alone, so amounts and dates read as they are, and so is a command
    the report names in backticks (:data:`_MD_COMMAND`), our own code span (its pipes escaped:
    a table splits cells before it reads code spans)."""
    parts = _MD_COMMAND.split(text.replace("\n", " "))
    text = "".join(p.replace("|", "\\|") if i % 2 else
                   _MD_INLINE.sub(lambda m: "\\" + m.group(), p).replace("&", "&amp;").replace("<", "&lt;")
                   .replace(">", "&gt;") for i, p in enumerate(parts))
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _scan_markdown(ctx: dict) -> str:
    out = [f"# {_md_cell(ctx['title'])}", ""]
    if ctx.get("as_of_note"):
        out += [_md_cell(ctx["as_of_note"]), ""]
    if ctx["sync_problems"]:
        out += [f"## {ctx['sync_heading']} ({len(ctx['sync_problems'])})", ""]
        out += [f"- {_md_cell(m)}" for m in ctx["sync_problems"]] + ["", _md_cell(ctx["sync_note"]), ""]
    if ctx["notes"]:
        out += [f"## {ctx['notes_heading']} ({len(ctx['notes'])})", ""]
        out += [f"- {_md_cell(m)}" for m in ctx["notes"]] + [""]
    for key, heading, empty in (("flags", "Suspicious charges", "No suspicious charges."),
                                ("streams", "Active subscriptions", "No active subscriptions."),
                                ("refunds", "Refund requests", None)):
        header, rows = ctx[key]
        if not rows and empty is None:
            continue
        out += [f"## {heading} ({len(rows)})", ""]
        out += [_md_table(header, rows) if rows else empty, ""]
        if key == "flags" and ctx["flags_note"]:
            out += [_md_cell(ctx["flags_note"]), ""]
        if key == "streams":
            out += [f"**Total per month: {ctx['total']}**"
                    + (f" ({ctx['n_other']} ended, cancelled or incoming streams not listed)" if ctx["n_other"] else ""),
                    ""]
            if ctx["card_payments"]:
                out += [_md_cell(ctx["card_payments"]), ""]
        if key == "refunds" and ctx["refunds_note"]:
            out += [_md_cell(ctx["refunds_note"]), ""]
    return "\n".join(out).rstrip("\n")


def _scan_html(ctx: dict) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("detector", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    sections = [(key, heading, *ctx[key]) for key, heading in
                (("flags", "Suspicious charges"), ("streams", "Active subscriptions"), ("refunds", "Refund requests"))]
    return env.get_template("scan.html").render(sections=sections, **ctx).rstrip("\n")
