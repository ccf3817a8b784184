"""Cash App rows that never completed are rejected with their line (round-forty audit, twenty-third session).

Cash App's Status column says what became of each row in words of its own: ``CARD CHARGED``,
``CARD REFUNDED``, ``PAYMENT SENT``, ``PAYMENT RECEIVED``, ``DEPOSITED`` (public converters of its
``cash_app_report_*.csv``), and the app's states Pending, Completed, Failed, Canceled, Refunded
(Cash App's help pages). The layout read every row whatever its Status: a canceled or declined
card payment was a charge (a "duplicate charge" beside the real one, with a refund request), a
payment still waiting on its recipient was stored before it went through. Now such rows are
rejected with their line and why, as USAA's Pending rows are; a refund coming in stays a refund.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from detector.cli import cli
from detector.importers import read_statement
from tests.test_importers_us_fintech import DATA

REPORT = DATA / "cash_app_report_1764600000000.csv"

#: Rows added to the audit's export: (Status, Transaction Type, amount, Notes, Name of sender/receiver).
ADDED = [
    ("PAYMENT CANCELED", "Cash Card Debit", "-$17.99", "NETFLIX.COM 866-579-7172 CA", ""),
    ("CARD DECLINED", "Cash Card Debit", "-$11.99", "SPOTIFY USA 877-7781161 NY", ""),
    ("FAILED", "Sent P2P", "-$62.50", "wifi + power", "Sam Patel"),
    ("CANCELLED", "Sent P2P", "-$40", "tickets", "Ana Reyes"),
    ("PENDING", "Cash Card Debit", "-$6.65", "STARBUCKS STORE 05412 COLUMBUS OH", ""),
    ("WAITING ON RECIPIENT", "Sent P2P", "-$25", "lunch", "Ana Reyes"),
    ("PAYMENT REFUNDED", "Sent P2P", "-$30", "concert", "Ana Reyes"),
    ("CARD REFUNDED", "Cash Card Debit", "$21.93", "GRUBHUB", ""),
    ("PAYMENT RECEIVED", "Received P2P", "$15", "pizza", "Ana Reyes"),
]


def _report(tmp_path):
    """The audit's export with :data:`ADDED` below its header, dated in November 2025."""
    lines = REPORT.read_text().splitlines()
    added = [f'"t{i:05d}","2025-11-14 12:0{i}:00 EST","{kind}","USD","{amount}","$0","{amount}","","","","{status}",'
             f'"{notes}","{name}","Visa Debit 0987"' for i, (status, kind, amount, notes, name) in enumerate(ADDED)]
    path = tmp_path / REPORT.name
    path.write_text("\n".join([lines[0], *added, *lines[1:]]) + "\n")
    return path


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_states_that_are_no_completed_transaction_are_rejected_with_their_line(tmp_path, engine):
    st = read_statement(_report(tmp_path), engine=engine)
    assert len(st.transactions) == 535 + 2  # the audit's rows, the refund and the payment received
    assert [(r["source_line"], r["reason"]) for r in st.rejected] == [
        (2, "state PAYMENT CANCELED: not a transaction (the payment was canceled, no money moved)"),
        (3, "state CARD DECLINED: not a transaction (the payment was declined, no money moved)"),
        (4, "state FAILED: not a transaction (the payment failed, no money moved)"),
        (5, "state CANCELLED: not a transaction (the payment was cancelled, no money moved)"),
        (6, "state PENDING: not a completed transaction (re-import once it completes)"),
        (7, "state WAITING ON RECIPIENT: not a completed transaction (re-import once it completes)"),
        (8, "state PAYMENT REFUNDED: not a charge (the payment was refunded: its money came back; a refund row "
            "of its own is read as money in)"),
    ]
    kept = st.transactions[st.transactions["source_line"].isin([9, 10])]
    assert list(zip(kept["description"], kept["amount"], strict=True)) == [("GRUBHUB", 21.93), ("Ana Reyes", 15.0)]


def test_a_canceled_card_payment_beside_the_charge_is_no_duplicate_charge(runner, tmp_path):
    def flags(path, db):
        result = runner.invoke(cli, ["scan", str(path), "--db", str(db), "--as-of", "2025-12-01", "--format", "json"])
        assert result.exit_code == 0, result.output
        return Counter(f["type"] for f in json.loads(result.stdout)["flags"]), result.stderr

    plain, _ = flags(REPORT, tmp_path / "a.db")
    with_canceled, err = flags(_report(tmp_path), tmp_path / "b.db")
    assert with_canceled == plain  # before: one duplicate_charge more, Netflix's canceled payment
    assert f"{REPORT.name}:2: state PAYMENT CANCELED: not a transaction" in err
