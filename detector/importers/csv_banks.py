"""Bank CSV layouts, one short declaration each.

Each class names the columns of the bank's export (header names as the bank writes them), its
date format, decimal mark and sign convention; :class:`~.csv_layout.CsvLayout` does the reading.
Layouts were taken from the banks' exports as used by open-source importers (beangulp/beancount
importers, ofxstatement plugins, Firefly III and Actual import configurations). Canonical amounts
are negative for money out whatever the bank writes.

Adding a bank: declare a class here, add it to :data:`LAYOUTS`, add a sample under
``data/samples/`` and its golden file (see ``docs/importers.md``).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import re
from collections.abc import Iterable
from datetime import date
from typing import ClassVar

from ..errors import AmbiguousFormat
from . import date_order
from .base import Importer, _numbered_join, direction_column, head_of, read_text
from .csv_layout import CsvLayout, read_either_order, swap_day_month
from .parsing import INFLOW_MARKERS, OUTFLOW_MARKERS, is_date, normalise_header, parse_amount, parse_date

ISO = ("%Y-%m-%d", "%Y/%m/%d")


class GenericCsv(CsvLayout):
    """``[account_id,][transaction_id,]date,description,amount[,currency]``; negative = money out."""

    name = "generic"
    title = "Generic CSV (date, description, amount)"
    date = "date"
    description = "description"
    amount = "amount"
    transaction_id = "transaction_id"
    account_column = "account_id"
    currency_column = "currency"
    date_formats = ISO
    currency = "USD"
    payment_method = None
    _allowed: ClassVar[frozenset[str]] = frozenset({"account_id", "transaction_id", "date", "description", "amount", "currency"})

    def parse_record(self, cells, index, line):
        try:
            return super().parse_record(cells, index, line)
        except ValueError as exc:
            if str(exc).startswith("not a date"):
                raise ValueError(f"{exc} (generic CSV dates are yyyy-mm-dd; for others name the format, "
                                 f"e.g. --columns date=date,description=description,amount=amount,"
                                 f"date_format=%m/%d/%Y)") from exc
            raise

    def resolve(self, header):
        # Only a header made entirely of the canonical names: bank layouts also have a "Date" and an
        # "Amount" column, and their sign conventions differ.
        if not self.forced and not {normalise_header(c) for c in header} <= self._allowed:
            return None
        return super().resolve(header)


class ChaseCard(CsvLayout):
    """Chase credit card: purchases negative, payments positive."""

    name = "chase_card"
    title = "Chase credit card"
    date = "Transaction Date"
    description = "Description"
    amount = "Amount"
    also_required = ("Post Date", "Category", "Type")
    payment_method = "credit_card"
    country = "US"


class ChaseChecking(CsvLayout):
    """Chase checking/savings: signed amounts, Details is DEBIT/CREDIT/CHECK."""

    name = "chase_checking"
    title = "Chase checking"
    date = "Posting Date"
    description = "Description"
    amount = "Amount"
    also_required = ("Details", "Type", "Balance")
    payment_method = "debit_card"
    country = "US"


class BofaChecking(CsvLayout):
    """Bank of America checking: a summary block, a blank line, then the table; signed amounts."""

    name = "bofa_checking"
    title = "Bank of America checking"
    date = "Date"
    description = "Description"
    amount = "Amount"
    also_required = ("Running Bal.",)
    balance_lines = ("beginning balance", "ending balance")
    payment_method = "debit_card"
    country = "US"


class BofaCard(CsvLayout):
    """Bank of America credit card: purchases negative; Reference Number is the bank's id."""

    name = "bofa_card"
    title = "Bank of America credit card"
    date = "Posted Date"
    description = "Payee"
    amount = "Amount"
    transaction_id = "Reference Number"
    also_required = ("Address",)
    payment_method = "credit_card"
    country = "US"


class WellsFargo(CsvLayout):
    """Wells Fargo: no header row; ``"date","amount","*","","description"``; signed amounts.

    Comma-separated as downloaded; tab-separated when Excel saved it again as "Text (Tab delimited)".
    """

    name = "wells_fargo"
    title = "Wells Fargo (no header row)"
    has_header = False
    positions: ClassVar[dict[str, int]] = {"date": 0, "amount": 1, "description": 4}
    record_width = 5
    payment_method = "debit_card"
    country = "US"

    def _is_headerless_record(self, cells):
        # comma-separated as downloaded, or tab-separated as Excel saves it again (sixteenth audit),
        # its dates then maybe day-first (a UK machine's regional format: the whole file's dates
        # settle the order, CsvLayout.with_date_order)
        if len(cells) != 5 or cells[2].strip() != "*":
            return False
        if not self._date_either_order(cells[0]):
            return False
        try:
            parse_amount(cells[1])
        except ValueError:
            return False
        return True

    def _required(self):
        return ["date", "amount", "description"]


class CapitalOne(CsvLayout):
    """Capital One card: separate Debit (money out) and Credit (money in) columns, ISO dates."""

    name = "capital_one"
    title = "Capital One credit card"
    date = "Transaction Date"
    description = "Description"
    amount = None
    debit = "Debit"
    credit = "Credit"
    also_required = ("Posted Date", "Card No.")
    card_column = "Card No."
    date_formats = ISO + ("%m/%d/%Y",)
    payment_method = "credit_card"
    country = "US"


class Amex(CsvLayout):
    """American Express: charges positive, payments/credits negative.

    Identified by an Amex-only column (Card Member, Account #, Extended Details, Appears On Your
    Statement As). A bare ``Date,Description,Amount`` download has no such column and reads as
    generic (charges would come out as money in): import it with ``--format amex``.
    """

    name = "amex"
    title = "American Express"
    date = "Date"
    description = "Description"
    amount = "Amount"
    transaction_id = "Reference"
    card_column = "Account #"  # Card Member is a person (cards of one account share them), not a card
    #: A charge in another currency says so there: "Foreign Spend Amount: 7.18 UNITED STATES
    #: DOLLAR Commission Amount: 0.16 Currency Exchange Rate: 1.3345".
    original_details = "Extended Details"
    sign = -1
    payment_method = "credit_card"
    country = "US"
    _markers: ClassVar[frozenset[str]] = frozenset(
        {"card member", "account #", "extended details", "appears on your statement as"})
    #: Columns only the other country's export has (the UK one: Town/City, Postcode).
    _other_country: ClassVar[frozenset[str]] = frozenset({"town/city", "postcode"})

    def resolve(self, header):
        index = super().resolve(header)
        if index is None:
            return None
        if self.forced:
            return index
        cells = {normalise_header(c) for c in header}
        if self._markers & cells and not self._other_country <= cells:
            return index
        return None


class AmexUk(Amex):
    """American Express UK: as the US export but day-first dates, GBP; Town/City and Postcode.

    Real layout (Amex UK "Statements & Activity" -> Download -> CSV), as read by public beancount
    and Go/Python importers of UK Amex files: ``Date,Description,Amount,Extended Details,Appears On
    Your Statement As,Address,Town/City,Postcode,Country,Reference,Category`` (some exports add Card
    Member and Account # after Description), dates ``30/12/2025``. The US export has City/State and
    Zip Code instead, which is how the two are told apart; read as US, the UK file had its day<=12
    dates swapped and the rest rejected (thirteenth audit).
    """

    name = "amex_uk"
    title = "American Express (UK)"
    also_required = ("Town/City", "Postcode")
    date_formats = ("%d/%m/%Y", "%d/%m/%y")
    currency = "GBP"
    country = "GB"
    _other_country: ClassVar[frozenset[str]] = frozenset({"city/state", "zip code"})


class Citi(CsvLayout):
    """Citi card: Status,Date,Description,Debit,Credit; credits may be written negative."""

    name = "citi"
    title = "Citi credit card"
    date = "Date"
    description = "Description"
    amount = None
    debit = "Debit"
    credit = "Credit"
    also_required = ("Status",)
    payment_method = "credit_card"
    country = "US"


class Discover(CsvLayout):
    """Discover card: purchases positive, payments and credits negative."""

    name = "discover"
    title = "Discover card"
    date = "Trans. Date"
    description = "Description"
    amount = "Amount"
    also_required = ("Post Date", "Category")
    sign = -1
    payment_method = "credit_card"
    country = "US"


class Monzo(CsvLayout):
    """Monzo: signed amounts, dd/mm/yyyy, its own Transaction ID; raw descriptor in Description."""

    name = "monzo"
    title = "Monzo"
    date = "Date"
    description = "Description"
    description_fallback = "Name"
    kind = "Type"
    own_transfer_kinds = ("pot transfer",)
    amount = "Amount"
    transaction_id = "Transaction ID"
    currency_column = "Currency"
    #: A card payment in another currency: "-7.41,GBP,-10.00,USD" (Amount, Currency, Local amount,
    #: Local currency); a pound payment repeats its amount there.
    original_amount = "Local amount"
    original_currency = "Local currency"
    also_required = ("Time", "Type", "Name", "Category")
    date_formats = ("%d/%m/%Y",)
    currency = "GBP"
    payment_method = "debit_card"
    country = "GB"


class Revolut(CsvLayout):
    """Revolut: signed Amount plus a Fee; only COMPLETED rows are transactions."""

    name = "revolut"
    title = "Revolut"
    date = "Completed Date"
    description = "Description"
    amount = "Amount"
    fee = "Fee"
    status = "State"
    accepted_status = ("COMPLETED",)
    currency_column = "Currency"
    also_required = ("Type", "Product", "Started Date")
    date_formats = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M")
    currency = "EUR"
    payment_method = "debit_card"
    #: Revolut serves the UK, the euro area, the US and more with one export: the account's
    #: currency says whose holidays its refund dates skip (GBP -> GB, EUR -> the euro area's), not
    #: the layout (it said GB, and a German user's euro account skipped England's bank holidays).
    country = None


class Starling(CsvLayout):
    """Starling: Date,Counter Party,Reference,Type,Amount (GBP),...; signed, dd/mm/yyyy."""

    name = "starling"
    title = "Starling"
    date = "Date"
    description = "Counter Party"
    description_fallback = "Reference"
    #: A card payment through PayPal is Counter Party "PayPal", Reference "PAYPAL *DISNEYPLUS ...".
    reference = "Reference"
    amount = "Amount (GBP)"
    also_required = ("Reference", "Type")
    date_formats = ("%d/%m/%Y",)
    currency = "GBP"
    payment_method = "debit_card"
    country = "GB"


class N26(CsvLayout):
    """N26: the older (Date, Payee, ...) and the 2024 (Booking Date, Partner Name, ...) exports."""

    name = "n26"
    title = "N26"
    date = ("Booking Date", "Date")
    description = ("Partner Name", "Payee")
    description_fallback = "Payment reference"
    #: A PayPal direct debit is Partner Name "PayPal Europe S.a.r.l. et Cie S.C.A", Payment
    #: Reference "1039.../PP.7384.PP/. Spotify AB, Ihr Einkauf bei Spotify AB".
    reference = "Payment reference"
    amount = "Amount (EUR)"
    date_formats = ISO
    currency = "EUR"
    payment_method = "debit_card"
    #: N26 serves Germany, Austria, France, Italy, Spain and more with one export in EUR: an
    #: account of no one euro country (``workdays.EURO_AREA``), not Germany's holidays.
    country = None


class Wise(CsvLayout):
    """Wise (TransferWise) statement CSV, one file per currency balance.

    Real layout (Statements -> CSV, ``statement_31415926_EUR_2024-07-01_2025-06-30.csv``, as read
    by public Wise importers: ledger-autosync's WiseConverter, Firefly III configurations)::

        "TransferWise ID",Date,Amount,Currency,Description,"Payment Reference","Running Balance",
        "Exchange From","Exchange To","Exchange Rate","Payer Name","Payee Name","Payee Account
        Number",Merchant,"Card Last Four Digits","Card Holder Full Name",Attachment,Note,"Total
        fees","Exchange To Amount"
        CARD-2106097800,30-12-2024,-10.00,USD,"Card transaction of 10.00 USD issued by Booksirens PHILADELPHIA",,...,"Booksirens PHILADELPHIA",1033,...

    (newer exports add ``Date Time``, ``Transaction Type``, ``Transaction Details Type``). A card
    payment's descriptor is the Merchant column; Description says it again in Wise's words
    ("Card transaction of 9.99 EUR issued by ...", in the account's language), and is the
    description of a row without a merchant (transfers, top-ups, conversions). Amounts are signed,
    in the row's Currency, fees included. Before the round-thirty audit no layout read it and the
    suggested ``description=Description`` named every card merchant "Card transaction of issued
    by ...". The ``TransferWise ID`` is not taken as the row's id: Wise gives a card payment and
    what follows from it (its refund, its fee) ids of one family, which the first-row-wins rule for
    CSV ids could then drop as duplicates.
    """

    name = "wise"
    title = "Wise (statement CSV)"
    date = "Date"
    description = "Merchant"
    description_fallback = "Description"
    amount = "Amount"
    currency_column = "Currency"
    #: A card payment in another currency than the balance's: Exchange From GBP, Exchange To USD,
    #: Exchange To Amount 10.00 (newer exports; older ones lack the amount). A conversion between
    #: balances fills them too, but names no Merchant.
    original_amount = "Exchange To Amount"
    original_currency = "Exchange To"
    original_requires = "Merchant"
    also_required = ("TransferWise ID", "Description", "Running Balance", "Payee Name")
    date_formats = ("%d-%m-%Y",)
    currency = "EUR"
    payment_method = "debit_card"
    #: Wise holds balances in many currencies, each file one: no one country's holidays.
    country = None


class Barclays(CsvLayout):
    """Barclays UK: Number,Date,Account,Amount,Subcategory,Memo; day-first dates, signed amounts."""

    name = "barclays"
    title = "Barclays (UK)"
    date = "Date"
    description = "Memo"
    amount = "Amount"
    account_column = "Account"
    also_required = ("Number", "Subcategory")
    date_formats = ("%d/%m/%Y", "%d/%m/%y")
    currency = "GBP"
    payment_method = "debit_card"
    country = "GB"


class IngNl(CsvLayout):
    """ING Netherlands: ``;`` (or ``,``) separated, yyyymmdd, comma decimals, Af/Bij direction.

    Dutch and English headers; the Rekening (Account) column is the account's IBAN.
    """

    name = "ing_nl"
    title = "ING Netherlands"
    date = ("Datum", "Date")
    description = ("Naam / Omschrijving", "Name / Description")
    description_fallback = ("Mededelingen", "Notifications")
    #: A PayPal direct debit is Naam "PayPal Europe S.a.r.l. et Cie S.C.A", Mededelingen "Naam: ...
    #: Omschrijving: 1039... PAYPAL Spotify AB IBAN: ... Kenmerk: ...".
    reference = ("Mededelingen", "Notifications")
    amount = ("Bedrag (EUR)", "Amount (EUR)")
    direction = ("Af Bij", "Debit/credit")
    outflow_markers = ("af", "debit")
    inflow_markers = ("bij", "credit")
    account_column = ("Rekening", "Account")
    also_required = ()
    date_formats = ("%Y%m%d", "%d-%m-%Y")
    decimal = ","
    delimiters = (";", ",")
    currency = "EUR"
    payment_method = "debit_card"
    country = "NL"


class Nationwide(CsvLayout):
    """Nationwide (UK) current account: an ``Account Name:`` preamble, Paid out / Paid in, ``01 Jun 2024``.

    Real layout (Internet Bank -> Statements -> Download, "Statement Download 2025-Jun-30
    10-15-02.csv", cp1252 with ``£`` as 0xA3), as read by public Nationwide parsers
    (WillOnGit/nationwide-transaction-parser and others: ``skiprows=4, encoding="latin_1"``)::

        "Account Name:","FlexAccount ****01234"
        "Account Balance:","£24,438.86"
        "Available Balance: ","£24,438.86"

        "Date","Transaction type","Description","Paid out","Paid in","Balance"
        "03 Jun 2024","Visa purchase","Spotify P2A4F1C3E2","£10.99","","£1,575.72"

    Every file is one account, named on its ``Account Name:`` line (:meth:`account`): two
    downloads of one account are one account whatever their file names (seventeenth session's
    audit: named by the file name, each download was an account of its own). All in GBP.
    """

    name = "nationwide"
    title = "Nationwide (UK)"
    date = "Date"
    description = "Description"
    description_fallback = "Transaction type"
    amount = None
    debit = "Paid out"
    credit = "Paid in"
    also_required = ("Transaction type", "Balance")
    date_formats = ("%d %b %Y",)
    currency = "GBP"
    payment_method = "debit_card"
    country = "GB"

    def account(self, path):
        """The account the preamble's ``"Account Name:","FlexAccount ****01234"`` line names."""
        for line in io.StringIO(head_of(read_text(path)), newline="").readlines():
            cells = next(csv.reader([line.rstrip("\r\n")]), [])
            if len(cells) >= 2 and normalise_header(cells[0]).rstrip(": ") == "account name":
                return cells[1].strip() or None
            if self.resolve(cells) is not None:  # the header: no preamble above it named the account
                break
        return None


class Mint(CsvLayout):
    """Mint's ``transactions.csv`` export: every amount positive, its way in Transaction Type.

    Real layout (Mint -> Transactions -> Export all, as read by public Mint importers: sunnywiz/
    minterpret's MintRecord, a beancount config sample, spearmint's extractor: "Mint files have
    +ve values for all amounts and a debit/credit column to denote sign")::

        "Date","Description","Original Description","Amount","Transaction Type","Category","Account Name","Labels","Notes"
        "9/20/2017","Quinnderellas","Debit Card Purchase - QUINNDEREL","5.02","debit","Toys","Unnamed Account","",""

    The bank's own descriptor (Original Description) is the description, Mint's cleaned name
    when it is empty; Account Name is each row's account (one export holds every linked
    account). Mapped with ``amount=Amount`` alone, every charge was money in (seventeenth
    session's audit).
    """

    name = "mint"
    title = "Mint export (transactions.csv)"
    date = "Date"
    description = "Original Description"
    description_fallback = "Description"
    amount = "Amount"
    direction = "Transaction Type"
    outflow_markers = ("debit",)
    inflow_markers = ("credit",)
    account_column = "Account Name"
    also_required = ("Description", "Category")
    currency = "USD"
    #: Mint aggregated cards and current accounts alike: no one payment method.
    payment_method = None
    country = "US"


class CommBank(CsvLayout):
    """Commonwealth Bank of Australia (NetBank CSVData.csv): no header; date, amount, description, balance.

    Real layout (NetBank -> Export -> CSV, as read by public CommBank parsers: "No header row;
    Date, Amount (signed with +/-), Description, Balance; DD/MM/YYYY")::

        28/06/2025,"+6200.00","ACME PTY LTD SALARY","+10200.00"
        27/06/2025,"-28.29","AMAZON AU MARKETPLACE AUS Card xx4412 Value Date: 25/06/2025","+4000.00"

    A file is CommBank's when its first line is four cells: a day-first date, an amount written
    with its sign and cents, a description and a balance (or nothing). Before the round-twenty-four
    audit it was "no importer recognises this file", and the suggested mapping lost its first line.
    All in AUD; card and transaction accounts export alike, so no payment method is assumed.
    """

    name = "commbank"
    title = "Commonwealth Bank (Australia; no header row)"
    has_header = False
    positions: ClassVar[dict[str, int]] = {"date": 0, "amount": 1, "description": 2}
    record_width = 4
    date_formats = ("%d/%m/%Y",)
    currency = "AUD"
    #: NetBank exports a card account and a transaction account alike: no one payment method.
    payment_method = None
    country = "AU"
    _signed = re.compile(r"^[-+]\d{1,3}(?:,?\d{3})*\.\d\d$")
    _balance = re.compile(r"^[-+]?\d{1,3}(?:,?\d{3})*\.\d\d$")

    def _is_headerless_record(self, cells):
        if len(cells) != 4 or not re.search(r"[A-Za-z]", cells[2]):
            return False
        if not self._signed.match(cells[1].strip()) or not (
                not cells[3].strip() or self._balance.match(cells[3].strip())):
            return False
        return self._date_either_order(cells[0])

    def _required(self):
        return ["date", "amount", "description"]


class Rbc(CsvLayout):
    """RBC Royal Bank (Canada): one CSV for every account, each row naming its account.

    Real layout (Online Banking -> Download transactions -> "Comma Delimited (.csv)", as read by
    public RBC importers: beancount and Firefly III configurations, ledger scripts)::

        "Account Type","Account Number","Transaction Date","Cheque Number","Description 1","Description 2","CAD$","USD$"
        Chequing,01234-5012345,1/7/2025,,"VISA DEBIT PURCHASE - 1234","NETFLIX.COM",-18.99,
        Visa,4510123412341234,1/9/2025,,"SPOTIFY P1A2B3C4D5 STOCKHOLM",,-11.99,

    A card purchase of a chequing account says what it was in Description 1 and names the merchant
    in Description 2; a Visa statement names the merchant in Description 1 and leaves 2 empty. The
    description is both, a space between (round-twenty-four audit: mapped as the suggestion said,
    ``description=Description 1``, every merchant was "VISA DEBIT PURCHASE - 1234"). Amounts are
    signed, in CAD$, or in USD$ for a US-dollar account (the row is then USD); Account Number is
    each row's account; the payment method follows Account Type (Chequing/Savings: debit card,
    Visa/MasterCard: credit card).
    """

    name = "rbc"
    title = "RBC Royal Bank (Canada)"
    date = "Transaction Date"
    description = "Description 1"
    description_join = ("Description 2",)
    amount = "CAD$"
    account_column = "Account Number"
    also_required = ("Account Type", "USD$")
    date_formats = ("%m/%d/%Y", "%m/%d/%y")
    currency = "CAD"
    payment_method = None
    country = "CA"
    _usd = "USD$"
    _kinds: ClassVar[dict[str, str]] = {"chequing": "debit_card", "savings": "debit_card",
                                         "visa": "credit_card", "mastercard": "credit_card"}

    def _fields(self):
        return {**super()._fields(), "usd": (normalise_header(self._usd),), "account_type": (normalise_header("Account Type"),)}

    def parse_record(self, cells, index, line):
        cad, usd = self._cell(cells, index, "amount"), self._cell(cells, index, "usd")
        if cad or not usd:
            return super().parse_record(cells, index, line)
        cells = list(cells)
        cells[index["amount"]] = usd
        return dataclasses.replace(super().parse_record(cells, index, line), currency="USD")

    def file_payment_method(self, path):
        """Debit card for a file of chequing/savings rows, credit card for one of Visa/MasterCard
        rows, else none (one download may hold every account)."""
        lines = io.StringIO(head_of(read_text(path)), newline="").readlines()
        found = self._find_header(lines)
        if found is None:
            return None
        at, delim, index = found
        kinds = {self._kinds.get((r[index["account_type"]] if index["account_type"] < len(r) else "").strip().lower())
                 for r in csv.reader(lines[at + 1:], delimiter=delim) if any(c.strip() for c in r)}
        return kinds.pop() if len(kinds) == 1 else None


#: Every CSV layout that takes part in detection, in the order shown to users.
LAYOUTS: list[type[CsvLayout]] = [
    GenericCsv, ChaseCard, ChaseChecking, BofaChecking, BofaCard, WellsFargo, CapitalOne, Amex, AmexUk,
    Citi, Discover, Monzo, Revolut, Starling, N26, Wise, Barclays, IngNl, Nationwide, Mint, CommBank, Rbc,
]


class MappedCsv(CsvLayout):
    """A layout made on the spot from a ``--columns`` mapping (any bank, no code)."""

    name = "mapped"
    title = "CSV mapped with --columns"
    payment_method = None

    #: Keys a mapping may use.
    KEYS = ("date", "description", "amount", "debit", "credit", "direction", "account_id", "transaction_id",
            "currency", "date_format", "decimal", "delimiter", "sign")
    #: ``direction=COLUMN``: a column saying which way each amount went (Mint's and Capital One
    #: 360's "Transaction Type", Navy Federal's "Credit Debit Indicator"); the amount's size is
    #: taken, its sign from the column. A value that is none of these is a rejected line.
    outflow_markers = OUTFLOW_MARKERS
    inflow_markers = INFLOW_MARKERS

    def __init__(self, mapping: dict[str, str]):
        unknown = set(mapping) - set(self.KEYS)
        if unknown:
            raise ValueError(f"unknown --columns key(s): {', '.join(sorted(unknown))}; "
                             f"use {', '.join(self.KEYS)}")
        if "date" not in mapping or "description" not in mapping:
            raise ValueError("--columns needs date= and description=")
        if "amount" not in mapping and not ("debit" in mapping or "credit" in mapping):
            raise ValueError("--columns needs amount= (or debit= and credit=)")
        self.date = mapping["date"]
        self.description = mapping["description"]
        #: ``description=Description 1+Description 2``: those columns' text joined, a space
        #: between (RBC's card purchases name the merchant in the second), unless a column is
        #: named so whole (:meth:`resolve`).
        parts = [p.strip() for p in str(mapping["description"]).split("+")]
        self._joined = (parts[0], tuple(parts[1:])) if len(parts) > 1 and all(parts) else None
        self.amount = mapping.get("amount")
        self.debit = mapping.get("debit") if self.amount is None else None
        self.credit = mapping.get("credit") if self.amount is None else None
        # Mint exports every amount positive, the way it went in "Transaction Type": mapped with
        # amount= alone, every charge was stored as money in (seventeenth session's audit)
        self.direction = mapping.get("direction") or None
        self.account_column = mapping.get("account_id")
        self.transaction_id = mapping.get("transaction_id")
        cur = mapping.get("currency")
        #: Whether the mapping named the currency; if not, the file's own evidence may (``currency.py``).
        self.currency_named = bool(cur)
        # currency=EUR (an ISO code, not a column) sets the currency of every row.
        if cur and len(cur) == 3 and cur.isupper():
            self.currency, self.currency_column = cur, None
        else:
            self.currency_column = cur
        #: Where the rows' currency comes from: ``mapping``, ``column``, ``name`` (the money
        #: column's), ``dollar`` (a bare ``$``), ``signs``, ``assumed`` (``currency.py``).
        self.currency_source = ("column" if self.currency_column else "mapping") if cur else None
        self.date_formats = (mapping["date_format"],) if mapping.get("date_format") else ISO + ("%m/%d/%Y",)
        #: Without date_format=, a file whose every day is 12 or less reads either way: its order is
        #: decided from the whole file (:meth:`with_date_order`), never guessed (round twenty-seven).
        self.date_order_open = not mapping.get("date_format")
        #: ``("day" | "month" | None, why)``: what the file's first lines show of where it comes
        #: from (``date_order.hints``; set with the currency, ``reader._settle_mapped``).
        self.date_order_hint: tuple[str | None, str] = (None, "")
        #: The file, for the message refusing one whose order nothing tells.
        self.source_path: str | None = None
        # (decimal=comma needs no quotes inside a double-quoted --columns)
        self.decimal = {"comma": ",", "point": ".", "dot": "."}.get(mapping.get("decimal", "."), mapping.get("decimal", "."))
        delim = mapping.get("delimiter")
        self.delimiters = ({"tab": "\t", "semicolon": ";", "comma": ","}.get(delim, delim),) if delim \
            else (",", ";", "\t")
        self.sign = -1 if str(mapping.get("sign", "1")).strip() in ("-1", "-") else 1

    def resolve(self, header):
        """As :meth:`CsvLayout.resolve`; a ``description=A+B`` the header has no column of that
        whole name for joins columns ``A`` and ``B``."""
        if self._joined is not None:
            whole = self._joined[0] + "+" + "+".join(self._joined[1])
            self.description, self.description_join = whole, ()
            if normalise_header(whole) not in {normalise_header(c) for c in header}:
                self.description, self.description_join = self._joined
        return super().resolve(header)

    def missing(self, header):
        self.resolve(header)
        return super().missing(header)

    def _head_rows(self, head: str) -> tuple[list[str], list[list[str]], dict] | None:
        """The mapped header's cells, the rows from it on (blank ones left out: ``rows[0]`` is the
        header) and the mapping's column positions, read from ``head`` (the file's first lines);
        None when no header is found or the first row is a record (a file without one)."""
        found = self.head_records(head)
        if found is None or found[0] is None or not found[1]:
            return None
        header, records, index = found
        return [c.strip() for c in header], [header, *records], index

    def with_date_order(self, cells: Iterable[str]) -> CsvLayout:
        """As :meth:`CsvLayout.with_date_order`; without ``date_format=``, a file whose every date
        reads both day and month first is read the way its dates are in order only that way, else
        the way :attr:`date_order_hint` says (either with a note), else refused
        (:mod:`detector.importers.date_order`)."""
        if not self.date_order_open:
            return super().with_date_order(cells)
        formats = tuple(self.date_formats)
        swapped = tuple(swap_day_month(f) for f in formats)
        ordered = tuple(f for f in formats if date_order.orders(f))
        dated: list[str] = []  # the date cells, distinct, in the file's order
        example = None
        depends = False
        for s, ours, theirs in read_either_order(cells, formats, swapped):
            if ours and not theirs:
                return self  # the file's own dates show the mapping's order
            if theirs and not ours:
                example = example or s
            elif ours:
                dated.append(s)
                depends = depends or is_date(s, ordered)
        if example is not None:  # read swapped, the note says so (as any layout's file)
            other = super().with_date_order([example])
            other.date_order_open = False
            return other
        if not depends:  # (no date whose reading depends on the order: ISO dates)
            return self
        pick = date_order.in_order(dated, formats, swapped)
        if pick is not None:
            days = sorted(date.fromisoformat(parse_date(c, (formats, swapped)[pick])) for c in dated)
            why = (f"only so are they in order (the statement's dates, {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}, "
                   "sorted as statements are)")
        else:
            hint, why = self.date_order_hint
            if hint is None:
                shown = dated[0] if is_date(dated[0], ordered) else next(c for c in dated if is_date(c, ordered))
                one = date.fromisoformat(parse_date(shown, formats))
                two = date.fromisoformat(parse_date(shown, swapped))
                raise AmbiguousFormat(
                    f"its dates read both day first and month first (every day is 12 or less: {shown!r} is "
                    f"{two.day} {two:%B %Y} or {one.day} {one:%B %Y}) and nothing in the file tells which: add "
                    f"date_format={swap_day_month(ordered[0])} to --columns if the day comes first (UK, European, "
                    f"Australian banks), date_format={ordered[0]} if the month does (US banks)",
                    path=self.source_path)
            pick = 1 if hint == "day" else 0
        other = copy.copy(self)
        other.date_formats = (formats, swapped)[pick]
        other.date_order_open = False
        fmt = next(f for f in other.date_formats if date_order.orders(f))
        first = "day" if fmt.find("%d") < fmt.find("%m") else "month"
        other.date_order_note = (
            f"dates read {first} first ({fmt}): every day is 12 or less, so they read either way, and {why}; "
            f"name the order with date_format= in --columns if that is wrong (date_format={swap_day_month(fmt)})")
        return other

    def unread_description_notes(self, head: str) -> tuple[str, ...]:
        """A note when ``description=`` maps the first of numbered columns (``Description 1``) and
        the next one (``Description 2``), filled on some row, is read by nothing: RBC names a card
        purchase's merchant there, and mapped with ``description=Description 1`` every Netflix
        charge was "VISA DEBIT PURCHASE - 1234" (round-twenty-four audit)."""
        if self.description_join:
            return ()
        found = self._head_rows(head)
        if found is None:
            return ()
        header, rows, index = found
        mapped = header[index["description"]]
        joined = _numbered_join(header, mapped)
        more = [c for c in joined.split("+")[1:] if c in header]
        filled = [c for c in more if any(header.index(c) < len(r) and r[header.index(c)].strip() for r in rows[1:])]
        if not filled:
            return ()
        note = (f"column {filled[0]!r} beside the description column {mapped!r} is not read, though rows fill it "
                f"(a card purchase's merchant may be there): description={joined} reads them both")
        return (note,)

    def unsigned_amounts_notes(self, head: str) -> tuple[str, ...]:
        """A warning when the mapping reads ``amount=`` without ``direction=``, every amount in
        ``head`` (the file's first lines) is written without a sign and a column the mapping left
        out says debit/credit on each row (``base.direction_column``): read so, every charge is
        money in. (Mint's export, mapped as the suggestion of the seventeenth session's audit said.)"""
        if self.amount is None or self.direction is not None:
            return ()
        found = self._head_rows(head)
        if found is None:
            return ()
        header, rows, index = found
        taken = {header[p] for f, p in index.items() if p < len(header)}
        column = direction_column(header, rows[1:], header[index["amount"]], taken)
        if column is None:
            return ()
        note = (f"every amount is written without a sign and column {column!r} says debit or credit on each "
                f"row, but --columns has no direction=: every row is read as money in (add "
                f"direction={column} to give each amount its sign)")
        return (note,)


def parse_columns(spec: str | dict | None) -> dict[str, str] | None:
    """``"date=Posted,description=Payee,amount=Amount"`` (or a dict) to a mapping dict.

    A value holding a comma is quoted, with double or single quotes: ``description="Payee, name"``
    or ``description='Payee, name'`` (the second pastes inside a double-quoted ``--columns "..."``
    argument, as the suggestion for a file without a layout writes it). A quote opens only at the
    start of a value: ``description=Payee's name`` is that name.
    """
    if spec is None or isinstance(spec, dict):
        return dict(spec) if spec else None
    out: dict[str, str] = {}
    for part in _split_columns(spec):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"--columns entry {part.strip()!r} is not key=column")
        key, value = part.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip().lower()] = value
    return out


def _split_columns(spec: str) -> list[str]:
    """``spec`` cut at the commas outside a quoted value (a value opening with ``"`` or ``'``)."""
    parts: list[str] = []
    start = i = 0
    at_value = False  # right after "key=" (spaces allowed): a quote there opens a quoted value
    while i < len(spec):
        ch = spec[i]
        if ch == ",":
            parts.append(spec[start:i])
            start, at_value = i + 1, False
        elif ch == "=" and not at_value and "=" not in spec[start:i]:
            at_value = True
        elif at_value and ch in "\"'" and not spec[spec.index("=", start) + 1:i].strip():
            end = spec.find(ch, i + 1)
            if end < 0:
                raise ValueError(f"--columns value {spec[i:]!r} opens a quote that is not closed")
            i = end
        i += 1
    parts.append(spec[start:])
    return parts


def csv_importers() -> list[Importer]:
    """Fresh instances of every detectable CSV layout."""
    return [cls() for cls in LAYOUTS]
