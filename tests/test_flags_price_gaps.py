"""Price rises the flags missed where the stream detector's streams leave gaps (issue #4, the
twenty-seventh session's error analysis on the dev seeds): a bill skipped at the step, and a
charge between two levels moved by jitter."""

from __future__ import annotations

import pandas as pd

from detector.flags import flag_charges
from tests.flagkit import Book

AS_OF = "2025-12-31"


def rises(book: Book, as_of: str = AS_OF) -> pd.DataFrame:
    out = flag_charges(book.tx, book.stream_frame, as_of=as_of)
    return out[out["type"] == "price_increase"]


def test_a_bill_skipped_at_the_step_still_chains_the_two_streams():
    # 9.99 until June, nothing in July, 12.99 from 11 August: 62 days between the streams
    b = Book()
    old = b.series("2025-01-10", 6, 9.99, merchant="Disney")
    new = b.series("2025-08-11", 5, 12.99, merchant="Disney")
    b.stream(old)
    b.stream(new)
    assert list(rises(b)["transaction_id"]) == [new[0]]


def test_a_first_charge_at_the_new_price_then_a_skipped_bill_still_follows_the_old_stream():
    # 8.99 until 19 September; 11.99 on 2 October, none in November, then monthly from December:
    # the 2 October charge is two periods from the rest of its stream, but it is where the old
    # stream's next bill was due
    b = Book()
    old = b.series("2024-12-19", 10, 8.99, merchant="AdvancePay")
    first = b.charge("2025-10-02", 11.99, "AdvancePay")
    rest = b.series("2025-12-07", 1, 11.99, merchant="AdvancePay") + b.series("2026-01-04", 4, 11.99, merchant="AdvancePay")
    b.stream(old)
    b.stream([first] + rest)
    assert list(rises(b, as_of="2026-04-30")["transaction_id"]) == [first]


def test_one_charge_moved_by_jitter_between_two_prices_does_not_hide_the_rise():
    # an insurer's premium a little off each month (rounding of fees): 142.59 ... 140.00, then
    # 145.92 (4.2% up, past a level's tolerance), then 191.14 and on at the new premium
    b = Book()
    ids = b.series("2024-10-16", 9, [142.59, 142.98, 142.56, 143.17, 142.08, 142.61, 141.63, 140.00, 145.92],
                   merchant="Progressive")
    new = b.series("2025-07-16", 5, [191.14, 189.47, 190.35, 187.68, 187.15], merchant="Progressive")
    b.stream(ids + new)
    f = rises(b)
    assert list(f["transaction_id"]) == [new[0]]
