"""A bill's month in its descriptor, read from one account's rows and their dates
(detector.period_months): "MIETE NOV", "RENT DEC", "LOYER JANV" and a name with its month
("HAUSVERWALTUNG KRAUSE NOVEMBER") are one key per bill, where a month word that does not move
with the dates (a shop's "MAR", a person named April) stays."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.match import MerchantMatcher, enrich
from detector.normalize import normalize_descriptors

DATES = ["2025-09-01", "2025-10-01", "2025-11-03", "2025-12-01", "2026-01-02", "2026-02-02"]


def _keys(lines, dates=DATES, account="acct"):
    frame = normalize_descriptors(pd.Series(lines), groups=pd.Series([account] * len(lines)), dates=pd.Series(dates))
    return frame["merchant_key"].tolist()


@pytest.mark.parametrize("lines, key", [
    (["MIETE SEP", "MIETE OKT", "MIETE NOV", "MIETE DEZ", "MIETE JAN", "MIETE FEB"], "miete"),
    (["RENT SEPT", "RENT OCT", "RENT NOV", "RENT DEC", "RENT JAN", "RENT FEB"], "rent"),
    (["LOYER SEPT", "LOYER OCT", "LOYER NOV", "LOYER DÉC", "LOYER JANV", "LOYER FÉVR"], "loyer"),
    (["HAUSVERWALTUNG KRAUSE SEPTEMBER", "HAUSVERWALTUNG KRAUSE OKTOBER", "HAUSVERWALTUNG KRAUSE NOVEMBER",
      "HAUSVERWALTUNG KRAUSE DEZEMBER", "HAUSVERWALTUNG KRAUSE JANUAR", "HAUSVERWALTUNG KRAUSE FEBRUAR"],
     "hausverwaltung krause"),
    (["AFFITTO SET 2025", "AFFITTO OTT 2025", "AFFITTO NOV 2025", "AFFITTO DIC 2025", "AFFITTO GEN 2026",
      "AFFITTO FEB 2026"], "affitto"),
    # next month's rent, paid before the month begins
    (["RENT OCT", "RENT NOV", "RENT DEC", "RENT JAN", "RENT FEB", "RENT MAR"], "rent"),
])
def test_a_month_that_moves_with_the_dates_is_no_part_of_the_key(lines, key):
    # known limits of the twenty-second session: an abbreviated month, or one with no bill's word
    # before it, made a key per month (twelve rents, twelve merchants, no stream)
    assert _keys(lines) == [key] * len(lines)


def test_a_month_word_that_stays_or_does_not_follow_the_dates_is_kept():
    # a shop's "MAR" is on every row, whatever the month
    assert set(_keys(["PUBLIX SUPER MAR 5813"] * 6)) == {"publix super mar"}
    # three people named for months, paid whenever: not a bill's month
    people = ["ZELLE TO APRIL SMITH", "ZELLE TO JUNE SMITH", "ZELLE TO MAY SMITH"]
    assert len(set(_keys(people, ["2025-09-01", "2025-11-20", "2026-01-14"]))) == 3
    # two months are no pattern yet (two shops' names could be)
    assert len(set(_keys(["MIETE NOV", "MIETE DEZ"], ["2025-11-03", "2025-12-01"]))) == 2
    # without dates (one descriptor at a time) the month stays, as before
    plain = normalize_descriptors(pd.Series(["MIETE NOV", "MIETE DEZ", "MIETE JAN"]),
                                  groups=pd.Series(["acct"] * 3))["merchant_key"].tolist()
    assert plain == ["miete nov", "miete dez", "miete jan"]


def test_a_bills_months_are_read_in_each_account_alone():
    # one month in each of three accounts is no account's pattern: each keeps its month, and an
    # account's keys do not depend on the accounts beside it
    lines = ["MIETE NOV", "MIETE DEZ", "MIETE JAN"]
    dates = ["2025-11-03", "2025-12-01", "2026-01-02"]
    frame = normalize_descriptors(pd.Series(lines), groups=pd.Series(["a", "b", "c"]), dates=pd.Series(dates))
    assert frame["merchant_key"].tolist() == ["miete nov", "miete dez", "miete jan"]
    both = normalize_descriptors(pd.Series(lines + lines), groups=pd.Series(["a"] * 3 + ["b", "b", "b"]),
                                 dates=pd.Series(dates + dates))
    assert both["merchant_key"].tolist() == ["miete"] * 6


def test_enrich_reads_the_dates_of_the_transactions():
    tx = pd.DataFrame({"transaction_id": [f"t{i}" for i in range(6)], "account_id": "acct", "date": DATES,
                       "amount": -950.0, "currency": "EUR",
                       "description": ["MIETE SEP", "MIETE OKT", "MIETE NOV", "MIETE DEZ", "MIETE JAN", "MIETE FEB"]})
    out = enrich(tx, MerchantMatcher().fit())
    assert out["merchant_key"].unique().tolist() == ["miete"] and out["merchant"].unique().tolist() == ["Miete"]


@pytest.mark.parametrize("tail", ["ON {d:02d} {m}", "{m} {d}", "{d:02d}-{m}-25", "{m} {d}, 2025"])
def test_a_purchase_date_on_a_card_line_is_no_bills_month(tail):
    # round-48 audit: Barclays writes the purchase date on its card lines ("CAFFE NERO 535 ON 18
    # SEP BCC"); a coffee bought on the 18th in three months had its month masked, the "ON 18"
    # stayed in the key, and each day of the month was a merchant of its own
    months = ["SEP", "OCT", "NOV", "DEC", "JAN", "FEB"]
    days = [18, 18, 18, 4, 18, 27]
    lines = [f"COFFEE HOUSE 204 {tail.format(d=d, m=m)} BCC" for d, m in zip(days, months)]
    dates = [f"{y}-{mo:02d}-{d:02d}" for (y, mo), d in zip([(2025, 9), (2025, 10), (2025, 11), (2025, 12),
                                                           (2026, 1), (2026, 2)], days)]
    assert set(_keys(lines, dates)) == {"coffee house"}
