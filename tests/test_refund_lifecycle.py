"""Every status move, allowed and refused, on stored requests."""

from __future__ import annotations

import itertools

import pytest
from _refund_helpers import add_tx, flag, flags_df

from detector.errors import InvalidTransition
from detector.lifecycle import TRANSITIONS, check_transition, parse_status
from detector.refunds import get_request, mark, queue_refunds
from detector.schema import REFUND_STATUSES

ALLOWED = {
    ("Candidate", "Pending"), ("Candidate", "Canceled"),
    ("Pending", "Processing"), ("Pending", "Canceled"),
    ("Processing", "Refunded"), ("Processing", "Partially Refunded"), ("Processing", "Canceled"),
    ("Refunded", "Completed"), ("Partially Refunded", "Completed"),
}
#: The shortest path from Candidate to each status.
PATH = {
    "Candidate": [], "Pending": ["Pending"], "Processing": ["Pending", "Processing"],
    "Refunded": ["Pending", "Processing", "Refunded"],
    "Partially Refunded": ["Pending", "Processing", "Partially Refunded"],
    "Completed": ["Pending", "Processing", "Refunded", "Completed"], "Canceled": ["Canceled"],
}


def _request_in(store, status):
    add_tx(store, "t1", "2025-06-01", 40.0, "OTTRACK SUBSCRIPTION")
    req = queue_refunds(store, flags_df(flag("t1", "2025-06-01", 40.0, vendor="OT Track")), "2025-06-02")[0]
    for step in PATH[status]:
        mark(store, req["request_id"], step, on="2025-06-03", amount=10.0 if step == "Partially Refunded" else None)
    assert get_request(store, req["request_id"])["status"] == status
    return req["request_id"]


def test_the_table_is_the_documented_lifecycle():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize("current, new", list(itertools.product(REFUND_STATUSES, REFUND_STATUSES)))
def test_every_move(store, current, new):
    rid = _request_in(store, current)
    before = get_request(store, rid)
    amount = 10.0 if new == "Partially Refunded" else None
    if (current, new) in ALLOWED:
        after = mark(store, rid, new, amount=amount, on="2025-06-04", note="by test")
        assert after["status"] == new
        last = after["history"][-1]
        assert (last["status"], last["from"], last["at"], last["note"], last["amount"]) == (
            new, current, "2025-06-04", "by test", amount)
        assert len(after["history"]) == len(before["history"]) + 1
    else:
        with pytest.raises(InvalidTransition) as err:
            mark(store, rid, new, amount=amount, on="2025-06-04")
        assert f"from {current} to {new}" in str(err.value)
        allowed = TRANSITIONS[current]
        assert (", ".join(allowed) if allowed else "none (it is final)") in str(err.value)
        assert get_request(store, rid) == before


def test_partial_refund_needs_an_amount_between_zero_and_the_original(store):
    rid = _request_in(store, "Processing")
    for bad in (None, 0, -1, 40.0, 55.0):
        with pytest.raises(InvalidTransition):
            mark(store, rid, "Partially Refunded", amount=bad)
    done = mark(store, rid, "partially refunded", amount=12.5, on="2025-06-10")
    assert (done["status"], done["refunded_amount"]) == ("Partially Refunded", 12.5)
    assert done["history"][-1]["amount"] == 12.5


def test_refunded_records_the_whole_amount_and_refuses_another(store):
    rid = _request_in(store, "Processing")
    with pytest.raises(InvalidTransition, match="only recorded with Partially Refunded"):
        mark(store, rid, "Refunded", amount=12.0)
    assert mark(store, rid, "Refunded")["refunded_amount"] == 40.0


def test_status_names_are_forgiving_but_unknown_ones_are_refused():
    assert parse_status("partially-refunded") == "Partially Refunded"
    assert parse_status("CANCELLED") == "Canceled"
    with pytest.raises(InvalidTransition, match="unknown status 'Approved'"):
        parse_status("Approved")


def test_check_transition_without_a_store():
    check_transition("Processing", "Partially Refunded", amount=1.0, original=2.0)
    with pytest.raises(InvalidTransition, match="allowed from Completed: none"):
        check_transition("Completed", "Canceled")


def test_a_status_cannot_be_dated_before_the_one_it_follows(store):
    # audit13 status-dates-backwards: filed on 26 Nov, "processed" on 20 Nov
    rid = _request_in(store, "Pending")  # filed on 2025-06-03
    before = get_request(store, rid)
    with pytest.raises(InvalidTransition, match=r"dated 2025-06-03.*cannot be dated before"):
        mark(store, rid, "Processing", on="2025-06-02")
    assert get_request(store, rid) == before
    assert mark(store, rid, "Processing", on="2025-06-03")["status"] == "Processing"  # the same day is fine
    with pytest.raises(InvalidTransition, match="cannot be dated before"):
        mark(store, rid, "Refunded", on="2025-05-31")


def test_the_queueing_date_does_not_bind_the_filing_date(store):
    # the scan queues as of its --as-of; the user may have filed earlier, after the charge
    add_tx(store, "t1", "2025-06-01", 40.0, "OTTRACK SUBSCRIPTION")
    req = queue_refunds(store, flags_df(flag("t1", "2025-06-01", 40.0, vendor="OT Track")), "2025-06-20")[0]
    assert mark(store, req["request_id"], "Pending", on="2025-06-05")["filed_on"] == "2025-06-05"
