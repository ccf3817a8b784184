"""Why a flagged charge asks nothing back, counted for the report's line under the flags (round 51)."""

from __future__ import annotations

from _refund_helpers import add_tx, flag, flags_df

from detector.refunds import NOT_ASKED, list_requests, queue_refunds, unasked_counts

AS_OF = "2025-07-20"


def test_each_flag_without_a_request_is_counted_once_with_its_reason(store):
    add_tx(store, "t1", "2025-07-05", 11.99, "SPOTIFY P2A4F1C3E2")  # a double charge: asked back
    add_tx(store, "t2", "2025-07-10", 24.99, "GYM CLUB DUES")  # after a cancellation, and a renewal
    add_tx(store, "t3", "2023-03-10", 119.0, "ADOBE *CREATIVE CLOUD")  # a renewal two years old
    add_tx(store, "t4", "2025-07-01", 9.99, "HULU 877-8244858 CA")  # given back by the merchant
    given_back = flag("t4", "2025-07-01", 9.99, type="duplicate_charge", vendor="Hulu")
    given_back["refunded_on"] = "2025-07-03"
    flags = flags_df(flag("t1", "2025-07-05", 11.99, type="duplicate_charge", vendor="Spotify"),
                     flag("t2", "2025-07-10", 24.99, type="charge_after_cancellation", vendor="Gym Club"),
                     flag("t2", "2025-07-10", 24.99, type="annual_renewal", vendor="Gym Club"),
                     flag("t3", "2023-03-10", 119.0, type="annual_renewal", vendor="Adobe"),
                     given_back)
    queue_refunds(store, flags, AS_OF)
    requests = list_requests(store)
    assert sorted(r["transaction_id"] for r in requests) == ["t1", "t2"]
    counts = unasked_counts(store, flags, requests, AS_OF)
    assert counts == {"another_flag": 1, "term_over": 1, "given_back": 1}
    assert list(counts) == [k for k in NOT_ASKED if k in counts]  # in NOT_ASKED's order
    assert sum(counts.values()) == len(flags) - len(requests)
    assert unasked_counts(store, flags.iloc[:0], requests, AS_OF) == {}
