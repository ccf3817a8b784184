"""Decisions over a person's months: a plan cancelled, taken up again and cancelled again; a
cancelled plan that stopped; a sign-up after a lapse; names of a vendor (round-twenty-eight audit)."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta

import pandas as pd

from detector.cli import cli
from detector.decisions import apply_decisions, load_decisions, record_cancellation, resolve_cancellations
from detector.flags import flag_charges
from detector.store import dumps
from tests.flagkit import Book

ACCOUNT = "Chase4821_Activity"


def _months(start: date, end: date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _day(y: int, m: int, d: int) -> date:
    return date(y, m, min(d, calendar.monthrange(y, m)[1]))


def _write_csv(path, plan_charges: list[tuple[date, str, float]], start: date, end: date) -> None:
    """A Chase card export: ``plan_charges`` beside other plans and groceries, ``start`` to ``end``."""
    rows = list(plan_charges)
    for y, m in _months(start, end):
        rows += [(_day(y, m, 15), "NETFLIX.COM", 15.49), (_day(y, m, 3), "Spotify USA", 11.99)]
        rows += [(_day(y, m, k), "WHOLE FOODS MKT #10234", 40 + (y * 7 + m * 13 + k) % 90 + 0.37) for k in (4, 11, 26)]
    rows = sorted((r for r in rows if start <= r[0] <= end), reverse=True)
    lines = ["Transaction Date,Post Date,Description,Category,Type,Amount,Memo"]
    lines += [f"{t:%m/%d/%Y},{t + timedelta(days=1):%m/%d/%Y},{d},Shopping,Sale,{-a:.2f}," for t, d, a in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _monthly(name: str, amount: float, first: date, last: date, day: int = 20) -> list:
    return [(_day(y, m, day), name, amount) for y, m in _months(first, last) if first <= _day(y, m, day) <= last]


def _json(runner, args):
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_a_plan_cancelled_taken_up_again_and_cancelled_again_keeps_both_cancellations(runner, tmp_path):
    # Hulu cancelled on 2025-03-25, billed once more on 04-20 (a charge after cancellation),
    # signed up to again in October and cancelled again on 2026-03-01. The second cancellation
    # replaced the first: the April charge's flag and refund request went.
    db = str(tmp_path / "d.db")
    hulu = _monthly("HULU 877-8244858 CA", 17.99, date(2024, 1, 1), date(2025, 4, 30)) + \
        _monthly("HULU 877-8244858 CA", 17.99, date(2025, 10, 1), date(2026, 2, 28))
    card = tmp_path / "Chase4821_Activity20260430.CSV"
    _write_csv(card, hulu, date(2024, 1, 1), date(2026, 4, 30))
    assert runner.invoke(cli, ["scan", str(card), "--db", db, "--as-of", "2026-04-30"]).exit_code == 0
    first = runner.invoke(cli, ["cancel", "--db", db, "--account", ACCOUNT, "--merchant", "Hulu", "--on", "2025-03-25"])
    assert first.exit_code == 0 and "recorded;" in first.stdout
    second = runner.invoke(cli, ["cancel", "--db", db, "--account", ACCOUNT, "--merchant", "Hulu",
                                 "--on", "2026-03-01"])
    assert second.exit_code == 0
    # it says it is another cancellation, the first staying
    assert "another cancellation" in second.stdout and "2025-03-25" in second.stdout, second.stdout
    assert "taken up again on 2025-10-20" in second.stdout
    listed = _json(runner, ["decisions", "list", "--db", db, "--format", "json"])
    assert sorted(d["cancelled_on"] for d in listed) == ["2025-03-25", "2026-03-01"]
    assert len({d["decision_id"] for d in listed}) == 2
    # recording either again changes nothing
    again = runner.invoke(cli, ["cancel", "--db", db, "--account", ACCOUNT, "--merchant", "Hulu", "--on", "2026-03-01"])
    assert "already recorded" in again.stdout
    assert len(_json(runner, ["decisions", "list", "--db", db, "--format", "json"])) == 2
    doc = _json(runner, ["detect", "--db", db, "--as-of", "2026-04-30", "--format", "json"])
    after = [(f["date"], f["severity"]) for f in doc["flags"]
             if f["merchant"] == "Hulu" and f["type"] == "charge_after_cancellation"]
    # the charge after the first cancellation stays; the sign-up the second one confirms is no question
    assert after == [("2025-04-20", "high")]
    assert [(r["charge_date"], r["status"]) for r in doc["refund_requests"] if r["vendor"] == "Hulu"] == \
        [("2025-04-20", "Candidate")]
    assert {s["status"] for s in doc["streams"] if s["merchant"] == "Hulu"} == {"cancelled"}


def test_a_date_corrected_without_the_plan_taken_up_again_replaces_it_and_says_so(runner, tmp_path):
    db = str(tmp_path / "d.db")
    card = tmp_path / "Chase4821_Activity20250630.CSV"
    _write_csv(card, _monthly("HULU 877-8244858 CA", 17.99, date(2024, 1, 1), date(2025, 6, 30)),
               date(2024, 1, 1), date(2025, 6, 30))
    assert runner.invoke(cli, ["scan", str(card), "--db", db, "--as-of", "2025-06-30"]).exit_code == 0
    runner.invoke(cli, ["cancel", "--db", db, "--account", ACCOUNT, "--merchant", "Hulu", "--on", "2025-03-25"])
    res = runner.invoke(cli, ["cancel", "--db", db, "--account", ACCOUNT, "--merchant", "Hulu", "--on", "2025-05-25"])
    assert "replacing the cancellation dated 2025-03-25" in res.stdout, res.stdout
    listed = _json(runner, ["decisions", "list", "--db", db, "--format", "json"])
    assert [d["cancelled_on"] for d in listed] == ["2025-05-25"]


def test_a_cancellations_file_with_two_cancellations_of_one_plan_keeps_both(runner, tmp_path):
    db = str(tmp_path / "d.db")
    hulu = _monthly("HULU 877-8244858 CA", 17.99, date(2024, 1, 1), date(2025, 4, 30)) + \
        _monthly("HULU 877-8244858 CA", 17.99, date(2025, 10, 1), date(2026, 2, 28))
    card = tmp_path / "Chase4821_Activity20260430.CSV"
    _write_csv(card, hulu, date(2024, 1, 1), date(2026, 4, 30))
    assert runner.invoke(cli, ["scan", str(card), "--db", db, "--as-of", "2026-04-30"]).exit_code == 0
    path = tmp_path / "cancelled.csv"  # the later one first: the file's order does not matter
    path.write_text(f"account_id,merchant,cancelled_on\n{ACCOUNT},Hulu,2026-03-01\n{ACCOUNT},Hulu,2025-03-25\n")
    res = runner.invoke(cli, ["cancel", "--db", db, "--cancellations", str(path)])
    assert res.exit_code == 0 and "another cancellation" in res.stdout, res.stdout
    listed = _json(runner, ["decisions", "list", "--db", db, "--format", "json"])
    assert sorted(d["cancelled_on"] for d in listed) == ["2025-03-25", "2026-03-01"]
    # the same file given to the first scan of a new database (no stream stored to judge by)
    fresh = str(tmp_path / "fresh.db")
    doc = _json(runner, ["scan", str(card), "--db", fresh, "--as-of", "2026-04-30", "--cancellations", str(path),
                         "--format", "json"])
    listed = _json(runner, ["decisions", "list", "--db", fresh, "--format", "json"])
    assert sorted(d["cancelled_on"] for d in listed) == ["2025-03-25", "2026-03-01"]
    after = [(f["date"], f["severity"]) for f in doc["flags"]
             if f["merchant"] == "Hulu" and f["type"] == "charge_after_cancellation"]
    assert after == [("2025-04-20", "high")]


def test_each_cancellation_of_a_plan_governs_the_charges_of_its_own_period():
    # cancelled 2024-03-25 (one late bill), taken up again in October, cancelled 2025-03-01 and
    # billed once more: each late bill is flagged against its own cancellation, high
    b = Book()
    ids = b.series("2023-06-20", 10, 13.99, merchant="Hulu")  # to 2024-03-20
    late1 = b.charge("2024-04-20", 13.99, "Hulu")
    back = b.series("2024-10-20", 5, 13.99, merchant="Hulu")  # to 2025-02-20
    late2 = b.charge("2025-03-20", 13.99, "Hulu")
    b.stream(ids + [late1] + back + [late2])
    decisions = pd.DataFrame({"account_id": ["acct1"] * 2, "merchant": ["Hulu"] * 2,
                              "cancelled_on": ["2024-03-25", "2025-03-01"]})
    resolved = resolve_cancellations(decisions, b.stream_frame, b.tx)
    assert sorted(resolved["cancelled_on"]) == ["2024-03-25", "2025-03-01"]
    flags = flag_charges(b.tx, b.stream_frame, cancellations=resolved, as_of="2025-06-30")
    after = flags[flags["type"] == "charge_after_cancellation"].set_index("transaction_id")
    assert after["severity"].to_dict() == {late1: "high", late2: "high"}
    assert "you cancelled it on 2025-03-01" in after.at[late2, "reason"]


def _gym_book():
    b = Book()
    gym = b.stream(b.series("2024-01-17", 18, 24.99, merchant="Planet Fitness"))  # to 2025-06-17
    b.streams[-1]["next_date"] = "2025-07-17"
    for d in pd.date_range("2025-07-01", "2025-12-28", freq="7D"):
        b.charge(d.strftime("%Y-%m-%d"), 55.10, "Whole Foods")
    return b, gym


def test_a_cancelled_plan_that_stopped_after_billing_on_has_no_next_charge():
    # cancelled 2025-05-01, billed 05-17 and 06-17 anyway, then stopped: its next charge
    # (07-17) never came, and it stayed the "next charge" for months
    b, gym = _gym_book()
    decisions = pd.DataFrame({"account_id": ["acct1"], "merchant": ["Planet Fitness"], "on_date": ["2025-05-01"],
                              "kind": "cancel", "target_id": None})
    streams, _ = apply_decisions(b.stream_frame, None, decisions, b.tx, as_of="2025-12-31")
    s = streams.set_index("stream_id")
    assert s.at[gym, "status"] == "cancelled"
    assert pd.isna(s.at[gym, "next_date"]) and pd.isna(s.at[gym, "next_amount"])
    # while the data does not reach past its due date (and a few days' grace), it is still due
    early = b.tx[b.tx["date"] <= "2025-07-18"]
    streams, _ = apply_decisions(b.stream_frame, None, decisions, early, as_of="2025-07-18")
    assert streams.set_index("stream_id").at[gym, "next_date"] == "2025-07-17"


def test_a_sign_up_after_a_cancellation_and_a_lapse_is_no_price_increase():
    # 13.99 cancelled 2025-03-25, one last bill in April, nothing for five months, signed up to
    # again at 15.99: "up 14% from 13.99" and, once the sign-up was confirmed, a refund email
    # claiming a renewal at a higher price
    b = Book()
    ids = b.series("2024-01-20", 16, 13.99, merchant="Disney+") + b.series("2025-10-20", 3, 15.99, merchant="Disney+")
    b.stream(ids)
    decisions = pd.DataFrame({"account_id": ["acct1"], "merchant": ["Disney+"], "cancelled_on": ["2025-03-25"]})
    resolved = resolve_cancellations(decisions, b.stream_frame, b.tx)
    flags = flag_charges(b.tx, b.stream_frame, cancellations=resolved, as_of="2025-12-31")
    comeback = ids[16]
    assert not len(flags[(flags["type"] == "price_increase") & (flags["transaction_id"] == comeback)])
    mine = flags[flags["transaction_id"] == comeback]
    assert mine[["type", "severity"]].values.tolist() == [["charge_after_cancellation", "medium"]]


def test_a_vendors_name_written_out_is_a_plain_match_of_its_plan(store):
    # "Disney Plus" for the only Disney+ plan was "may be ... kept only if that plan stopped
    # billing", while the scan then took it in full (the stored streams' channel was not read)
    b = Book()
    b.stream(b.series("2024-07-20", 9, 13.99, merchant="Disney+"))
    b.stream(b.series("2024-07-15", 9, 15.49, merchant="Netflix"))
    rows = b.stream_frame.assign(transaction_ids=b.stream_frame["transaction_ids"].map(dumps)).to_dict("records")
    store.db["streams"].upsert_all(rows, pk="stream_id", alter=True)
    c = record_cancellation(store, "acct1", "Disney Plus", "2025-03-25")
    assert not c.weak and c.matched_merchant == "Disney+"
    assert load_decisions(store)["target_id"].tolist() == [b.streams[0]["stream_id"]]
