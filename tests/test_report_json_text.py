"""The scan's JSON report is written by report.json_indented: the text json.dumps(indent=2) gives."""

import json
import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import report
from tests._stress import examples

_scalars = (st.none() | st.booleans() | st.integers() | st.text()
            | st.floats(allow_nan=True, allow_infinity=True))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=30)


@settings(max_examples=examples(300), deadline=None)
@given(_json)
def test_json_indented_is_json_dumps_text(value):
    assert report.json_indented(value) == json.dumps(value, indent=2)


def test_json_indented_edge_values():
    for value in ([], {}, [[]], [{}], {"a": []}, ["x", 1], [1, "x"], ["é\n\"", "\u2014"], [math.nan, -math.inf],
                  {"ids": ["1", "2"], "n": 2.5, "ok": True, "none": None, "nested": {"k": [{"a": 1}]}},
                  [True, False, None], {"a": "b"}, "text", 3, 1e300):
        assert report.json_indented(value) == json.dumps(value, indent=2)


def test_json_indented_falls_back_for_other_values():
    # keys that are not text, tuples: json.dumps' own handling
    for value in ({1: "a"}, {"t": (1, 2)}, {None: 1, "x": [1.5, True]}):
        assert report.json_indented(value) == json.dumps(value, indent=2)


def test_account_currency_is_each_accounts_mode():
    """The commonest currency of an account's streams, the first in sorted order on a tie."""
    s = pd.DataFrame({"account_id": ["B", "A", "A", "A", "B", "C", "C", "D"],
                      "currency": ["USD", "GBP", "EUR", "GBP", "EUR", "USD", "JPY", None]})
    got = report._account_currency(s)
    assert got.to_dict() == {"A": "GBP", "B": "EUR", "C": "JPY"}
