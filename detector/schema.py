"""Canonical record shapes shared by every stage.

All stages pass pandas DataFrames with these columns. Money out is a *negative* ``amount`` in
transactions; streams, flags and refund requests report positive amounts and say the way money
went in ``direction``.
"""

from __future__ import annotations

import pandas as pd

from .errors import DetectorError

#: Canonical transaction, one row per bank line, whatever the source.
TRANSACTION_COLUMNS: dict[str, str] = {
    "transaction_id": "source's own id (OFX FITID, Plaid id, CSV column) or a stable hash (see id_from_bank)",
    "account_id": "account the row belongs to",
    "date": "posting date, ISO yyyy-mm-dd",
    "amount": "signed amount, negative = money out",
    "currency": "ISO 4217 code",
    "description": "raw descriptor exactly as the bank wrote it",
    "source": "importer name (chase_card, ofx, plaid, ...)",
    "source_file": "file the row came from (empty for Plaid)",
    "source_line": "1-based line number in that file (0 for Plaid)",
    "id_from_bank": "1 when transaction_id is the bank's own id for the line as its export gave it (OFX FITID; "
                    "a CSV's id or reference column: Monzo's Transaction ID, Amex's Reference), a reference "
                    "the bank can find; 0 when subdetect made it (a hash of the line) or an aggregator did "
                    "(Plaid's id, on no statement). Refund emails quote a reference only when it is 1",
    "original_amount": "signed amount as the merchant billed it, before the bank converted it to the account's "
                       "currency, where the statement gives it and its currency differs (Monzo's Local amount, "
                       "Wise's Exchange To Amount, Amex's Foreign Spend Amount, an OFX ORIGCURRENCY); null otherwise",
    "original_currency": "ISO 4217 code of original_amount, or null",
}

#: Transaction columns a source may leave out: a frame without them (Plaid, an engine's input
#: file, a database written before they were kept) holds nulls there.
OPTIONAL_TRANSACTION_COLUMNS = ("original_amount", "original_currency")

#: Whether a row is a bank's authorisation not posted yet (Plaid's ``pending``). Not one of the
#: statement columns (statements and exports carry no pending rows): the store keeps it beside
#: them, and canonical frames carry it into detection, false where a source has none (a CSV, an
#: OFX file, Parquet without it). The duplicate-charge rule reads it (``duplicate_flags.held``).
PENDING_COLUMN = "pending"
#: On the rows of accounts the user linked (:mod:`detector.links`), while detection reads a group
#: of them as one account under its name: each row's own account, which its streams and flags get back.
LINKED_COLUMN = "own_account"

#: Columns the merchant stage adds to transactions.
ENRICHED_COLUMNS: dict[str, str] = {
    "merchant": "readable merchant name (catalogue name when matched)",
    "merchant_key": "stable normalised key used for grouping",
    "vendor": "catalogue vendor name, or null",
    "channel": "billing channel: direct, apple, google_play, amazon, paypal, roku, ...",
    "match_score": "rapidfuzz score of the catalogue match (0-100), null when unmatched",
}

STREAM_COLUMNS: dict[str, str] = {
    "stream_id": "stable id: hash of account, merchant key, direction and amount cluster",
    "account_id": "",
    "merchant": "",
    "vendor": "catalogue vendor or null",
    "channel": "",
    "direction": "outflow | inflow",
    "frequency": "weekly | biweekly | semimonthly | monthly | bimonthly | quarterly | semiannual | annual",
    "average_amount": "positive",
    "last_amount": "positive",
    "first_date": "ISO date",
    "last_date": "ISO date",
    "next_date": "predicted ISO date (for an ended stream, the charge that did not come); null for a cancelled one that stopped billing",
    "next_amount": "predicted, positive; null for a cancelled stream that stopped billing",
    "last_year_total": "what the charges of the year to the last one came to, for a bill whose amount moves every "
                       "cycle (gas, power, water) billed quarterly or more often, seen for a year or more, or "
                       "for a tax paid two to four times a year (its last year's instalments): its monthly "
                       "cost is a twelfth of it; null for the others",
    "status": "early | active | ended | cancelled",
    "confidence": "0..1",
    "transaction_ids": "list of transaction ids, date order",
    "evidence": "short human explanation",
    "currency": "ISO 4217 code of the stream's charges (its account's currency), or null when unknown",
    "charges_per_year": "charges a year of a stream that pauses at the same time each year (UK council tax: 10 "
                        "monthly instalments, none in February and March) or that is a tax paid in fixed "
                        "months (US estimated income tax: 4), which its monthly cost counts; null "
                        "for the others, which charge as often as their frequency says",
}

#: In order of period. Code indexes arrays by a frequency's position (``cadence.PERIODS``,
#: ``TOLERANCE``, ``MONTH_STEP``) and compares positions up to "monthly" (weekly 0 ... monthly 3),
#: so a new frequency longer than a month goes after "monthly", never before it.
FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly", "bimonthly", "quarterly", "semiannual", "annual")
#: Nominal period in days of each frequency.
PERIOD_DAYS = {
    "weekly": 7,
    "biweekly": 14,
    "semimonthly": 15.2,
    "monthly": 30.44,
    "bimonthly": 60.88,  # every two months (many US municipal water/sewer utilities, pest control)
    "quarterly": 91.3,
    "semiannual": 182.6,
    "annual": 365.25,
}
STREAM_STATUSES = ("early", "active", "ended", "cancelled")

FLAG_TYPES = (
    "annual_renewal",
    "trial_conversion",
    "price_increase",
    "duplicate_charge",
    "charge_after_cancellation",
)
FLAG_COLUMNS: dict[str, str] = {
    "flag_id": "stable id: hash of type and transaction id",
    "type": "one of FLAG_TYPES",
    "transaction_id": "",
    "account_id": "",
    "merchant": "",
    "stream_id": "",
    "date": "ISO date of the flagged charge",
    "amount": "positive",
    "severity": "low | medium | high",
    "reason": "a sentence with the evidence",
    "vendor": "catalogue vendor of the stream, or null (refund process lookup)",
    "channel": "billing channel of the charge (refund steps depend on it)",
    "description": "raw descriptor of the flagged charge (refund documents)",
    "refunded_on": "ISO date of the merchant's later credit of the charge's amount, or null: "
                   "already given back, so no refund request is queued",
}

REFUND_STATUSES = (
    "Candidate",
    "Pending",
    "Processing",
    "Refunded",
    "Partially Refunded",
    "Completed",
    "Canceled",
)
PAYMENT_METHODS = (
    "credit_card",
    "debit_card",
    "paypal",
    "bank_transfer",
    "wire_transfer",
    "apple_pay",
    "google_pay",
)
REFUND_REQUEST_FIELDS = (
    "request_id", "transaction_id", "account_id", "vendor", "channel", "payment_method", "amount",
    "reason", "eligible", "eligibility_reason", "deadline", "steps", "documents", "email",
    "expected_by", "status", "history",
)


class SchemaError(DetectorError):
    """A DataFrame handed between stages lacks required columns."""


def empty_transactions() -> pd.DataFrame:
    """An empty canonical transaction frame with the right dtypes."""
    return pd.DataFrame(
        {
            "transaction_id": pd.Series(dtype="object"),
            "account_id": pd.Series(dtype="object"),
            "date": pd.Series(dtype="object"),
            "amount": pd.Series(dtype="float64"),
            "currency": pd.Series(dtype="object"),
            "description": pd.Series(dtype="object"),
            "source": pd.Series(dtype="object"),
            "source_file": pd.Series(dtype="object"),
            "source_line": pd.Series(dtype="int64"),
            "id_from_bank": pd.Series(dtype="int64"),
            "original_amount": pd.Series(dtype="float64"),
            "original_currency": pd.Series(dtype="object"),
        }
    )


def require_columns(df: pd.DataFrame, columns, stage: str) -> None:
    """Raise :class:`SchemaError` naming the stage and the missing columns."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(f"{stage}: missing column(s) {', '.join(missing)}")
