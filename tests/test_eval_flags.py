"""The flag evaluation's second reading of annual_renewal."""

from __future__ import annotations

from pipelines.eval_flags import first_charge_never_renewal


def test_first_charge_never_renewal_drops_only_renewal_labels_on_first_charges():
    truth = {
        "streams": [{"account_id": "a", "merchant": "Prime", "frequency": "annual", "transaction_ids": ["t1", "t2"]},
                    {"account_id": "a", "merchant": "Hulu", "frequency": "monthly", "transaction_ids": ["t3", "t4", "t5"]}],
        "flags": [{"type": "annual_renewal", "transaction_id": "t1"}, {"type": "annual_renewal", "transaction_id": "t2"},
                  {"type": "trial_conversion", "transaction_id": "t3"}, {"type": "duplicate_charge", "transaction_id": "t5"}],
    }
    other = first_charge_never_renewal(truth)
    assert [(f["type"], f["transaction_id"]) for f in other["flags"]] == [
        ("annual_renewal", "t2"), ("trial_conversion", "t3"), ("duplicate_charge", "t5")]
    assert len(truth["flags"]) == 4 and other["streams"] == truth["streams"]
