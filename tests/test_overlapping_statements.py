"""One card's statements whose months overlap, in Chase's real export layouts.

``tests/data/overlap`` holds one Chase card (...9753) from January to May 2025, as the analyst
downloads it: ``Chase9753_Activity_20250331.CSV`` (January to March, dated by transaction, with
each row's Post Date), ``Chase9753_Activity_20250531.CSV`` (March to May) and
``Chase9753_Activity_20250531.QFX`` (March to May by posting date, ``ACCTID`` 520844521-9753,
names cut at 32 characters, FITIDs). The card pays Netflix, Spotify, Hulu (charged twice on 12
March: a real double charge, in every file covering March), Adobe and Amazon Prime (names longer
than 32 characters), coffees at one price three times a week, groceries and its monthly payment.

Each real transaction is known by its posting date, amount and name (the CSVs give the Post Date,
the QFX dates by it), which is what :func:`real_charges` counts the stored rows against.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from detector.cli import cli
from detector.importers import ingest_files
from detector.pipeline import scan

DATA = Path(__file__).parent / "data" / "overlap"
JAN_MAR = "Chase9753_Activity_20250331.CSV"
MAR_MAY = "Chase9753_Activity_20250531.CSV"
QFX = "Chase9753_Activity_20250531.QFX"
ACCTID = "520844521-9753"
PLANS = ("NETFLIX", "SPOTIFY", "HULU", "ADOBE", "AMAZON PRIME")
AS_OF = "2025-05-31"


@pytest.fixture
def files(tmp_path):
    """The three statements, copied where the test may rename them."""
    for name in (JAN_MAR, MAR_MAY, QFX):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _csv_charges(path: Path) -> Counter:
    out: Counter = Counter()
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            m, d, y = row["Post Date"].split("/")
            out[(f"{y}-{m}-{d}", round(float(row["Amount"]), 2), row["Description"][:32])] += 1
    return out


def _qfx_charges(path: Path) -> Counter:
    text = path.read_text(encoding="utf-8")
    return Counter((f"{d[:4]}-{d[4:6]}-{d[6:8]}", round(float(a), 2), n.strip()) for d, a, n in
                   re.findall(r"<DTPOSTED>(\d{8}).*?<TRNAMT>([-\d.]+).*?<NAME>([^\n<]*)", text, re.DOTALL))


def real_charges(*paths: Path) -> Counter:
    """The card's transactions the files hold between them: each (posting date, amount, name) as
    often as the file holding it most often has it (every file holds all of a posting day's
    charges it covers)."""
    total: Counter = Counter()
    for p in paths:
        for key, n in (_qfx_charges(p) if p.suffix.upper() == ".QFX" else _csv_charges(p)).items():
            total[key] = max(total[key], n)
    return total


def _posted(path: str) -> dict[str, str]:
    """A QFX file's FITID -> DTPOSTED (yyyy-mm-dd)."""
    text = Path(path).read_text(encoding="utf-8")
    return {f: f"{d[:4]}-{d[4:6]}-{d[6:8]}" for d, f in
            re.findall(r"<DTPOSTED>(\d{8}).*?<FITID>([^\s<]+)", text, re.DOTALL)}


def stored_charges(store) -> Counter:
    """The stored rows as (posting date, amount, name): a CSV row's posting date is its line's, a
    QFX row's its FITID's DTPOSTED (a QFX row whose charge a CSV also holds is stored with the
    CSV's earlier transaction date)."""
    out: Counter = Counter()
    lines: dict[str, list[str]] = {}
    posted: dict[str, dict[str, str]] = {}
    for path, line, amount, desc, date, tid in store.conn.execute(
            "SELECT source_file, source_line, amount, description, date, transaction_id FROM transactions"):
        if path.upper().endswith(".CSV"):
            cells = lines.setdefault(path, Path(path).read_text(encoding="utf-8").splitlines())[line - 1].split(",")
            m, d, y = cells[1].split("/")
            date = f"{y}-{m}-{d}"
        elif path.upper().endswith(".QFX"):
            date = posted.setdefault(path, _posted(path)).get(tid, date)
        out[(date, round(amount, 2), desc[:32])] += 1
    return out


def _plan(key) -> bool:
    return key[2].upper().startswith(PLANS)


def assert_each_charge_once(store, *paths, kept_twice: int = 0):
    """Every real transaction stored, each plan's charges once; ``kept_twice`` other rows (a
    coffee of the shared days' edge whose copy could not be told apart) stored twice at most."""
    real, got = real_charges(*paths), stored_charges(store)
    assert not real - got, "charges lost"
    extra = got - real
    assert not [k for k in extra if _plan(k)], f"plan charges stored twice: {extra}"
    assert sum(extra.values()) <= kept_twice, extra
    return real


def flags_of(result):
    return sorted((f["type"], f["merchant"], f["date"]) for f in result.flags.to_dict("records"))


HULU_DOUBLE = [("duplicate_charge", "Hulu", "2025-03-12")]


def test_the_same_csv_scanned_twice_adds_nothing(files, store):
    first = scan([files / JAN_MAR], store, AS_OF)
    again = scan([files / JAN_MAR], store, AS_OF)
    assert (again.ingest[0].stored, again.ingest[0].duplicates) == (0, 71)
    assert len(store.transactions()) == 71
    assert flags_of(again) == flags_of(first) == HULU_DOUBLE  # the real double charge, once
    # downloaded again, saved as "... (1).CSV": the same lines, said to be another file's
    shutil.copy(files / JAN_MAR, files / "Chase9753_Activity_20250331 (1).CSV")
    [r] = ingest_files([files / "Chase9753_Activity_20250331 (1).CSV"], store)
    assert (r.stored, r.duplicates) == (0, 71)
    assert any("71 row(s) were already stored from" in n and JAN_MAR in n for n in r.notes)


def test_two_csvs_of_one_card_overlapping_by_a_month_store_march_once(files, store):
    result = scan([files / JAN_MAR, files / MAR_MAY], store, AS_OF)
    assert [(r.stored, r.duplicates) for r in result.ingest] == [(71, 0), (47, 25)]
    real = assert_each_charge_once(store, files / JAN_MAR, files / MAR_MAY)
    assert len(store.transactions()) == sum(real.values()) == 118
    # the March lines the second file shares with the first are said to be the first's
    assert any("25 row(s) were already stored from" in n for n in result.ingest[1].notes)
    assert sorted(result.streams["merchant"]) == ["Adobe Creative Cloud", "Amazon Prime", "Hulu", "Netflix",
                                                  "Payment Thank You", "Spotify"]
    assert flags_of(result) == HULU_DOUBLE


@pytest.mark.parametrize("order", [(JAN_MAR, QFX), (QFX, JAN_MAR)])
def test_csv_and_qfx_of_the_card_overlapping_by_a_month_store_each_charge_once(files, store, order):
    # before: two accounts (the CSV's file name, the QFX's ACCTID), every plan reported twice;
    # with --account, March stored twice and each plan's March charge a "double charge"
    result = scan([files / n for n in order], store, AS_OF)
    assert {a for r in result.ingest for a in r.accounts} == {ACCTID}
    real = assert_each_charge_once(store, files / JAN_MAR, files / QFX)
    assert len(store.transactions()) == sum(real.values()) == 116
    second = result.ingest[1]
    assert second.overlapping == second.duplicates == 26 and second.stored == 45
    assert sorted(result.streams["merchant"]) == ["Adobe Creative Cloud", "Amazon Prime", "Hulu", "Netflix",
                                                  "Payment Thank You", "Spotify"]
    hulu = result.streams[result.streams["merchant"] == "Hulu"].iloc[0]
    assert len(hulu["transaction_ids"]) == 6  # January to May, March twice
    assert [f[:2] for f in flags_of(result)] == [("duplicate_charge", "Hulu")]  # the real one only
    assert not result.refund_requests or all(r["merchant"] == "Hulu" for r in result.refund_requests)


@pytest.mark.parametrize("order", [(MAR_MAY, QFX), (QFX, MAR_MAY)])
def test_csv_and_qfx_of_the_same_months_store_each_charge_once(files, store, order):
    result = scan([files / n for n in order], store, AS_OF)
    # none lost, no plan twice; one coffee of the shared days' first week may be kept twice
    # (its copy could be a coffee of February's last days: kept rather than risk losing one)
    assert_each_charge_once(store, files / MAR_MAY, files / QFX, kept_twice=1)
    assert 73 <= len(store.transactions()) <= 74
    assert result.ingest[1].overlapping >= 69
    assert len(result.streams) == 6
    assert [f[:2] for f in flags_of(result)] == [("duplicate_charge", "Hulu")]


def test_three_overlapping_statements_and_a_rerun(files, store):
    paths = [files / JAN_MAR, files / MAR_MAY, files / QFX]
    result = scan(paths, store, AS_OF)
    real = assert_each_charge_once(store, *paths)
    assert len(store.transactions()) == sum(real.values()) == 118
    assert result.ingest[2].stored == 0 and result.ingest[2].overlapping == 71  # the QFX: all already stored
    assert flags_of(result) == HULU_DOUBLE
    before = store.transactions().sort_values("transaction_id").reset_index(drop=True)
    # the nightly job runs again over the same files: nothing more, nothing less
    again = scan(paths, store, AS_OF)
    assert [r.stored for r in again.ingest] == [0, 0, 0]
    assert [r.duplicates for r in again.ingest] == [71, 72, 71]
    after = store.transactions().sort_values("transaction_id").reset_index(drop=True)
    assert after[["transaction_id", "account_id", "date", "amount"]].equals(
        before[["transaction_id", "account_id", "date", "amount"]])
    assert flags_of(again) == HULU_DOUBLE and len(again.streams) == 6


def test_a_genuine_double_charge_in_one_file_stays_two_rows_and_is_flagged(files, store):
    # the QFX alone: Hulu twice on the same day (FITIDs of their own) is a double charge
    result = scan([files / QFX], store, AS_OF)
    assert flags_of(result) == [("duplicate_charge", "Hulu", "2025-03-14")]  # dated by posting
    # the CSV of the same months beside it: still two, not four, and not one
    scan([files / MAR_MAY], store, AS_OF)
    hulu = store.transactions()
    hulu = hulu[hulu["description"].str.startswith("HULU") & hulu["date"].between("2025-03-12", "2025-03-14")]
    assert len(hulu) == 2


def test_a_qfx_after_the_csvs_joins_their_account(files, store):
    # the CSVs imported on their own (nothing tells their account but the file name), the QFX
    # a week later: its rows go to the account the CSVs made, not to a second one
    ingest_files([files / JAN_MAR], store)
    assert set(store.transactions()["account_id"]) == {"Chase9753_Activity"}
    [r] = ingest_files([files / QFX], store)
    assert r.accounts == ["Chase9753_Activity"]
    assert any("stored as 'Chase9753_Activity'" in n for n in r.notes)
    assert_each_charge_once(store, files / JAN_MAR, files / QFX)
    # and the next CSV too
    [r] = ingest_files([files / MAR_MAY], store)
    assert r.accounts == ["Chase9753_Activity"]
    assert_each_charge_once(store, files / JAN_MAR, files / MAR_MAY, files / QFX)


def test_a_csv_after_the_qfx_joins_its_account(files, store):
    ingest_files([files / QFX], store)
    [r] = ingest_files([files / JAN_MAR], store)
    assert r.accounts == [ACCTID]
    assert any(f"stored under account {ACCTID}" in n and QFX in n for n in r.notes)


def test_files_named_otherwise_are_tied_by_account(files, store, runner, tmp_path):
    # renamed files tell nothing: two accounts, unless --account names the QFX's ACCTID (the
    # ingest table's Account column), as docs/importers.md says
    (files / JAN_MAR).rename(files / "card jan-mar.csv")
    (files / QFX).rename(files / "card.qfx")
    result = scan([files / "card jan-mar.csv", files / "card.qfx"], store, AS_OF)
    assert {a for r in result.ingest for a in r.accounts} == {"card", ACCTID}  # (the period is no part of it)
    db = str(tmp_path / "acct.db")
    res = runner.invoke(cli, ["scan", str(files / "card jan-mar.csv"), str(files / "card.qfx"), "--account", ACCTID,
                              "--db", db, "--as-of", AS_OF, "--format", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert len(report["streams"]) == 6
    assert [(f["type"], f["merchant"]) for f in report["flags"]] == [("duplicate_charge", "Hulu")]
    assert "26 row(s) were recognised as charges already stored from" in res.stderr
    assert "45 row(s) found only in this file were stored" in res.stderr


def test_scan_says_how_many_rows_were_already_stored(files, runner, tmp_path):
    db = str(tmp_path / "s.db")
    res = runner.invoke(cli, ["scan", str(files / JAN_MAR), str(files / QFX), "--db", db, "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert f"stored under account {ACCTID}, the ACCTID of {QFX}" in res.stderr
    assert "26 row(s) were recognised as charges already stored from" in res.stderr
    out = runner.invoke(cli, ["ingest", str(files / MAR_MAY), "--db", db, "--output", "json"])
    assert out.exit_code == 0, out.output
    [f] = json.loads(out.stdout)["files"]
    assert f["account_id"] == ACCTID and f["stored"] == 2 and f["duplicates"] == 70
    assert f["rows_read"] == f["stored"] + f["duplicates"] + f["rejected"]
    assert any("row(s) were recognised as charges already stored from" in n for n in f["notes"])


def test_a_charge_exported_twice_keeps_its_transaction_date_whichever_file_is_read_first(files, tmp_path):
    # The CSV dates a charge by transaction, the QFX by posting (a day or two later). Read first,
    # the QFX stored its posting dates and the CSV's copies were dropped: a charge made the day
    # before a cancellation was stored the day after, and flagged (round-twenty-eight audit).
    from detector.store import Store

    got = {}
    for order in [(JAN_MAR, QFX), (QFX, JAN_MAR)]:
        st = Store(tmp_path / f"{order[0]}.db")
        result = scan([files / n for n in order], st, AS_OF)
        got[order] = Counter((d, round(a, 2)) for d, a in st.conn.execute("SELECT date, amount FROM transactions"))
        if order[0] == QFX:
            assert any("took this file's earlier date" in n for n in result.ingest[1].notes)
        st.close()
    assert got[(JAN_MAR, QFX)] == got[(QFX, JAN_MAR)]
    # Hulu's double charge, made on 12 March and posted on the 14th: twice, on the 12th
    assert got[(QFX, JAN_MAR)][("2025-03-12", -17.99)] == 2 and not got[(QFX, JAN_MAR)][("2025-03-14", -17.99)]


def test_the_csv_read_after_the_qfx_corrects_a_charge_after_cancellation(files, store):
    # Hulu charged on 12 March (twice), posted on the 14th; cancelled on the 13th. The QFX alone
    # says the 14th: flagged. The CSV of the same months, read later, shows it was made before
    # the cancellation: the next run no longer flags it (April's and May's charges stay flagged).
    from detector.decisions import record_cancellation

    scan([files / QFX], store, AS_OF)
    [account] = set(store.transactions()["account_id"])
    record_cancellation(store, account, "Hulu", "2025-03-13")
    first = scan([files / QFX], store, AS_OF)
    after = sorted(f["date"] for f in first.flags.to_dict("records") if f["type"] == "charge_after_cancellation")
    assert after[:2] == ["2025-03-14", "2025-03-14"]
    again = scan([files / MAR_MAY], store, AS_OF)
    after = sorted(f["date"] for f in again.flags.to_dict("records") if f["type"] == "charge_after_cancellation")
    assert after and all(d >= "2025-04" for d in after)


@pytest.mark.parametrize("order", [(JAN_MAR, QFX), (QFX, JAN_MAR)])
def test_one_scan_of_the_qfx_and_csv_detects_on_the_dates_it_stores_in_either_order(files, runner, tmp_path, order):
    # Round-52 audit: in ONE scan, the QFX read first, the account was new to the store and its
    # rows were detected as read (posting dates), while the store took the CSV's earlier dates.
    # Hulu, charged twice on 12 March (posted the 14th), cancelled on the 12th: a charge on the
    # cancellation day is not flagged, and the double charge is dated the 12th, in either order.
    cancellations = tmp_path / "cancel.csv"
    cancellations.write_text(f"account_id,merchant,cancelled_on\n{ACCTID},Hulu,2025-03-12\n")
    db = str(tmp_path / "one.db")
    res = runner.invoke(cli, ["scan", *[str(files / n) for n in order], "--db", db, "--as-of", AS_OF,
                              "--cancellations", str(cancellations), "--format", "json"])
    assert res.exit_code == 0, res.output
    flags = sorted((f["type"], f["merchant"], f["date"]) for f in json.loads(res.stdout)["flags"])
    hulu = [f for f in flags if f[1] == "Hulu"]
    assert ("duplicate_charge", "Hulu", "2025-03-12") in hulu
    assert not [f for f in hulu if f[0] == "charge_after_cancellation" and f[2] < "2025-04-01"], hulu
    assert [f for f in hulu if f[0] == "charge_after_cancellation"], hulu  # April's and May's still are
    # the next detection, reading the store, says the same
    again = runner.invoke(cli, ["detect", "--db", db, "--as-of", AS_OF, "--format", "json"])
    assert again.exit_code == 0, again.output
    assert sorted((f["type"], f["merchant"], f["date"]) for f in json.loads(again.stdout)["flags"]) == flags


@pytest.mark.parametrize("first", ["csv", "qfx"])
def test_the_same_charges_in_an_account_of_another_name_are_said(files, runner, tmp_path, first):
    # Round-52 audit: the card's QFX saved under another name is an account of its own (files
    # named otherwise are not tied), its charges of the months the CSV covers stored twice and
    # the double charge flagged in each, without a word. Now the file read second names the
    # account holding its charges, how many, and the --account that makes them one.
    (files / JAN_MAR).rename(files / "card.csv")
    (files / QFX).rename(files / "statement.qfx")
    order = ["card.csv", "statement.qfx"] if first == "csv" else ["statement.qfx", "card.csv"]
    res = runner.invoke(cli, ["scan", *[str(files / n) for n in order], "--db", str(tmp_path / "u.db"),
                              "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stderr.split())
    if first == "csv":
        assert f"row(s) of this file are charges account 'card' already holds (most of them from {files / 'card.csv'})" \
            in said
        assert f"scan {files / 'card.csv'} with --account '{ACCTID}'" in said
    else:
        assert f"row(s) of this file are charges account '{ACCTID}' already holds" in said
        assert f"scan this file with --account '{ACCTID}'" in said
    n = int(re.search(r"(\d+) row\(s\) of this file are charges account", said).group(1))
    assert 20 <= n <= 26  # March's charges, which both files hold (26 recognised when tied, above)


def test_two_cards_paying_the_same_plans_are_not_said_to_hold_the_same_charges(files, runner, tmp_path):
    # the other card of the household: the same plans on the same days, other spending
    qfx = (files / QFX).read_text(encoding="utf-8")
    other = re.sub(r"<TRNAMT>-(\d+)\.(\d\d)\s*<FITID>([^\s<]+)\s*<NAME>(WHOLEFDS|STARBUCKS)",
                   lambda m: f"<TRNAMT>-{int(m.group(1)) + 1}.{m.group(2)}<FITID>{m.group(3)}x<NAME>{m.group(4)}",
                   qfx.replace(ACCTID, "520844521-1111"))
    (files / "other.qfx").write_text(other, encoding="utf-8")
    res = runner.invoke(cli, ["scan", str(files / JAN_MAR), str(files / "other.qfx"), "--db", str(tmp_path / "o.db"),
                              "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert "already holds" not in res.stderr
