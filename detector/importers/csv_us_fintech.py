"""US card, bank and wallet exports with a layout of their own (round-forty audit).

Apple Card, Venmo, Cash App, Charles Schwab Bank checking, USAA and PayPal's activity download,
their headers as public parsers of these exports read them (beancount and hledger rules, YNAB
converters, Apple Card and Venmo parsers). Before these layouts each file needed ``--columns``, and
the suggested mapping read an Apple Card backwards (purchases are written positive), stored PayPal's
authorisations and holds as charges, and read no Cash App or Venmo date at all.

Wallets move the holder's own money as well as paying merchants: a PayPal payment funded from a
card is a "General Card Deposit" into PayPal and the payment out of it; Cash App's "Deposits" come
from the holder's bank; Venmo's "Standard Transfer" goes back to it. Those rows are written
``Own transfer: ...`` (:data:`~.csv_layout.OWN_TRANSFER_LABEL`), which the stream detector never
makes a plan of; the card's charge that funded a PayPal payment pairs with the deposit
(:mod:`detector.transfers`), so a plan paid through PayPal is counted once.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from .base import head_of, read_text
from .csv_layout import OWN_TRANSFER_LABEL, CsvLayout

ISO = ("%Y-%m-%d", "%Y/%m/%d")


class AppleCard(CsvLayout):
    """Apple Card (Goldman Sachs) export from Wallet: purchases positive, payments negative.

    ``Transaction Date,Clearing Date,Description,Merchant,Category,Type,Amount (USD),Purchased By``
    (Type Purchase, Payment, Credit, ...). Read with ``amount=Amount (USD)`` as the suggestion said,
    every plan was money in and the card's payments a 1,294.26 a month "plan" (round-forty
    audit). A Payment row pays the card from the holder's own account: an own transfer.
    """

    name = "apple_card"
    title = "Apple Card"
    date = "Transaction Date"
    description = "Description"
    description_fallback = "Merchant"
    amount = "Amount (USD)"
    kind = "Type"
    own_transfer_kinds = ("payment",)
    own_transfer_label = OWN_TRANSFER_LABEL
    also_required = ("Clearing Date", "Merchant", "Purchased By")
    sign = -1
    currency = "USD"
    payment_method = "credit_card"
    country = "US"


class Venmo(CsvLayout):
    """Venmo statement CSV: two preamble lines, a header whose first column has no name, a
    beginning-balance line, the transactions, an ending-balance line with a disclaimer.

    ``,ID,Datetime,Type,Status,Note,From,To,Amount (total),Amount (tip),Amount (tax),Amount (fee),
    Tax Rate,Tax Exempt,Funding Source,Destination,Beginning Balance,Ending Balance,...``; amounts
    ``- $62.50`` / ``+ $6.00``, dates ``2025-01-02T18:43:08``. The counterparty is To for a payment
    out and From for one in (the other way round for a Charge, which is From the one asking); a
    Standard Transfer to the bank is the holder's own money. The balance lines are skipped, not
    rejected.
    """

    name = "venmo"
    title = "Venmo statement"
    date = "Datetime"
    description = "To"
    description_in = "From"
    description_fallback = "Note"
    amount = "Amount (total)"
    kind = "Type"
    swapped_kinds = ("charge",)
    own_transfer_kinds = ("standard transfer", "instant transfer", "transfer")
    own_transfer_label = OWN_TRANSFER_LABEL
    status = "Status"
    accepted_status = ("COMPLETE", "ISSUED")
    transaction_id = "ID"
    balance_columns = ("Beginning Balance", "Ending Balance")
    also_required = ("ID", "From", "Funding Source", "Destination")
    date_formats = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
    currency = "USD"
    payment_method = None
    country = "US"


class CashApp(CsvLayout):
    """Cash App ``cash_app_report_<ms>.csv``.

    ``Transaction ID,Date,Transaction Type,Currency,Amount,Fee,Net Amount,Asset Type,Asset Price,
    Asset Amount,Status,Notes,Name of sender/receiver,Account``; dates ``2025-11-29 15:54:58 EST``
    (EDT in summer), amounts ``-$20``. A card purchase names its merchant in Notes and nobody in
    Name of sender/receiver, a payment to a person the other way round: the name, else the notes.
    "Deposits" (money added from the holder's bank) and "Cash Out" are the holder's own money.
    Status says what became of each row in words that vary (``CARD CHARGED``, ``PAYMENT SENT``,
    ``DEPOSITED``): a row whose state says it was canceled, failed, declined or is pending is
    rejected with its line, as is a payment out since refunded; a refund coming in is read.
    """

    name = "cash_app"
    title = "Cash App"
    date = "Date"
    description = "Name of sender/receiver"
    description_fallback = "Notes"
    amount = "Amount"
    fee = "Fee"
    currency_column = "Currency"
    transaction_id = "Transaction ID"
    kind = "Transaction Type"
    own_transfer_kinds = ("deposits", "deposit", "cash out", "transfer")
    own_transfer_label = OWN_TRANSFER_LABEL
    #: (CARD CHARGED, CARD REFUNDED, PAYMENT SENT, PAYMENT RECEIVED, DEPOSITED, ... are read; a
    #: canceled, failed, declined or pending one, and a payment out since refunded, are rejected)
    status = "Status"
    status_words = True
    also_required = ("Transaction Type", "Net Amount", "Asset Type", "Status", "Notes")
    date_formats = ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
    currency = "USD"
    payment_method = "debit_card"
    country = "US"


class SchwabChecking(CsvLayout):
    """Charles Schwab Bank checking: ``Date,Status,Type,CheckNumber,Description,Withdrawal,Deposit,
    RunningBalance``; unsigned dollar amounts in Withdrawal or Deposit; Pending rows rejected until
    posted."""

    name = "schwab_checking"
    title = "Charles Schwab Bank checking"
    date = "Date"
    description = "Description"
    amount = None
    debit = "Withdrawal"
    credit = "Deposit"
    status = "Status"
    accepted_status = ("POSTED",)
    also_required = ("Status", "Type", "CheckNumber", "RunningBalance")
    currency = "USD"
    payment_method = "debit_card"
    country = "US"


class Usaa(CsvLayout):
    """USAA bank export: ``Date,Description,Original Description,Category,Amount,Status``.

    Description is USAA's cleaned name ("Transfer" for "TRANSFER TO SAVINGS"), Original
    Description the bank's descriptor, which is read (the cleaned name when it is empty). Pending
    rows are rejected until posted: a charge pending in one export posts a day later in the next,
    and stored from both it was a duplicate charge with a refund request (round-forty audit).
    """

    name = "usaa"
    title = "USAA"
    date = "Date"
    description = "Original Description"
    description_fallback = "Description"
    amount = "Amount"
    status = "Status"
    accepted_status = ("POSTED",)
    also_required = ("Description", "Category", "Status")
    date_formats = ISO
    currency = "USD"
    payment_method = "debit_card"
    country = "US"


class PayPal(CsvLayout):
    """PayPal activity download (``Download.CSV``): one row per movement of the PayPal balance.

    ``"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",...,"Transaction
    ID",...,"Reference Txn ID",...,"Balance Impact"``. Read: Completed rows only (a Pending
    authorisation is rejected as not completed), Gross as the amount, Name as the merchant (the
    Type when no one is named). A row whose Balance Impact is ``Memo`` (an authorisation, an account
    hold and its reversal) moved no money and is rejected, saying so; each such order was stored as
    two charges and a credit before (round-forty audit). Money moved from the holder's card or bank
    into PayPal ("General Card Deposit", "Bank Deposit to PP Account"), back out ("General
    Withdrawal") and between its currencies ("General Currency Conversion") is the holder's own
    money: an own transfer, so a plan paid in euros is not a second plan in its dollar leg.
    """

    name = "paypal"
    title = "PayPal activity download"
    date = "Date"
    description = "Name"
    description_fallback = "Type"
    amount = "Gross"
    currency_column = "Currency"
    transaction_id = "Transaction ID"
    status = "Status"
    accepted_status = ("COMPLETED",)
    no_money_column = "Balance Impact"
    no_money_values = ("memo",)
    kind = "Type"
    own_transfer_kinds = ("general card deposit", "bank deposit to pp account", "general withdrawal - bank account",
                          "general withdrawal", "user initiated withdrawal", "general currency conversion")
    own_transfer_label = OWN_TRANSFER_LABEL
    also_required = ("Time", "TimeZone", "Type", "Status", "Net", "Transaction ID")
    #: (a download from a day-first country writes 31/01/2025: the whole file's dates tell)
    date_formats = ("%m/%d/%Y",)
    currency = "USD"
    payment_method = None
    country = None

    def default_account(self, path):
        """``paypal-<address>``: the e-mail address on most rows' From or To (the holder's), so
        every download of one PayPal account is one account whatever its file name
        (``Download.CSV`` each time)."""
        lines = io.StringIO(head_of(read_text(path)), newline="").readlines()
        found = self._find_header(lines)
        if found is None:
            return None
        at, delim, _ = found
        rows = list(csv.reader(lines[at:], delimiter=delim))
        header = [c.replace("\ufeff", "").strip().lower() for c in rows[0]]
        where = [header.index(c) for c in ("from email address", "to email address") if c in header]
        seen = Counter(r[i].strip().lower() for r in rows[1:] for i in where if i < len(r) and "@" in r[i])
        return f"paypal-{seen.most_common(1)[0][0]}" if seen else "paypal"


#: The layouts of this module, in the order shown to users.
US_FINTECH_LAYOUTS: list[type[CsvLayout]] = [AppleCard, Venmo, CashApp, SchwabChecking, Usaa, PayPal]
