"""`subdetect refunds ...` end to end on a real SQLite file."""

from __future__ import annotations

import json

import pytest
from _refund_helpers import add_tx, flag, flags_df

from detector.cli import cli
from detector.refunds import queue_refunds
from detector.store import Store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    store = Store(path)
    store.set_account("acc1", payment_method="credit_card", country="US")
    add_tx(store, "t1", "2025-11-20", 119.0, "PROBACKOFFICE*RENEWAL")
    add_tx(store, "t2", "2025-10-01", 49.5, "PRO360 CONTACT FEE")
    queue_refunds(store, flags_df(flag("t1", "2025-11-20", 119.0, vendor="PRO Back Office",
                                       description="PROBACKOFFICE*RENEWAL")), "2025-11-26")
    store.close()
    return str(path)


def _run(runner, db, *args):
    return runner.invoke(cli, ["refunds", *args, "--db", db])


def _only_id(runner, db):
    return json.loads(_run(runner, db, "list", "--format", "json").output)[0]["request_id"]


def test_list_table_and_json(runner, db):
    table = _run(runner, db, "list")
    assert table.exit_code == 0 and "PRO Back Office" in table.output and "Candidate" in table.output
    rows = json.loads(_run(runner, db, "list", "--format", "json", "--status", "candidate").output)
    assert len(rows) == 1 and rows[0]["expected_by"] == "2025-12-08"
    assert json.loads(_run(runner, db, "list", "--format", "json", "--status", "Pending").output) == []


def test_show_json_is_the_request_object(runner, db):
    rid = _only_id(runner, db)
    req = json.loads(_run(runner, db, "show", rid, "--format", "json").output)
    for key in ("request_id", "transaction_id", "account_id", "vendor", "channel", "payment_method", "amount",
                "reason", "eligible", "eligibility_reason", "deadline", "steps", "documents", "email",
                "expected_by", "status", "history"):
        assert key in req
    assert req["email"]["subject"].startswith("Refund Request – PRO Back Office")


def test_show_table_reads_well(runner, db):
    out = _run(runner, db, "show", _only_id(runner, db)).output
    assert "Expected by: 2025-12-08" in out
    assert "1. Visit the PRO Back Office website." in out
    assert "[ ] Order Confirmation Email: [YOU PROVIDE — fill in]" in out


def test_draft_prints_subject_blank_line_body(runner, db):
    result = _run(runner, db, "draft", _only_id(runner, db))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Subject: Refund Request – PRO Back Office Account [YOUR ACCOUNT EMAIL — fill in]"
    assert lines[1] == ""
    assert lines[2] == "Dear PRO Back Office Team,"
    assert "$119.00" in result.output and "[Amount]" not in result.output
    as_json = json.loads(_run(runner, db, "draft", _only_id(runner, db), "--format", "json").output)
    assert set(as_json) == {"subject", "body"}


def test_mark_moves_and_refuses(runner, db):
    rid = _only_id(runner, db)
    refused = _run(runner, db, "mark", rid, "Refunded")
    assert refused.exit_code == 5
    assert "cannot move a refund request from Candidate to Refunded; allowed from Candidate: Pending, Canceled" in refused.output
    filed = _run(runner, db, "mark", rid, "Pending", "--on", "2025-11-26", "--format", "json")
    assert filed.exit_code == 0 and json.loads(filed.output)["filed_on"] == "2025-11-26"
    assert _run(runner, db, "mark", rid, "processing").exit_code == 0
    no_amount = _run(runner, db, "mark", rid, "Partially Refunded")
    assert no_amount.exit_code == 5 and "needs the refunded amount" in no_amount.output
    partial = _run(runner, db, "mark", rid, "Partially Refunded", "--amount", "60", "--format", "json")
    assert json.loads(partial.output)["refunded_amount"] == 60.0
    assert _run(runner, db, "mark", rid, "Completed").exit_code == 0
    final = _run(runner, db, "mark", rid, "Canceled")
    assert final.exit_code == 5 and "none (it is final)" in final.output
    history = json.loads(_run(runner, db, "show", rid, "--format", "json").output)["history"]
    assert [h["status"] for h in history] == ["Candidate", "Pending", "Processing", "Partially Refunded", "Completed"]


def test_a_canceled_request_expects_nothing(runner, db):
    # round-nineteen audit: a request the user canceled still showed when its refund was expected
    rid = _only_id(runner, db)
    assert json.loads(_run(runner, db, "show", rid, "--format", "json").output)["expected_by"]
    canceled = json.loads(_run(runner, db, "mark", rid, "Canceled", "--format", "json").output)
    assert canceled["status"] == "Canceled" and canceled["expected_by"] is None
    assert "Expected by: —" in _run(runner, db, "show", rid).output


def test_open_files_at_once(runner, db):
    result = _run(runner, db, "open", "t2", "--reason", "the customer's phone number was wrong",
                  "--as-of", "2025-10-31", "--format", "json")
    assert result.exit_code == 0, result.output
    req = json.loads(result.output)
    assert (req["vendor"], req["status"], req["deadline"], req["eligible"]) == ("PRO360", "Pending", "2025-10-31", True)
    late = _run(runner, db, "open", "t1", "--reason", "renewed", "--as-of", "2025-11-26")
    assert late.exit_code == 0 and "[Pending]" in late.output


def test_open_unknown_transaction_exits_4(runner, db):
    result = _run(runner, db, "open", "nope", "--reason", "x")
    assert result.exit_code == 4 and "no stored transaction 'nope'" in result.output


def test_show_unknown_request_exits_4(runner, db):
    assert _run(runner, db, "show", "nope").exit_code == 4


def test_refused_filings_exit_5(runner, db):
    rid = _only_id(runner, db)
    early = _run(runner, db, "mark", rid, "Pending", "--on", "2025-11-01")
    assert early.exit_code == 5 and "cannot be filed before its charge" in early.output
    assert _run(runner, db, "mark", rid, "Pending", "--on", "2025-11-26").exit_code == 0
    backwards = _run(runner, db, "mark", rid, "Processing", "--on", "2025-11-25")
    assert backwards.exit_code == 5 and "cannot be dated before the one it follows" in backwards.output
    twice = _run(runner, db, "open", "t1", "--reason", "renewed", "--as-of", "2025-11-27")
    assert twice.exit_code == 5 and f"already open as {rid} (Pending)" in twice.output
    before = _run(runner, db, "open", "t2", "--reason", "wrong number", "--as-of", "2025-09-30")
    assert before.exit_code == 5 and "the charge was made on 2025-10-01" in before.output
    # PRO360's fee is charged when the pro gets the lead: a job date after it is a typo (audit15)
    typo = _run(runner, db, "open", "t2", "--reason", "wrong number", "--as-of", "2025-11-05",
                "--job-date", "2026-10-20")
    assert typo.exit_code == 5 and "cannot take job date 2026-10-20" in typo.output
    assert _run(runner, db, "open", "t2", "--reason", "wrong number", "--as-of", "2025-10-25",
                "--job-date", "2025-09-28").exit_code == 0


def test_show_says_when_the_payment_method_was_assumed(runner, tmp_path):
    # sixteenth audit: a generic CSV's account; the timeline assumed a credit card without a word
    path = str(tmp_path / "generic.db")
    store = Store(path)
    store.set_account("acc1", source="generic", country="US")
    add_tx(store, "t1", "2025-11-20", 119.0, "PROBACKOFFICE*RENEWAL")
    queue_refunds(store, flags_df(flag("t1", "2025-11-20", 119.0, vendor="PRO Back Office",
                                       description="PROBACKOFFICE*RENEWAL")), "2025-11-26")
    store.close()
    out = _run(runner, path, "show", _only_id(runner, path)).output
    assert "Expected by: 2025-12-08" in out
    assert "Payment method unknown" in out and "--payment-method" in out
    known = _run(runner, _known_db(tmp_path), "show", _only_id(runner, _known_db(tmp_path))).output
    assert "Payment method unknown" not in known


def _known_db(tmp_path):
    path = tmp_path / "known.db"
    if not path.exists():
        store = Store(path)
        store.set_account("acc1", payment_method="credit_card", country="US")
        add_tx(store, "t1", "2025-11-20", 119.0, "PROBACKOFFICE*RENEWAL")
        queue_refunds(store, flags_df(flag("t1", "2025-11-20", 119.0, vendor="PRO Back Office")), "2025-11-26")
        store.close()
    return str(path)


def _double_hulu(tmp_path, *, ofx: bool):
    """Hulu billed monthly with February billed twice: a Chase card CSV (Chase writes no
    transaction id) or an OFX download (every line has the bank's FITID)."""
    days = ["2024-11-21", "2024-12-21", "2025-01-21", "2025-02-20", "2025-02-21", "2025-03-21", "2025-04-21"]
    if not ofx:
        path = tmp_path / "Chase4821_Activity20250630.CSV"
        path.write_text("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n" + "".join(
            f"{d[5:7]}/{d[8:]}/{d[:4]},{d[5:7]}/{d[8:]}/{d[:4]},HULU 877-8244858 CA,Entertainment,Sale,-17.99,\n"
            for d in days))
        return path
    path = tmp_path / "card.qfx"
    path.write_text(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1"
        "<STATUS><CODE>0<SEVERITY>INFO</STATUS><CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>4111222233334821"
        "</CCACCTFROM><BANKTRANLIST><DTSTART>20241101<DTEND>20250630\n" + "".join(
            f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{d.replace('-', '')}<TRNAMT>-17.99<FITID>2025FIT{i:04d}"
            f"<NAME>HULU 877-8244858 CA</STMTTRN>\n" for i, d in enumerate(days))
        + "</BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>\n")
    return path


@pytest.mark.parametrize("ofx", [False, True])
def test_the_email_quotes_a_transaction_reference_only_when_the_bank_gave_one(runner, tmp_path, ofx):
    # round-twenty-four audit: for a Chase export (no transaction id) the email to Hulu said
    # "(transaction reference 8b3449e61beb3422)" and the checklist "bank transaction 8b34...":
    # subdetect's own hash of the line, which Hulu can find nowhere. The statement's date, amount
    # and descriptor identify the charge; an OFX FITID is the bank's own and is quoted.
    db = str(tmp_path / "r.db")
    res = runner.invoke(cli, ["scan", str(_double_hulu(tmp_path, ofx=ofx)), "--db", db, "--as-of", "2025-06-30"])
    assert res.exit_code == 0, res.output
    (req,) = json.loads(_run(runner, db, "list", "--format", "json").output)
    shown = json.loads(_run(runner, db, "show", req["request_id"], "--format", "json").output)
    body = _run(runner, db, "draft", req["request_id"]).output
    line = shown["documents"][0]["value"]
    assert 'on 2025-02-21 that appears on my bank statement as "HULU 877-8244858 CA"' in body
    assert line.startswith('2025-02-21 · $17.99 · "HULU 877-8244858 CA"')
    if ofx:
        assert req["transaction_id"] == "2025FIT0004"
        assert "(transaction reference 2025FIT0004)" in body and line.endswith("· bank transaction 2025FIT0004")
    else:
        assert "reference" not in body and req["transaction_id"] not in body
        assert "bank transaction" not in line and req["transaction_id"] not in json.dumps(shown["documents"])


def test_the_emails_state_what_the_flags_found(runner, tmp_path):
    # round-thirty-three audit: the emails for a charge after a cancellation and for a double
    # charge said only "I was charged after I had cancelled the subscription" and "I was charged
    # twice for the same subscription period"; the flags' reasons name the cancellation date and
    # the charge repeated, which the vendor needs to check the claim. End to end, from a scan.
    lines = ["date,description,amount"]
    lines += [f"{d},HULU 877-8244858 CA,-17.99" for d in
              ("2024-11-21", "2024-12-21", "2025-01-21", "2025-02-20", "2025-02-21", "2025-03-21", "2025-04-21")]
    lines += [f"{y}-{m:02d}-05,NETFLIX.COM 866-579-7172 CA,-15.49" for y, m in
              [(2024, m) for m in range(7, 13)] + [(2025, m) for m in range(1, 6)]]
    lines += [f"2024-{m:02d}-15,SPOTIFY USA,-11.99" for m in range(1, 11)] + ["2025-05-15,SPOTIFY USA,-11.99"]
    statement, cancels, db = tmp_path / "card.csv", tmp_path / "cancelled.csv", str(tmp_path / "e.db")
    statement.write_text("\n".join(lines) + "\n")
    cancels.write_text("account_id,merchant,cancelled_on\ncard,Netflix,2025-04-20\ncard,Spotify,2024-10-20\n")
    res = runner.invoke(cli, ["scan", str(statement), "--db", db, "--account", "card", "--cancellations",
                              str(cancels), "--as-of", "2025-06-30"])
    assert res.exit_code == 0, res.output
    drafts = {r["merchant"]: _run(runner, db, "draft", r["request_id"]).output
              for r in json.loads(_run(runner, db, "list", "--format", "json").output)}
    assert "I was charged twice for the same subscription period; I had already been charged $17.99 on " \
           "2025-02-20" in drafts["Hulu"]
    assert "I was charged after I had cancelled the subscription; I cancelled it on 2025-04-20" in drafts["Netflix"]
    assert "I cancelled it on 2024-10-20 [ONLY IF TRUE: and I have not signed up again since — keep or delete]" \
        in drafts["Spotify"]


def test_list_table_names_each_amounts_currency(runner, tmp_path):
    # round-thirty-nine audit: a queue of dollar and euro requests listed "139.0", "2.5" and "1.0"
    path = tmp_path / "two.db"
    store = Store(path)
    store.set_account("card", payment_method="credit_card", country="US", currency="USD")
    store.set_account("eur", payment_method="debit_card", country="DE", currency="EUR")
    add_tx(store, "t1", "2025-07-15", 139.0, "AMAZON PRIME*RENEWAL", account="card")
    add_tx(store, "t2", "2025-07-05", 11.99, "SPOTIFY P2A4F1C3E2", account="eur", currency="EUR")
    queue_refunds(store, flags_df(flag("t1", "2025-07-15", 139.0, vendor="Amazon Prime", account="card"),
                                  flag("t2", "2025-07-05", 11.99, vendor="Spotify", account="eur",
                                       type="duplicate_charge")), "2025-07-20")
    store.close()
    out = _run(runner, str(path), "list").output
    assert "139.00 USD" in out and "11.99 EUR" in out and "139.0 " not in out


def test_list_says_eligibility_in_the_reports_words(runner, tmp_path):
    # round-51 audit: `refunds list` printed True/False where the report prints yes/no/unknown
    path = tmp_path / "words.db"
    store = Store(path)
    store.set_account("card", payment_method="credit_card", country="US", currency="USD")
    add_tx(store, "t1", "2025-07-15", 139.0, "AMAZON PRIME*RENEWAL", account="card")
    add_tx(store, "t2", "2025-07-05", 11.99, "SPOTIFY P2A4F1C3E2", account="card")
    add_tx(store, "t3", "2025-03-05", 49.5, "PRO360 CONTACT FEE", account="card")
    queue_refunds(store, flags_df(flag("t1", "2025-07-15", 139.0, vendor="Amazon Prime", account="card"),
                                  flag("t2", "2025-07-05", 11.99, vendor="Spotify", account="card",
                                       type="duplicate_charge"),
                                  flag("t3", "2025-03-05", 49.5, vendor="PRO360", account="card",
                                       type="duplicate_charge")), "2025-07-20")
    store.close()
    words = {True: "yes", False: "no", None: "unknown"}
    requests = json.loads(_run(runner, str(path), "list", "--format", "json").output)
    assert {r["eligible"] for r in requests} == {True, False, None}
    table = _run(runner, str(path), "list").output
    assert "True" not in table and "False" not in table
    for r in requests:
        row = next(line for line in table.splitlines() if r["request_id"] in line)
        assert words[r["eligible"]] in [c.strip() for c in row.split("│")], (r["eligible"], row)


@pytest.fixture
def far_from_utc():
    """The process's local time zone set to one whose calendar day is not UTC's right now (UTC+14
    from 10:00 UTC, UTC-12 before 12:00 UTC), restored afterwards."""
    import os
    import time
    from datetime import datetime, timezone

    zone = "Etc/GMT-14" if datetime.now(timezone.utc).hour >= 10 else "Etc/GMT+12"  # POSIX signs are inverted
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield zone
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_mark_without_on_files_on_the_local_day_like_open(runner, tmp_path, far_from_utc):
    # `refunds open` and `scan` date "today" by the local calendar; `refunds mark` without --on took
    # UTC's day: east of UTC a charge made today was "filed before the charge" (exit 5), west of it
    # the request was filed tomorrow
    from datetime import date, datetime, timezone

    today = date.today()
    assert today != datetime.now(timezone.utc).date()  # the fixture's zone is another day than UTC
    path = tmp_path / "tz.db"
    store = Store(path)
    store.set_account("acc1", payment_method="credit_card", country="US")
    add_tx(store, "t1", today.isoformat(), 119.0, "PROBACKOFFICE*RENEWAL")
    queue_refunds(store, flags_df(flag("t1", today.isoformat(), 119.0, vendor="PRO Back Office",
                                       description="PROBACKOFFICE*RENEWAL")), today.isoformat())
    store.close()
    rid = _only_id(runner, str(path))
    filed = _run(runner, str(path), "mark", rid, "Pending", "--format", "json")
    assert filed.exit_code == 0, filed.output
    assert json.loads(filed.output)["filed_on"] in {today.isoformat(), date.today().isoformat()}
    history = json.loads(_run(runner, str(path), "show", rid, "--format", "json").output)["history"]
    assert history[-1]["at"] == json.loads(filed.output)["filed_on"]
