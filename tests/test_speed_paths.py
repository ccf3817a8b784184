"""Paths added for speed give what the plain path gives (issue #7: each faster path beside the one
it replaces is checked against it on realistic inputs; speed itself is measured, never tested)."""

from __future__ import annotations

import math

from detector.refund_builder import gift_errors, is_gift_error


def _request(flag_type, merchant, vendor, description, user_reason=None):
    return {"flag_type": flag_type, "merchant": merchant, "vendor": vendor, "description": description,
            "user_reason": user_reason}


def test_gift_errors_of_many_requests_are_is_gift_error_of_each():
    requests = [
        # a catalogue charity, under its name and under a line that does not say so
        _request("duplicate_charge", "American Red Cross", "American Red Cross", "AMERICAN RED CROSS 800-733-2767"),
        _request("charge_after_cancellation", "British Heart Foundation", "British Heart Foundation", "BHF DD"),
        # a charity the catalogue does not know: its name, or only its line, says it is a gift
        _request("duplicate_charge", "Riverside Animal Shelter Donation", None, "RIVERSIDE SHELTER 4471"),
        _request("duplicate_charge", "Riverside Animal Shelter", None, "RIVERSIDE SHELTER DONATION 4471"),
        _request("charge_after_cancellation", "Kinderhilfe", None, "SEPA LASTSCHRIFT SPENDE KINDERHILFE"),
        _request("charge_after_cancellation", "Stichting Hulp", math.nan, "DONATIE STICHTING HULP"),
        # a catalogue vendor that is no charity, whatever its line says
        _request("duplicate_charge", "Netflix", "Netflix", "NETFLIX.COM DONATE"),
        # not a gift's flag type, or the user's own reason: never a gift taken in error
        _request("annual_renewal", "Charity Navigator", None, "CHARITY NAVIGATOR ANNUAL"),
        _request("price_increase", "Donation Box", None, "DONATION BOX"),
        _request("duplicate_charge", "Donation Box", None, "DONATION BOX", user_reason="I meant to give twice"),
        # missing fields
        _request("duplicate_charge", None, None, None),
        _request("duplicate_charge", "Spotify", "Spotify", ""),
        _request("charge_after_cancellation", "Unicef", "UNICEF", "UNICEF MONTHLY GIFT"),
    ]
    assert gift_errors(requests) == [is_gift_error(r, r["flag_type"]) for r in requests]
    assert any(gift_errors(requests)) and not all(gift_errors(requests))
    assert gift_errors([]) == []
