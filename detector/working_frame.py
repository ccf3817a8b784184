"""The numeric working frame detection reads: one row per usable transaction (:func:`_prepare`), its
merchant group, amount cluster, price point and row marks (fees, own moves, bills by their name,
catalogue sellers; patterns in :mod:`detector.non_plans`), with the text columns kept aside and
read only where a stream needs them (:class:`_Text`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import MONTHLY, PERIODS, TOLERANCE, day_of_month, dense_rank, int_lexsort, sorted_codes
from .catalog import plan_only_vendors, vendors_in, yearly_plan_vendors
from .chains import BILLING_DAY_JITTER, _days_apart_in_month
from .descriptor_words import (
    EATERY,
    ESTIMATED_TAX_PAYEES,
    FUEL_STATION,
    GOVERNMENT_FEE,
    GROCER,
    HMRC,
    HOUSING_PAYMENT,
    INSURER_NAME,
    TAX_PAYMENT,
    UTILITY_NAME,
)
from .money import scales
from .non_plans import (
    APP_CONTRIBUTION,
    CARD_USE_CHARGE,
    CASH_DRAWN,
    EVENT_FEE,
    FEE_NAME,
    INVESTING_APPS,
    INVESTMENT_MOVE,
    NOT_INVESTMENT_MOVE,
    NOT_SAVINGS_MOVE,
    OWN_ACCOUNT_MOVE,
    SAVINGS_MOVE,
    WALLET_CONVERSION,
    WALLET_TOP_UP,
    _instalment_lenders,
)
from .stream_joins import PRICE_STEP

#: Relative gap in sorted amounts that starts a new amount cluster.
CLUSTER_TOL = 0.02


class _Text:
    """The text columns of the usable rows (``pos``: their positions in ``tx``), read as object
    arrays where a stream needs them: converting a million ids or names costs ~0.1 CPU-s a
    column, and streams hold a sixth of the rows. ``text[name]`` is a whole column (converted
    once); ``text.column(name, rows)`` some of its rows.
    """

    def __init__(self, tx: pd.DataFrame, pos: np.ndarray):
        self._tx, self._pos, self._whole = tx, pos, {}

    def has(self, name: str) -> bool:
        """Whether the transactions have column ``name`` (an optional one, such as currency)."""
        return name in self._tx.columns

    def series(self, name: str) -> pd.Series:
        """Column ``name`` of the usable rows, read but left in its pandas dtype (to factorize)."""
        return self._read(name, self._tx[name].iloc[self._pos])

    def column(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Column ``name`` of the usable rows (only ``rows`` of them when given), as objects."""
        if name in self._whole:
            return self._whole[name] if rows is None else self._whole[name][rows]
        pos = self._pos if rows is None else self._pos[rows]
        values = self._read(name, self._tx[name].iloc[pos]).to_numpy(dtype=object)
        if rows is None:
            self._whole[name] = values
        return values

    def __getitem__(self, name: str) -> np.ndarray:
        return self.column(name)

    @staticmethod
    def _read(name: str, values: pd.Series) -> pd.Series:
        """Accounts and keys as text whatever their dtype, a missing key as ""."""
        if name == "account_id":
            return values.astype(str)
        if name == "merchant_key":
            return values.fillna("").astype(str)
        return values


def _days(dates: pd.Series) -> np.ndarray:
    """Days since the epoch of each date (NaT's integer where missing or unreadable), parsed
    once per distinct value: pandas' own cache maps the million rows back through a hash
    table (0.19 CPU-s at 1.2M rows), an integer take does it in a few ms."""
    codes, distinct = pd.factorize(dates)
    parsed = pd.to_datetime(pd.Series(distinct, dtype=dates.dtype), errors="coerce").to_numpy()
    days = parsed.astype("datetime64[D]").astype(np.int64)
    return np.r_[days, np.datetime64("NaT", "D").astype(np.int64)][codes]


#: Billing channels of app stores. A charge billed through one is for a subscription or an in-app
#: purchase of an app the descriptor does not name, so its vendor is null (docs/merchants.md).
STORE_CHANNELS = ("apple", "google_play", "roku")


def _subscription_seller(vendor: pd.Series, channel: pd.Series) -> np.ndarray:
    """Per row: the merchant sells subscriptions, the scorer's ``vendor_known`` prior. A catalogue
    vendor does, and so does an app store: the store bills its apps' plans among their one-off
    purchases, and a plan there is as likely as at a named vendor (measured: docs/detection.md)."""
    return (vendor.notna() | channel.isin(STORE_CHANNELS)).to_numpy()


def _prepare(tx: pd.DataFrame, as_of) -> tuple[pd.DataFrame, _Text]:
    """Numeric working frame (one row per usable transaction) and its text columns.

    Text stays out of the frame (:class:`_Text`): the detection itself only ever needs numbers.
    """
    day = _days(tx["date"])
    amount = pd.to_numeric(tx["amount"], errors="coerce").to_numpy(dtype=float)
    as_of_day = np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64)
    ok = (day <= as_of_day) & np.isfinite(amount) & (amount != 0) & (day > -10**9)
    text = _Text(tx, np.flatnonzero(ok))
    inflow = amount[ok] > 0
    acc = pd.factorize(text.series("account_id"))[0].astype(np.int64)
    key, key_names = pd.factorize(text.series("merchant_key"))
    key = key.astype(np.int64)
    group = sorted_codes((acc * (key.max(initial=0) + 1) + key) * 2 + inflow)
    vendor = text.series("vendor")  # (read once: the prior and the instalment lenders both look at it)
    df = pd.DataFrame({"day": day[ok], "amt": np.abs(amount[ok]), "inflow": inflow, "group": group.astype(np.int64),
                       "vendor_known": _subscription_seller(vendor, text.series("channel"))})
    # the key may have lost the words' spacing ("ATM FEE-WITH" -> "atm feewith"): the display
    # name is read too (each distinct pair once: a few thousand, not a million rows)
    name, names = pd.factorize(text.series("merchant"))  # a missing name (-1) reads as ""
    width = len(names) + 1
    pair, pairs = pd.factorize(key * width + name + 1)
    shown = pd.Series(np.r_[[""], np.asarray(names, dtype=object)], dtype=object).fillna("").astype(str)
    pair_key = np.asarray(key_names, dtype=object)[pairs // width]
    label = pair_key + " | " + shown.to_numpy(dtype=object)[pairs % width]
    labels = pd.Series(label, dtype=object)
    fee_pair = (labels.str.contains(EVENT_FEE) | labels.str.contains(CARD_USE_CHARGE)
                | labels.str.contains(CASH_DRAWN)).to_numpy(dtype=bool)
    move_pair = pd.Series(pair_key, dtype=object).fillna("").astype(str).str.contains(OWN_ACCOUNT_MOVE).to_numpy(
        dtype=bool)
    top_up_pair = np.zeros(len(pairs), dtype=bool)
    if text.has("description") and len(pair):
        # one descriptor per (key, name) pair speaks for it: its rows share the words
        first = np.unique(pair, return_index=True)[1]
        said = pd.Series(text.column("description", first), dtype=object).fillna("").astype(str)
        move_pair = move_pair | (said.str.contains(SAVINGS_MOVE) & ~said.str.contains(NOT_SAVINGS_MOVE)).to_numpy(
            dtype=bool)
        move_pair = move_pair | said.str.contains(WALLET_CONVERSION).to_numpy(dtype=bool)
        top_up_pair = said.str.contains(WALLET_TOP_UP).to_numpy(dtype=bool)
        # a contribution to one's own investments; a line the catalogue names is a plan's
        unnamed = vendor.iloc[first].isna().to_numpy()
        invests = said.str.contains(INVESTMENT_MOVE) & ~said.str.contains(NOT_INVESTMENT_MOVE)
        move_pair = move_pair | (invests.to_numpy(dtype=bool) & unnamed)
        # the merchant stage may keep only "Fee" of "FOREIGN TRANSACTION FEE": the bank's words tell,
        # where the name is still a fee's (a bank that writes "FOREIGN TRANSACTION FEE SPOTIFY ..."
        # keys it as Spotify, whose plan must not go with it)
        fee_pair = fee_pair | (said.str.contains(CASH_DRAWN).to_numpy(dtype=bool) & unnamed)
        fee_named = labels.str.contains(FEE_NAME).to_numpy(dtype=bool)
        fee_pair = fee_pair | (fee_named & (said.str.contains(EVENT_FEE) | said.str.contains(CARD_USE_CHARGE))
                               .to_numpy(dtype=bool))
    df["event_fee"] = fee_pair[pair] if len(pair) else np.zeros(0, bool)
    # a bill by its name (a utility, rent, a tax), which may be paid on weekends at any sum
    def named(*patterns) -> np.ndarray:  # per row: its (key, name) pair's label says one of these
        hit = np.zeros(len(labels), dtype=bool)
        for pattern in patterns:
            hit |= labels.str.contains(pattern).to_numpy(dtype=bool)
        return hit[pair] if len(pair) else np.zeros(0, bool)

    # a tax (its scheme's yearly pause, ``_build``), and with them a bill by its name
    tax_pair = labels.str.contains(TAX_PAYMENT).to_numpy(dtype=bool)
    df["named_tax"] = tax_pair[pair] if len(pair) else np.zeros(0, bool)
    # ... among them US estimated income tax's payees, whose instalments fall due on set days
    # (1-based into TAX_SCHEDULES, 0 for none; the first that matches), and HMRC (read on the
    # taxes' labels alone: every one of them is a tax by its name)
    at = np.flatnonzero(tax_pair)
    schedule, hmrc = np.zeros(len(labels), dtype=np.int64), np.zeros(len(labels), dtype=bool)
    if len(at):
        taxes = labels.iloc[at]
        for code in range(len(ESTIMATED_TAX_PAYEES), 0, -1):
            schedule[at] = np.where(taxes.str.contains(ESTIMATED_TAX_PAYEES[code - 1][0]).to_numpy(dtype=bool),
                                    code, schedule[at])
        hmrc[at] = taxes.str.contains(HMRC).to_numpy(dtype=bool)
    df["tax_schedule"] = schedule[pair] if len(pair) else np.zeros(0, np.int64)
    df["hmrc"] = hmrc[pair] if len(pair) else np.zeros(0, bool)
    df["named_bill"] = df["named_tax"].to_numpy() | named(UTILITY_NAME, HOUSING_PAYMENT, GOVERNMENT_FEE)
    df["fuel"] = named(FUEL_STATION)
    df["grocer"] = named(GROCER)
    df["insurer"] = named(INSURER_NAME) | vendor.isin(vendors_in(frozenset({"insurance"}))).to_numpy()
    df["eatery"] = named(EATERY)
    df["own_move"] = move_pair[pair] if len(pair) else np.zeros(0, bool)
    if top_up_pair.any():
        df["own_move"] = df["own_move"].to_numpy() | (top_up_pair[pair] & inflow)  # (money in only)
    if text.has("description"):
        # (read line by line: the fee and the contributions share the vendor's merchant key)
        at_app = np.flatnonzero(vendor.isin(INVESTING_APPS).to_numpy())
        if len(at_app):
            lines = pd.Series(text.column("description", at_app), dtype=object).fillna("").astype(str)
            into = lines.str.contains(APP_CONTRIBUTION) & ~lines.str.contains(NOT_INVESTMENT_MOVE)
            df.loc[df.index[at_app[into.to_numpy(dtype=bool)]], "own_move"] = True
    if df["own_move"].any():
        # moves of one's own money are a group of their own: a group is ruled out whole, and the
        # app's fee under the same merchant key (Acorns) is a plan
        df["group"] = sorted_codes(df["group"].to_numpy() * 2 + df["own_move"].to_numpy())
    df["store"] = text.series("channel").isin(STORE_CHANNELS).to_numpy()
    df["instalment"] = vendor.isin(_instalment_lenders()).to_numpy()
    df["plan_vendor"] = vendor.isin(plan_only_vendors()).to_numpy()
    df["yearly_vendor"] = vendor.isin(yearly_plan_vendors()).to_numpy()
    if text.has("currency"):
        # the currency's size, for MEAL_PRICE and round sums (kept only where some row is not
        # dollar-sized)
        scale = scales(text.series("currency"))
        if (scale != 1).any():
            df["scale"] = scale
    df["dom"], df["dim"] = day_of_month(df["day"].to_numpy())
    # amount clusters and their price points split one (group, amount) order: sorted once
    by_amount = int_lexsort(df["group"].to_numpy(), dense_rank(df["amt"].to_numpy())[1])
    df["cid"] = _amount_clusters(df["group"].to_numpy(), df["amt"].to_numpy(), by_amount)
    df["point"] = _price_points(df["group"].to_numpy(), df["amt"].to_numpy(), by_amount)
    df["csize"] = np.bincount(df["cid"].to_numpy())[df["cid"].to_numpy()] if len(df) else 0
    df["in_turn"], df["in_turn_all"] = _plans_in_turn(
        df["group"].to_numpy(), df["day"].to_numpy(), df["amt"].to_numpy(), df["cid"].to_numpy(),
        dom=df["dom"].to_numpy(), plan_seller=df["plan_vendor"].to_numpy() | df["store"].to_numpy())
    return df, text


def _plans_in_turn(group: np.ndarray, day: np.ndarray, amt: np.ndarray, cid: np.ndarray,
                   dom: np.ndarray | None = None, plan_seller: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per row: (its group's charges are plans billed in turn, ... each price billed twice or more).

    In turn: three charges or more, no two in a row (date order) in one amount cluster, some
    price billed twice, the dearest more than :data:`PRICE_STEP` times the cheapest (no one
    plan's price change). iCloud at 2.99 on the 8th and Apple Music at 10.99 on the 21st under
    APPLE.COM/BILL: six weeks of them read as one "biweekly" plan of 2.99-10.99 (round-44 audit).
    A price change keeps its new price a while, a trial its full price, jitter one cluster.

    Prices closer than that are plans billed in turn where each keeps a day of its own
    (:func:`_own_days`, given ``dom`` and ``plan_seller``): at a seller of plans (``plan_seller``:
    a catalogue vendor of fixed-price plans or an app store), each price billed twice or more,
    each a month apart on its day, and every charge days from the one before. Two Apple plans
    at 9.99 on the 5th and 10.99 on the 20th, two months of them, were one "semimonthly" plan.
    """
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    order = int_lexsort(group, day, cid)
    g, c = group[order], cid[order]
    n_groups = int(group.max()) + 1
    size = np.bincount(group, minlength=n_groups)
    same = np.bincount(g[1:][(g[1:] == g[:-1]) & (c[1:] == c[:-1])], minlength=n_groups)
    lo = np.full(n_groups, np.inf)
    hi = np.zeros(n_groups)
    np.minimum.at(lo, group, amt)
    np.maximum.at(hi, group, amt)
    csize = np.bincount(cid)
    repeats = np.zeros(n_groups, dtype=bool)
    repeats[group[csize[cid] >= 2]] = True
    fewest = np.full(n_groups, np.iinfo(np.int64).max)
    np.minimum.at(fewest, group, csize[cid])
    alternate = (size >= 3) & (same == 0) & repeats
    turn = alternate & (hi > PRICE_STEP * lo)
    if dom is not None and plan_seller is not None:
        turn |= _own_days(group, day, cid, dom, plan_seller, order, alternate & (fewest >= 2) & ~turn)
    return turn[group], (turn & (fewest >= 2))[group]


def _own_days(group: np.ndarray, day: np.ndarray, cid: np.ndarray, dom: np.ndarray, plan_seller: np.ndarray,
              order: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """Per group (of those ``asked``, per group): its prices are plans each billed on a day of its
    own. Every row is a seller of plans' (``plan_seller``); each amount cluster's charges follow
    each other a month apart (within the monthly tolerance) on one day of the month (within
    ``BILLING_DAY_JITTER``); and each charge of the group falls more than ``BILLING_DAY_JITTER``
    days of the month from the one before it (``order``: the rows by group and day). A price
    change keeps its new price in a row, and a plan's charges posted a day or two apart stay one
    day. (Read on the rows of the groups asked: a handful, not a million.)"""
    at = np.flatnonzero(asked[group])
    if not len(at):
        return asked
    bad = np.zeros(len(asked), dtype=np.int64)
    np.add.at(bad, group[at], ~plan_seller[at])
    o = order[asked[group[order]]]
    g, d = group[o], dom[o]
    follow = g[1:] == g[:-1]
    np.add.at(bad, g[1:][follow & (_days_apart_in_month(d[1:], d[:-1]) <= BILLING_DAY_JITTER)], 1)
    by_cluster = at[int_lexsort(cid[at], day[at])]
    c, cd, cday = cid[by_cluster], dom[by_cluster], day[by_cluster]
    pair = c[1:] == c[:-1]
    off = (np.abs(np.diff(cday) - PERIODS[MONTHLY]) > TOLERANCE[MONTHLY]) \
        | (_days_apart_in_month(cd[1:], cd[:-1]) > BILLING_DAY_JITTER)
    np.add.at(bad, group[by_cluster][1:][pair & off], 1)
    return asked & (bad == 0)


def _amount_clusters(group: np.ndarray, amt: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Cluster id per row: amounts within ``CLUSTER_TOL`` (and a cent) of their neighbour in
    amount order, per group (``order``: the rows by group and amount, when already sorted)."""
    if order is None:
        order = int_lexsort(group, dense_rank(amt)[1])
    g, a = group[order], amt[order]
    new = np.r_[True, (g[1:] != g[:-1]) | (a[1:] > a[:-1] * (1 + CLUSTER_TOL) + 0.01)] if len(g) else np.zeros(0, bool)
    cid = np.empty(len(g), dtype=np.int64)
    cid[order] = np.cumsum(new) - 1
    return cid


#: Relative step in sorted amounts that starts a new price point (plus a cent).
POINT_TOL = 0.002


def _price_points(group: np.ndarray, amt: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Price point id per row (the row that starts it): amounts within ``POINT_TOL`` (and a
    cent, for tax rounding) of their neighbour in amount order, per group (``order``: the rows
    by group and amount, when already sorted)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if order is None:
        order = int_lexsort(group, dense_rank(amt)[1])
    g, a = group[order], amt[order]
    new = np.r_[True, (g[1:] != g[:-1]) | (a[1:] > a[:-1] * (1 + POINT_TOL) + 0.01)]
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    out = np.empty(n, dtype=np.int64)
    out[order] = order[first]
    return out
