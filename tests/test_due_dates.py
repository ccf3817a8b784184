"""Next due days of instalments in fixed months (``due_dates.fixed_month_due``)."""

from __future__ import annotations

import numpy as np

from detector.due_dates import fixed_month_due


def _days(*dates) -> np.ndarray:
    return np.array(dates, dtype="datetime64[D]").astype(np.int64)


def _iso(day: int) -> str:
    return str(np.int64(day).astype("datetime64[D]"))


def test_the_next_fixed_month_on_the_day_most_instalments_were_due():
    # 0: US estimated tax paid on business days, the 15th rolled off weekends and holidays (June
    # 2024's on Monday the 17th): June is due on the 15th a year on, not the 17th; 1: the same by a
    # payer who also paid on a Saturday (no rolls read): January 2024's day, the 16th; 2: a property tax paid a
    # few days before its deadline, a different day each time: the instalment a year before's day;
    # 3: no fixed months (-1)
    est = _days("2023-04-18", "2023-06-15", "2023-09-15", "2024-01-16", "2024-04-15", "2024-06-17",
                "2024-09-16", "2025-01-15", "2025-04-15")
    card = _days("2023-04-18", "2023-06-15", "2023-09-15", "2024-01-16", "2024-04-13", "2024-06-17", "2024-09-16")
    prop = _days("2022-12-06", "2023-04-07", "2023-12-08", "2024-04-05", "2024-12-09", "2025-04-08")
    plain = _days("2025-01-05", "2025-02-05")
    parts = [est, card, prop, plain]
    row_day = np.concatenate(parts)
    stream = np.repeat(np.arange(4), [len(p) for p in parts])
    last_idx = np.cumsum([len(p) for p in parts]) - 1
    due = fixed_month_due(row_day, stream, last_idx, np.array([4, 4, 2, 0]), np.array([True, False, True, True]),
                          np.array(["USD", "USD", None, None], dtype=object))
    assert [_iso(d) for d in due[:3]] == ["2025-06-15", "2025-01-16", "2025-12-09"] and due[3] == -1
