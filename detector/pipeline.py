"""Compose the stages: ingest -> enrich -> detect -> decisions -> flag -> refunds -> store.

:func:`detect_account` is the pure heart (transactions in, streams and flags out) that both the
local and the Spark engine run; :func:`run_detection` and :func:`scan` add the store around it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .errors import StoreError
from .progress import NoProgress, Progress
from .schema import FLAG_COLUMNS, STREAM_COLUMNS
from .store import Store, replace_rows, utcnow

#: Rows per detection batch in a local run (whole accounts; see detector.engines.local).
DETECT_BATCH_ROWS = 250_000


@dataclass
class ScanResult:
    """What a scan produced. DataFrames use the schema's columns."""

    as_of: str
    streams: pd.DataFrame
    flags: pd.DataFrame
    refund_requests: list[dict] = field(default_factory=list)
    ingest: list = field(default_factory=list)
    #: accounts whose Plaid item stopped syncing (:func:`detector.freshness.sync_problems`)
    sync_problems: list[dict] = field(default_factory=list)
    #: accounts detected because an earlier write left their rows undetected
    #: (:meth:`detector.store.Store.detection_owed`), beyond those the run was asked for
    owed_detected: list[str] = field(default_factory=list)
    #: what earlier scans found that still applies (:func:`detector.account_notes.open_notes`);
    #: filled for ``report`` (:func:`stored_result`)
    notes: list[dict] = field(default_factory=list)
    #: why each of ``owed_detected`` was owed (:meth:`detector.store.Store.detection_owed_reasons`)
    owed_reasons: dict[str, list[str]] = field(default_factory=dict)
    #: each account's last detection's as-of date (:func:`detected_dates`), filled for ``report``:
    #: accounts scanned on different days are each as of their own (``as_of`` is the latest)
    accounts_as_of: dict[str, str] = field(default_factory=dict)
    #: the refund requests ``report --since`` left out, their charges before it (the CLI says so)
    requests_before_since: list[dict] = field(default_factory=list)

    @property
    def failed_files(self) -> list:
        return [r for r in self.ingest if not r.ok]


def as_of_str(as_of: str | date | None) -> str:
    """ISO date string; ``None`` means today. Anything that is not a date raises ``ConfigError``."""
    from .errors import ConfigError

    if as_of is None:
        return date.today().isoformat()
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"as-of date {as_of!r} is not a date (write it YYYY-MM-DD)") from exc
    if pd.isna(ts):
        raise ConfigError(f"as-of date {as_of!r} is not a date (write it YYYY-MM-DD)")
    return ts.date().isoformat()


def empty_streams() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in STREAM_COLUMNS})


def empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FLAG_COLUMNS})


def detect_account(
    tx: pd.DataFrame,
    as_of: str | date | None,
    *,
    cancellations: pd.DataFrame | None = None,
    dismissed: set[str] | frozenset[str] | dict[str, str | None] | None = None,
    model=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical transactions (one or many accounts) -> ``(streams, flags)``.

    Pure: no store, no clock (``as_of`` is explicit). The output has a fixed schema: exactly
    ``STREAM_COLUMNS`` and ``FLAG_COLUMNS`` with their dtypes, rows ordered by account and id,
    whatever the input (:func:`detector.engines.conform_streams`). ``cancellations`` holds user decisions
    ``account_id, merchant, cancelled_on`` (merchant matched fuzzily to the streams; with
    ``stream_id`` and ``transaction_ids`` set, a cancellation of that stream, ``cancel --stream``);
    ``dismissed`` holds stream or flag ids the user dismissed: a set, or a dict of each id to
    the dismissed stream's charge ids (a JSON list), which find the stream under a new id.

    Transfers between the accounts of ``tx`` are paired here (:mod:`detector.transfers`) unless
    ``tx`` already has their column: the engines pair over all their input before they split it
    into groups of accounts, so a group's accounts are read as they would be with all the others.
    """
    from .decisions import apply_decisions, resolve_cancellations
    from .engines.frames import conform_flags, conform_streams
    from .flags import flag_charges
    from .links import own_accounts
    from .match import enrich
    from .recurrence import detect_streams
    from .transfers import TRANSFER_COLUMN, with_transfers

    as_of = as_of_str(as_of)
    if tx.empty:
        return conform_streams(None), conform_flags(None)
    if TRANSFER_COLUMN not in tx.columns:
        tx = with_transfers(tx, as_of)
    enriched = enrich(tx)
    streams = detect_streams(enriched, as_of, model=model)
    decisions = _decisions_frame(cancellations, dismissed)
    resolved = resolve_cancellations(decisions, streams, enriched)
    flags = flag_charges(enriched, streams, cancellations=resolved, as_of=as_of)
    streams, flags = apply_decisions(streams, flags, decisions, tx=enriched, as_of=as_of)
    # a group of linked accounts (a reissued card) was read as one: each stream and flag gets its
    # own account back (detector.links)
    streams, flags = own_accounts(streams, flags, tx)
    return conform_streams(streams), conform_flags(flags)


def _decisions_frame(cancellations: pd.DataFrame | None, dismissed) -> pd.DataFrame:
    """User decisions in :func:`detector.decisions.load_decisions` shape."""
    parts = []
    if cancellations is not None and not cancellations.empty:
        # a cancellation of one stream (``cancel --stream``) carries its id and charges
        by_stream = "transaction_ids" in cancellations and "stream_id" in cancellations
        parts.append(pd.DataFrame({
            "kind": "cancel",
            "account_id": cancellations["account_id"].astype(str).to_numpy(),
            "merchant": cancellations["merchant"].to_numpy(),
            "target_id": cancellations["stream_id"].to_numpy(dtype=object) if by_stream else None,
            "on_date": cancellations["cancelled_on"].astype(str).to_numpy(),
            "transaction_ids": cancellations["transaction_ids"].to_numpy(dtype=object) if by_stream else None,
        }))
    if dismissed:
        # a set of ids, or ids -> the dismissed stream's charges (JSON list or None)
        charges = dismissed if isinstance(dismissed, dict) else {}
        parts.append(pd.DataFrame({"kind": "dismiss", "target_id": sorted(dismissed),
                                   "transaction_ids": [charges.get(t) for t in sorted(dismissed)]}))
    columns = ["kind", "account_id", "merchant", "target_id", "on_date", "transaction_ids"]
    if not parts:
        return pd.DataFrame(columns=columns)
    # every column in every case: dismissals alone have no merchant or date
    return pd.concat(parts, ignore_index=True).reindex(columns=columns)


def _user_decisions(store: Store) -> tuple[pd.DataFrame, dict[str, str | None]]:
    from .decisions import load_decisions

    decisions = load_decisions(store)
    if decisions.empty:
        return pd.DataFrame(columns=["account_id", "merchant", "cancelled_on"]), {}
    cancels = decisions[decisions["kind"] == "cancel"]
    # a cancellation by stream (it keeps the stream's charges) names its stream; one by name
    # is matched to the streams afresh at each run, whatever it matched when recorded
    by_stream = cancels["transaction_ids"].notna()
    cancellations = cancels.rename(columns={"on_date": "cancelled_on"}).assign(
        stream_id=cancels["target_id"].where(by_stream, None))[
        ["account_id", "merchant", "cancelled_on", "stream_id", "transaction_ids"]
    ]
    # dismissed id -> the dismissed stream's charges (JSON), which find it under a new id
    d = decisions[(decisions["kind"] == "dismiss") & decisions["target_id"].notna()]
    dismissed = {t: (c if isinstance(c, str) else None) for t, c in zip(d["target_id"], d["transaction_ids"])}
    return cancellations.reset_index(drop=True), dismissed


def save_detection(store: Store, streams: pd.DataFrame, flags: pd.DataFrame, as_of: str,
                   account_ids, *, owed: dict[str, int] | None = None) -> None:
    """Replace the stored streams and flags of the scanned accounts in one transaction.

    Flags keep their first ``created_at`` so a re-run changes nothing a user could see. Flags of
    two accounts with one flag id (a transaction id both use) raise :class:`StoreError` before
    anything is written: stored, one would overwrite the other. The accounts' detection is no
    longer owed (:meth:`Store.clear_detection_owed`, with ``owed`` as read before the rows were).
    """
    from .engines.frames import shared_flag_ids

    clash = shared_flag_ids(flags)
    if clash:
        raise StoreError(clash)
    now = utcnow()
    account_ids = list(account_ids)
    stream_rows = []
    for rec in streams.to_dict("records"):
        rec = {k: rec.get(k) for k in STREAM_COLUMNS}
        rec["transaction_ids"] = json.dumps(list(rec["transaction_ids"]))
        rec["as_of"] = as_of
        rec["updated_at"] = now
        stream_rows.append(rec)
    known = {}
    if account_ids:
        marks = ",".join("?" for _ in account_ids)
        known = dict(store.conn.execute(
            f"SELECT flag_id, created_at FROM flags WHERE account_id IN ({marks})", account_ids
        ).fetchall())
    flag_rows = []
    for rec in flags.to_dict("records"):
        row = {k: rec.get(k) for k in ("flag_id", "type", "transaction_id", "account_id", "merchant",
                                       "stream_id", "date", "amount", "severity", "reason", "refunded_on",
                                       "description")}
        row["created_at"] = known.get(row["flag_id"], now)
        flag_rows.append(row)
    with store.conn:
        if account_ids:
            marks = ",".join("?" for _ in account_ids)
            store.conn.execute(f"DELETE FROM streams WHERE account_id IN ({marks})", account_ids)
            store.conn.execute(f"DELETE FROM flags WHERE account_id IN ({marks})", account_ids)
        replace_rows(store, "streams", stream_rows, pk="stream_id")
        replace_rows(store, "flags", flag_rows, pk="flag_id")
        store.record_detections(account_ids, as_of)
        store.clear_detection_owed(account_ids, owed)


def refund_process_lookup():
    """Vendor name -> refund-process id, from the vendor catalogue's ``refund_process`` links."""
    from .catalog import load_vendors
    from .refund_builder import lookup_from_vendors

    return lookup_from_vendors(load_vendors())


def run_detection(store: Store, as_of: str | date | None = None, *, account_id: str | None = None,
                  engine: str = "local", transactions: pd.DataFrame | None = None,
                  accounts=None, progress: Progress | None = None, workers: int | None = 1) -> ScanResult:
    """Detect, save streams and flags, queue refund candidates (and withdraw the candidates
    whose charge the scanned accounts no longer flag).

    By default every stored account (or ``account_id``) is detected, read from the store in
    batches of whole accounts so memory does not grow with the store. A caller that already holds
    some accounts' rows (:func:`scan`) passes them as ``transactions`` (exactly what the store holds
    for those accounts) and names in ``accounts`` the other accounts to read from the store.
    ``progress`` sees a stage "detect" counted in transactions, then "save". ``workers`` > 1
    (0: one per CPU) detects the local engine's batches in that many processes
    (:mod:`detector.engines.workers`); the result is the same.

    The accounts of a Plaid item that has stopped syncing (:func:`detector.freshness.sync_problems`)
    are detected as of the day it last synced, their streams' evidence saying so: judged as of
    ``as_of``, the charges the bank has not sent since made their plans "ended".

    A run asked for some accounts also detects those whose stored rows no detection has looked at
    (:meth:`Store.detection_owed`: a scan killed after storing its rows), and names them in the
    result's ``owed_detected`` (a run of every account names those it detected).

    The steps, in order: the user's decisions; the stale accounts (:func:`_stale_accounts`); the
    rows this run was handed (:func:`_rows_handed`); the transfers between accounts
    (:func:`_pair_transfers`); detection of those rows and of the stored accounts' batches, each
    stale account's as of its own day; their streams' evidence (:func:`_judged_evidence`); then
    saving and the refund queue (:func:`_save_and_follow`) and the result (:func:`_result`).
    """
    from .links import account_groups, as_linked, linked_cancellations, members
    from .transfers import attach_transfers

    progress = progress or NoProgress()
    as_of = as_of_str(as_of)
    if transactions is None:
        accounts = accounts if accounts is not None else ([account_id] if account_id else None)
    elif accounts is None:
        accounts = []
    entries = store.detection_owed_entries()  # (read before any row is: see save_detection)
    owed = {a: marks for a, (marks, _) in entries.items()}
    owed_why = {a: why for a, (_, why) in entries.items()}
    cancellations, dismissed = _user_decisions(store)
    groups = account_groups(store)  # accounts the user linked (a reissued card): each group read as one
    cancellations = linked_cancellations(cancellations, groups)
    problems, judged = _stale_accounts(store, as_of, None if accounts is None else sorted({*accounts, *owed}),
                                       transactions)

    def detect(tx: pd.DataFrame, day: str = as_of):
        from .engines import run as run_engine

        found = run_engine(tx, day, engine=engine, cancellations=cancellations, dismissed=dismissed)
        progress.advance("detect", len(tx))
        return found

    results = []
    tx, scanned = _rows_handed(transactions, as_of, judged)
    asked = None if accounts is None else {*accounts, *scanned}
    tx, accounts = _linked_from_store(tx, scanned, accounts, groups)
    accounts = _with_owed(accounts, owed, scanned, judged)
    pairs, accounts = _pair_transfers(store, tx, as_of, accounts, scanned)
    if groups and accounts is not None:
        accounts = sorted(members(groups, accounts))
    batches = _stored_batches(store, as_of, accounts, whole=engine != "local", exclude=set(scanned) | set(judged),
                              groups=groups) if accounts is None or len(accounts) else []
    stale = _stored_batches(store, as_of, sorted(judged), whole=True) if judged else []
    progress.stage("detect", (0 if tx is None else len(tx)) + sum(rows for _, rows in batches + stale))
    stale_days: dict[str, list[str]] = {}  # each day stale accounts are judged as of -> those accounts
    for batch, _ in stale:
        for a in batch:
            stale_days.setdefault(judged[a], []).append(a)

    def stored(which):
        for batch, _ in which:
            part = store.transactions(until=as_of, accounts=batch, with_pending=True)
            store.release_memory()  # the pages just read are in the frame now
            scanned.update(batch)
            yield as_linked(attach_transfers(part, pairs), groups)

    if engine == "local":
        results = _detect_local(tx, stored(batches), as_of, workers, progress,
                                cancellations=cancellations, dismissed=dismissed)
        del tx
    else:
        if tx is not None:
            results.append(detect(tx))
            del tx
        results += [detect(part) for part in stored(batches)]
    for day, batch in sorted(stale_days.items()):  # (the engines take one as-of date a batch)
        for part in stored([(batch, 0)]):
            found = _detect_local(None, iter([part]), day, 1, progress, cancellations=cancellations,
                                  dismissed=dismissed) if engine == "local" else [detect(part, day)]
            results += [(_cancelled_since(s, part, cancellations, day, as_of), f) for s, f in found]
    progress.stage("save", None)
    streams, flags = _combine(results)
    if judged:
        streams = _judged_evidence(streams, {p["account_id"]: p for p in problems if p["account_id"] in judged})
    _save_and_follow(store, streams, flags, as_of, scanned, owed)
    result = _result(store, as_of, streams, flags, problems, account_id, groups)
    result.owed_detected = sorted(a for a in owed if a in scanned and (asked is None or a not in asked))
    result.owed_reasons = {a: owed_why.get(a, ["stored"]) for a in result.owed_detected}
    return result


def _linked_from_store(tx: pd.DataFrame | None, scanned: set, accounts, groups: dict):
    """``(tx, accounts)``: the rows handed of accounts the user linked to others (a reissued
    card, :mod:`detector.links`) taken out of ``tx`` (and ``scanned``) and their accounts added
    to ``accounts``, so that each group is read whole from the store (where the handed rows
    are already), as one account."""
    linked = {a for a in scanned if a in groups}
    if not linked:
        return tx, accounts
    scanned -= linked
    tx = tx[~tx["account_id"].isin(list(linked))]
    tx = tx if len(tx) else None
    return tx, sorted({*(accounts or []), *linked})


def _with_owed(accounts, owed: dict, handed: set, judged: dict):
    """The ``accounts`` a run was asked for, with those whose detection is owed
    (:meth:`Store.detection_owed`) that it was not handed the rows of nor judges as stale
    accounts (those are detected anyway); ``None`` (every account) stays."""
    if accounts is None:
        return None
    extra = set(owed) - set(accounts) - handed - set(judged)
    return sorted({*accounts, *extra}) if extra else accounts


def _stale_accounts(store: Store, as_of: str, accounts, transactions: pd.DataFrame | None):
    """Sync health: ``(problems, judged)``, the sync problems of the store's Plaid items
    (:func:`detector.freshness.sync_problems`) and, for the accounts of an item that stopped
    syncing before ``as_of``, the day their plans are judged as of (account -> day), of the
    accounts this run detects (``accounts``, the accounts of ``transactions``) when it names them."""
    from .freshness import sync_problems

    problems = sync_problems(store, as_of)
    # account -> the day its plans are judged as of, for the stale accounts asked for
    judged = {p["account_id"]: p["judged_as_of"] for p in problems if p["account_id"] and p["judged_as_of"] < as_of}
    if judged and accounts is not None:
        held = set(accounts) | (set(transactions["account_id"].unique()) if transactions is not None else set())
        judged = {a: d for a, d in judged.items() if a in held}
    return problems, judged


def _rows_handed(transactions: pd.DataFrame | None, as_of: str, judged: dict):
    """``(tx, scanned)``: the rows the caller handed (``transactions``) up to ``as_of``, less
    those of the stale accounts ``judged`` (read back from the store, as of their own day), and
    the accounts they hold; ``(None, set())`` when it handed none."""
    scanned = set()
    tx = None
    if transactions is not None:
        later = transactions["date"] > as_of
        # a filtered copy of a million rows would be held next to the caller's frame during detection
        tx = transactions[~later] if later.any() else transactions.copy(deep=False)
        if judged and tx["account_id"].isin(list(judged)).any():  # (read back below, as of their day)
            tx = tx[~tx["account_id"].isin(list(judged))]
        scanned.update(tx["account_id"].unique())
    return tx, scanned


def _pair_transfers(store: Store, tx: pd.DataFrame | None, as_of: str, accounts, scanned: set):
    """Transfer pairing: ``(pairs, accounts)``, the transfers between the database's accounts
    and ``tx``'s (:func:`_run_transfers`), marked on ``tx``, and ``accounts`` with the stored
    accounts those of this run pair with (:mod:`detector.transfers`)."""
    from .transfers import TRANSFER_COLUMN, attach_transfers

    # Transfers between the database's accounts are paired over all of them (and this scan's rows)
    # before the accounts are split into batches; an account stored before whose money pairs with
    # an account detected now is detected again with it (detector.transfers)
    pairs = _run_transfers(store, tx, as_of, in_memory=set(scanned))
    if accounts is not None and len(pairs):
        detected = set(accounts) | scanned
        partners = set(pairs.loc[pairs["account_id"].isin(detected), TRANSFER_COLUMN]) - detected
        if partners:
            accounts = sorted(set(accounts) | partners)
    if tx is not None:
        attach_transfers(tx, pairs)
    return pairs, accounts


def _save_and_follow(store: Store, streams: pd.DataFrame, flags: pd.DataFrame, as_of: str, scanned: set,
                     owed: dict | None = None) -> None:
    """Save the ``scanned`` accounts' streams and flags, queue refund candidates for the flags,
    withdraw the candidates whose charge is no longer flagged, and follow the filed requests
    (:func:`detector.refunds.follow_filed`: a filed request's money came back, ...)."""
    from .refunds import follow_filed, queue_refunds, withdraw_unflagged

    save_detection(store, streams, flags, as_of, sorted(scanned), owed=owed)
    queue_refunds(store, flags, as_of, process_for_vendor=refund_process_lookup())
    withdraw_unflagged(store, flags, sorted(scanned))
    follow_filed(store, flags, sorted(scanned), as_of)  # a filed request's money came back, ...


def _result(store: Store, as_of: str, streams: pd.DataFrame, flags: pd.DataFrame, problems: list,
            account_id: str | None, groups: dict | None = None) -> ScanResult:
    """What :func:`run_detection` returns: the streams and flags (of ``account_id`` alone when
    named, with the accounts linked to it), the refund requests of the flags or past
    candidates, and the sync problems."""
    from .links import members
    from .refunds import list_requests

    flag_ids = set(flags["transaction_id"]) if not flags.empty else set()
    shown = members(groups or {}, [account_id]) if account_id else set()
    requests = [r for r in list_requests(store, account_id=None if len(shown) > 1 else account_id)
                if (r["transaction_id"] in flag_ids or r["status"] != "Candidate")
                and (not shown or r["account_id"] in shown)]
    if account_id and len(streams) + len(flags):
        # (the accounts its transfers pair it with were detected again too, and stored: not asked for)
        streams = streams[streams["account_id"].isin(shown)].reset_index(drop=True)
        flags = flags[flags["account_id"].isin(shown)].reset_index(drop=True)
    return ScanResult(as_of=as_of, streams=streams, flags=flags, refund_requests=requests,
                      sync_problems=[p for p in problems if account_id is None or p["account_id"] == account_id])


def _cancelled_since(streams: pd.DataFrame, tx: pd.DataFrame, cancellations: pd.DataFrame, day: str,
                     as_of: str) -> pd.DataFrame:
    """The streams of stale accounts, judged as of ``day`` (their item's last sync), with the
    cancellations the user recorded after that day and up to ``as_of`` applied: what the bank has
    not sent is unknown, but a cancellation is the user's own word (twenty-second session: a plan
    cancelled while its item needed a new login showed active until the item synced again).
    Only the streams' status and next charge change; no charge after ``day`` is known to flag.

    Not a second copy of the cancellation rules: the status (``cancelled``, unless the plan
    billed again) and the next charge come from :func:`detector.decisions.apply_decisions`, the
    step that ends :func:`detect_account`, applied here to the cancellations of the window
    ``(day, as_of]`` the engine's pass (as of ``day``) left out. ``charge_after_cancellation``
    is not re-derived: a flag needs a charge after the date, and none after ``day`` is known.
    It stays a pass after the engines rather than a second date given to them (detection as of
    ``day``, decisions as of ``as_of``) because that would (1) change what every engine and any
    ``detect`` function passed to :func:`detector.engines.run` is called with (local workers,
    chunked, Spark), and (2) not give the same streams: one pass would judge whether a plan
    cancelled on or before ``day`` missed its next charge (:func:`detector.decisions._missed_next`,
    which then clears it) against the account's rows up to ``as_of`` instead of up to ``day``;
    they differ where the account has rows after its item's last sync (stored from a file)."""
    from .decisions import apply_decisions
    from .engines import conform_streams

    if streams.empty or cancellations is None or cancellations.empty:
        return streams
    on = cancellations["cancelled_on"].astype(str)
    since = cancellations[(on > day) & (on <= as_of)
                          & cancellations["account_id"].astype(str).isin(set(streams["account_id"].astype(str)))]
    if since.empty:
        return streams
    out, _ = apply_decisions(streams, None, _decisions_frame(since.reset_index(drop=True), None), tx=tx, as_of=as_of)
    return conform_streams(out)


def _judged_evidence(streams: pd.DataFrame, problems: dict[str, dict]) -> pd.DataFrame:
    """The streams of stale accounts, their evidence saying as of which day they were judged and
    why (:func:`detector.freshness.stale_note`)."""
    from .freshness import stale_note

    if streams.empty:
        return streams
    notes = streams["account_id"].map({a: stale_note(p) for a, p in problems.items()})
    has = notes.notna()
    if not has.any():
        return streams
    evidence = streams["evidence"].astype(object)
    streams = streams.copy()
    streams["evidence"] = evidence.where(~has, evidence.fillna("").astype(str) + "; " + notes)
    return streams


def _run_transfers(store: Store, tx: pd.DataFrame | None, as_of: str, *, in_memory: set) -> pd.DataFrame:
    """The transfers between the accounts of the database and of ``tx`` (the accounts
    ``in_memory``, read from ``tx`` rather than the store), rows up to ``as_of``: what
    :func:`detector.transfers.paired_rows` gives. The stored accounts are read a batch of
    accounts at a time, their few columns only, and kept as keys (about 50 bytes a row)."""
    from .transfers import KEY_INPUT_COLUMNS, no_pairs, paired_rows, transfer_keys

    batches = _stored_batches(store, as_of, None, exclude=in_memory)
    if len(in_memory) + sum(len(b) for b, _ in batches) < 2:  # (one account: nothing to pair)
        return no_pairs()
    parts = [transfer_keys(tx, as_of)] if tx is not None and len(tx) else []
    for batch, _ in batches:
        parts.append(transfer_keys(store.transactions(until=as_of, accounts=batch, columns=KEY_INPUT_COLUMNS),
                                   as_of))
        store.release_memory()
    keys = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return paired_rows(keys)


def _detect_local(tx: pd.DataFrame | None, stored, as_of: str, workers: int | None, progress: Progress,
                  **kwargs) -> list:
    """The local engine over ``tx`` (in batches of ``DETECT_BATCH_ROWS`` rows) and then each
    batch ``stored`` yields, through one set of ``workers``: a batch is read while others are
    detected."""
    from .engines import canonical_transactions
    from .engines.local import batch_frames
    from .engines.workers import detect_batches

    def frames():
        if tx is not None:
            yield from batch_frames(canonical_transactions(tx), DETECT_BATCH_ROWS)
        for part in stored:
            part = canonical_transactions(part)  # the frame as read is let go
            yield part

    return detect_batches(frames(), as_of, workers=workers,
                          on_batch=lambda rows: progress.advance("detect", rows), **kwargs)


def _stored_batches(store: Store, as_of: str, accounts, *, whole: bool = False,
                    exclude=frozenset(), groups: dict | None = None) -> list[tuple[list[str], int]]:
    """Stored accounts (all, or those named, less ``exclude``) in batches of about
    ``DETECT_BATCH_ROWS`` rows: ``(accounts, rows)`` pairs.

    ``whole`` gives one batch (Spark spreads the accounts itself). The accounts of a group the
    user linked (``groups``, :func:`detector.links.account_groups`) go in one batch, side by side.
    """
    counts = store.account_row_counts(until=as_of)
    if accounts is None:
        counts = {a: n for a, n in counts.items() if a not in exclude}
    else:
        wanted = set(accounts) - exclude
        counts = {a: n for a, n in counts.items() if a in wanted}
    if groups:
        order = sorted(counts, key=lambda a: (groups.get(a, a), a))
        counts = {a: counts[a] for a in order}
    batches, batch, rows = [], [], 0
    for account, n in counts.items():
        within = bool(groups) and bool(batch) and groups.get(account, account) == groups.get(batch[-1], batch[-1])
        if batch and not whole and not within and rows + n > DETECT_BATCH_ROWS:
            batches.append((batch, rows))
            batch, rows = [], 0
        batch.append(account)
        rows += n
    if batch:
        batches.append((batch, rows))
    return batches


def _combine(results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One (streams, flags) pair from several detections, in the engines' row order."""
    from .engines import conform_flags, conform_streams

    if len(results) == 1:
        return results[0]
    if not results:
        return conform_streams(None), conform_flags(None)
    return (conform_streams(pd.concat([s for s, _ in results], ignore_index=True)),
            conform_flags(pd.concat([f for _, f in results], ignore_index=True)))


def scan(paths, store: Store, as_of: str | date | None = None, *, account_id: str | None = None,
         format: str | None = None, columns=None, payment_method: str | None = None,
         cancellations_file: str | Path | None = None, engine: str = "local",
         progress: Progress | None = None, workers: int | None = 1) -> ScanResult:
    """Ingest statement files, then detect, flag and queue refunds: the analyst's one command.

    ``progress`` sees the stages "read" (files), "detect" (transactions) and "save"; ``workers``
    is passed to :func:`run_detection`.
    """
    from .decisions import load_cancellations_file, record_cancellations
    from .engines import canonical_transactions
    from .engines.frames import TX_ORDER, sort_rows
    from .engines.workers import start_early
    from .faults import crashpoint
    from .importers import ingest_files
    from .links import account_groups, members

    progress = progress or NoProgress()
    as_of = as_of_str(as_of)  # a date it cannot read stops the scan before anything is stored
    # and so does a cancellations file with a bad row: read before any statement is (round-44
    # audit: the statements were stored, then the file refused, and no detection ran)
    cancellations = load_cancellations_file(cancellations_file) if cancellations_file is not None else None
    if engine == "spark":  # and so does a Spark engine that is not installed
        from .engines.spark import require_pyspark

        require_pyspark()
    start_early(workers if engine == "local" else 1)  # the workers load while the files are read
    paths = list(paths)
    stored_before = _stored_accounts(store)
    frames: list[pd.DataFrame] = []
    progress.stage("read", len(paths))
    results = ingest_files(paths, store, format=format, account_id=account_id,
                           columns=columns, payment_method=payment_method,
                           progress=lambda _: progress.advance("read"), on_rows=frames.append)
    crashpoint("scan.stored")  # (rows committed, their detection owed: Store.detection_owed)
    # The page cache kept from storing the rows (up to 256 MiB) is of no use to detection.
    store.release_memory()
    if cancellations is not None:
        record_cancellations(store, cancellations)
    scanned_accounts = {a for r in results if r.ok for a in (r.accounts or [r.account_id]) if a}
    only = account_id if account_id else None
    if only:
        # --account names the files that name no account; files that name theirs (an OFX's
        # ACCTID) were stored under those, and are detected too. The report shows --account.
        result = run_detection(store, as_of, accounts=sorted(scanned_accounts | {only}), engine=engine,
                               progress=progress, workers=workers)
        shown = members(account_groups(store), [only])  # (with the accounts linked to it)
        result.streams = result.streams[result.streams["account_id"].isin(shown)].reset_index(drop=True)
        result.flags = result.flags[result.flags["account_id"].isin(shown)].reset_index(drop=True)
        result.refund_requests = [r for r in result.refund_requests if r["account_id"] in shown]
    elif not scanned_accounts:
        result = run_detection(store, as_of, engine=engine, progress=progress, workers=workers)
    else:
        # Accounts new to the store hold exactly this scan's rows: detect those in memory. The
        # others (older history, or a file streamed in chunks) are read back in account batches.
        streamed = {a for r in results if r.ok and r.streamed for a in r.accounts}
        in_memory = scanned_accounts - stored_before - streamed
        held = [r for r in results if r.ok and not r.streamed]
        # Every held row was new to the store, so the frames hold each id once (INSERT OR IGNORE
        # stored them all): no need to hash a million ids again to drop duplicates.
        tx = _fresh_transactions(frames, in_memory,
                                 every_account=in_memory.issuperset(a for r in held for a in r.accounts),
                                 unique_ids=all(r.duplicates == 0 for r in held), results=results)
        del frames
        # Sorted here, a column at a time, the engine finds the rows already in order and keeps
        # them: detection then holds one copy of the rows, not this frame and a sorted copy of it.
        tx = canonical_transactions(tx, sort=False)  # shares the columns; the old frame is gone
        sort_rows(tx, TX_ORDER, inplace=True)
        result = run_detection(store, as_of, engine=engine, transactions=tx,
                               accounts=sorted(scanned_accounts - in_memory), progress=progress, workers=workers)
    if not only and scanned_accounts:
        # Report what this scan's files are about, not every account ever stored: the accounts
        # they hold and those the user linked to them (one account's history: detector.links)
        scanned_accounts = members(account_groups(store), scanned_accounts)
        keep = result.streams["account_id"].isin(scanned_accounts)
        result.streams = result.streams[keep].reset_index(drop=True)
        result.flags = result.flags[result.flags["account_id"].isin(scanned_accounts)].reset_index(drop=True)
        result.refund_requests = [r for r in result.refund_requests if r["account_id"] in scanned_accounts]
        result.sync_problems = [p for p in result.sync_problems if p["account_id"] in scanned_accounts]
    elif only:
        result.sync_problems = [p for p in result.sync_problems if p["account_id"] == only]
    result.ingest = results
    return result


def _stored_accounts(store: Store) -> set[str]:
    return {row[0] for row in store.conn.execute("SELECT DISTINCT account_id FROM transactions")}


def _fresh_transactions(frames: list[pd.DataFrame], accounts: set[str], *, every_account: bool = False,
                        unique_ids: bool = False, results=()) -> pd.DataFrame:
    """This scan's rows of ``accounts`` as the store now holds them (accounts new to the store).

    ``every_account``: ``accounts`` covers every account in ``frames`` (nothing to filter out);
    ``unique_ids``: no id occurs twice in ``frames`` (see :func:`detector.store.as_stored`);
    ``results``: the files' ingest results, whose ``redated_rows`` a later file of the account
    gave its earlier dates in the store (a QFX's posting dates, the CSV read after it in the same
    scan dating them by transaction): the rows here get them too, else detection judged the
    posting dates, a charge of a cancellation's day flagged, in one file order only (round-52 audit).
    """
    from .importers.ingest import apply_new_dates
    from .store import as_stored

    frames = [f for f in frames if len(f)]
    if not frames or not accounts:
        return as_stored(pd.DataFrame())
    fresh = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    fresh = apply_new_dates(fresh, results)
    if not every_account:
        fresh = fresh[fresh["account_id"].isin(accounts)]
    return as_stored(fresh, unique_ids=unique_ids)


def stored_result(store: Store, *, account_id: str | None = None, since: str | None = None) -> ScanResult:
    """What the last detection stored, as a :class:`ScanResult` (for ``subdetect report``)."""
    from .freshness import sync_problems

    streams, flags, requests, as_of, dates = _stored_frames(store, account_id=account_id, since=since)
    before_since = []
    if since:
        requests, before_since = _requests_since(requests, flags, since)
    # (as of the last run's date: what the items' state says of the data that run saw)
    problems = [p for p in sync_problems(store, str(as_of)) if account_id is None or p["account_id"] == account_id]
    return ScanResult(as_of=str(as_of), streams=streams, flags=flags, refund_requests=requests,
                      sync_problems=problems, notes=stored_notes(store, account_id), accounts_as_of=dates,
                      requests_before_since=before_since)


def _requests_since(requests: list[dict], flags: pd.DataFrame, since: str) -> tuple[list[dict], list[dict]]:
    """``(kept, left_out)``: the refund requests for charges on or after ``since``, as the flags
    are, and the others. A request opened by hand (`refunds open`) answers no flag and goes by its
    charge's date (round-56 audit: every such request left `report --since` whatever its date);
    a request whose charge date is not stored goes by its flag's."""
    flagged = set(flags["transaction_id"])
    kept, left_out = [], []
    for r in requests:
        charged = r.get("charge_date")
        recent = r["transaction_id"] in flagged or (isinstance(charged, str) and charged[:10] >= since)
        (kept if recent else left_out).append(r)
    return kept, left_out


def stored_notes(store: Store, account_id: str | None = None) -> list[dict]:
    """The notes earlier scans stored that still apply (:func:`detector.account_notes.open_notes`),
    of ``account_id`` and the accounts linked to it when given. A store that cannot hold them yet
    (opened read-only before its upgrade) has none."""
    from .account_notes import open_notes
    from .links import account_groups, members

    if "account_notes" not in store.db.table_names():
        return []
    return open_notes(store, sorted(members(account_groups(store), [account_id])) if account_id else None)


def _stored_frames(store: Store, *, account_id: str | None = None, since: str | None = None):
    """The stored streams, flags and refund requests with the decisions taken since the last run
    applied (:func:`_decided_since_run`), and the last run's as-of date."""
    from .links import account_groups, members
    from .refunds import list_requests

    groups = account_groups(store)
    shown = sorted(members(groups, [account_id])) if account_id else []  # (with the accounts linked to it)
    where, params = [], []
    if account_id:
        where.append("account_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(shown))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    streams = pd.read_sql_query(f"SELECT * FROM streams{clause} ORDER BY account_id, merchant", store.conn,
                                params=params)
    if streams.empty:
        streams = empty_streams()
    else:
        streams["transaction_ids"] = streams["transaction_ids"].map(json.loads)
    # each account's streams were detected as of that account's last run; the report is as of
    # the latest of them (and says which accounts are as of an earlier day: render_scan)
    run_as_of = detected_dates(store, shown or None, streams)
    as_of = max(run_as_of.values(), default=None)
    if account_id and as_of is None:
        # an account with nothing stored is reported as of the store's last run, as the whole
        # store would be, not as of today (round-51 audit: its JSON's "as_of" was today's date)
        as_of = max(detected_dates(store).values(), default=None)
    if as_of is None:  # (a store from before migration 18 whose runs stored no stream: the run log's)
        as_of = store.conn.execute("SELECT MAX(as_of) FROM runs").fetchone()[0]
    as_of = as_of_str(as_of)  # (no detection ever ran: today)
    streams = streams[list(STREAM_COLUMNS)]
    fwhere, fparams = [], []
    if account_id:
        fwhere.append("f.account_id IN (SELECT value FROM json_each(?))")
        fparams.append(json.dumps(shown))
    if since:
        fwhere.append("f.date >= ?")
        fparams.append(since)
    fclause = (" WHERE " + " AND ".join(fwhere)) if fwhere else ""
    flags = pd.read_sql_query(
        "SELECT f.*, s.vendor, s.channel, t.description AS _row_description FROM flags f "
        "LEFT JOIN streams s ON s.stream_id = f.stream_id "
        "LEFT JOIN transactions t ON t.transaction_id = f.transaction_id"
        f"{fclause} ORDER BY f.account_id, f.date",
        store.conn, params=fparams,
    )
    # the descriptor of the charge's stored row; the flag's own copy where no row is stored (the
    # Spark job's ``--db`` stores streams and flags only: round-forty-two audit)
    flags["description"] = flags.pop("_row_description").astype(object).where(
        lambda d: d.notna(), flags["description"].astype(object))
    flags = empty_flags() if flags.empty else flags[list(FLAG_COLUMNS)]
    requests = list_requests(store, account_id=None if len(shown) > 1 else account_id)
    if len(shown) > 1:
        requests = [r for r in requests if r["account_id"] in shown]
    streams, flags, requests = _decided_since_run(store, streams, flags, requests, str(as_of), run_as_of, groups)
    return streams, flags, requests, as_of, run_as_of


def detected_dates(store: Store, accounts=None, streams: pd.DataFrame | None = None) -> dict[str, str]:
    """Each account's last detection's as-of date, of ``accounts`` or all of them: what the store
    recorded (:meth:`Store.detection_dates`: also for an account where nothing was found), else
    (a store from before migration 18) the date its stored streams (``streams``, as read from the
    store, or those stored) were detected as of."""
    dates = store.detection_dates(accounts)
    if streams is None:
        where = "" if accounts is None else " WHERE account_id IN (SELECT value FROM json_each(?))"
        params = [] if accounts is None else [json.dumps(sorted(map(str, accounts)))]
        older = dict(store.conn.execute(f"SELECT account_id, MAX(as_of) FROM streams{where} GROUP BY account_id",
                                        params))
    elif "as_of" in streams and len(streams):
        older = streams.groupby("account_id")["as_of"].max().to_dict()
    else:
        older = {}
    for account, day in older.items():
        if account not in dates and isinstance(day, str) and day:
            dates[str(account)] = day
    return dates


def sync_dismissed_candidates(store: Store, account_id: str) -> tuple[int, int]:
    """After a dismissal is recorded or undone: the account's refund candidates whose flag the
    recorded decisions now leave out are withdrawn at once, those whose flag is back restored.

    ``dismiss`` records a decision that the next run applies; until then ``report`` already left
    the flag and its candidate out, but ``refunds list`` still listed the candidate as eligible and
    ``refunds draft`` drafted it (round-thirty-seven audit). A withdrawn candidate stays stored,
    hidden from every listing and lookup (:func:`detector.refunds.set_withdrawn`), so that
    ``decisions undo`` restores it as it was; the next run deletes it, as a run withdraws any
    candidate whose charge it no longer flags. Returns ``(withdrawn, restored)``."""
    from .refunds import set_withdrawn

    _, kept, _, _, _ = _stored_frames(store, account_id=account_id)
    stored = {row[0] for row in store.conn.execute("SELECT flag_id FROM flags WHERE account_id = ?", [account_id])}
    return set_withdrawn(store, account_id, stored - set(kept["flag_id"]))


def _decided_since_run(store: Store, streams: pd.DataFrame, flags: pd.DataFrame, requests: list[dict],
                       as_of: str, run_as_of: dict | None = None,
                       groups: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """The stored result with the decisions taken since the last run already in it.

    ``dismiss`` and ``cancel`` only record a decision; the next run applies it. Until then the
    report applies them to what is stored as a run would (:func:`detector.decisions.apply_decisions`):
    what was dismissed is left out, with its flags and their unsent refund candidates, and a
    cancelled stream shows as cancelled once the run's as-of date reaches the date. Charges after
    a cancellation are flagged by the next run.

    The cancellations are judged on the stored charges, as the run judged them: a plan billing
    again months after its cancellation was taken up again and stays active (round-twenty-four
    audit: judged without the charges, `report` showed as cancelled, and hid, the plan `scan`
    had just listed active). ``run_as_of``: each account's last run's as-of date; the charges
    read are those that run saw. The accounts the user linked (``groups``,
    :mod:`detector.links`) are one account here too, as in a run: a cancellation recorded
    against the old card holds for the plan shown on the new one.
    """
    from .decisions import apply_decisions, load_decisions
    from .links import linked_cancellations

    decisions = load_decisions(store)
    if decisions.empty:
        return streams, flags, requests
    tx = _charges_for_cancellations(store, streams, decisions, as_of, run_as_of or {}, groups)
    own = None
    if groups:
        own = dict(zip(streams["stream_id"], streams["account_id"]))
        decisions = linked_cancellations(decisions, groups)
        streams = linked_cancellations(streams, groups)
        if tx is not None:
            tx = linked_cancellations(tx, groups)
    streams, kept = apply_decisions(streams, flags, decisions, tx=tx, as_of=as_of)
    if own is not None:
        streams = streams.assign(account_id=streams["stream_id"].map(own))
    gone = set(flags["flag_id"]) - set(kept["flag_id"])
    requests = [r for r in requests if not (r["status"] == "Candidate" and r.get("flag_id") in gone)]
    return streams, kept, requests


def _charges_for_cancellations(store: Store, streams: pd.DataFrame, decisions: pd.DataFrame, as_of: str,
                               run_as_of: dict, groups: dict | None = None) -> pd.DataFrame | None:
    """The stored transactions of the accounts with both streams and a cancellation, each up to
    its last run's as-of date (what that run detected on); None when there are none (or no rows).
    An account the user linked to others (``groups``) brings theirs: they are one account."""
    from .links import members

    cancels = decisions[decisions["kind"] == "cancel"]
    if cancels.empty or streams.empty:
        return None
    cancelled = set(cancels["account_id"].dropna().astype(str))
    with_streams = set(streams["account_id"].astype(str))
    if groups:
        cancelled, with_streams = members(groups, cancelled), members(groups, with_streams)
    accounts = sorted(cancelled & with_streams)
    if not accounts:
        return None
    tx = store.transactions(until=as_of, accounts=accounts)
    if run_as_of and not tx.empty:
        until = tx["account_id"].map(run_as_of).fillna(as_of).astype(str)
        tx = tx[tx["date"].astype(str) <= until].reset_index(drop=True)
    # no stored charge (streams stored without their rows): judged from the streams' dates, as
    # without ``tx`` (an empty frame made `apply_decisions` fail, and so `dismiss`, which applies them)
    return tx if not tx.empty else None
