"""A bill's month in its descriptor, read from one account's rows: ``MIETE NOV``, ``RENT DEC``,
``LOYER JANV``, ``HAUSVERWALTUNG KRAUSE NOVEMBER``.

The normaliser drops a month named in full after a bill's purpose word (``MIETE NOVEMBER``:
``normalize._drop_period_months``) and any month with its year; it cannot drop an abbreviated
month or a month after a name on its own, which are as often part of a name: ``PUBLIX SUPER MAR
5813`` is a store, ``MAY'S KITCHEN`` a restaurant. Left in, each month of a rent is a merchant of
its own and the rent is no stream.

What gives the bill's month away is the account's own history: after and before the same words,
the month changes from one payment to the next and follows the payment's date. A store's
``MAR`` is the same on every row. :func:`mask_period_months` replaces a month word by the
canonical code ``Q0Q`` (which the normaliser drops as a reference) where, in one account, the
descriptors that read the same with their month words blanked out

- name :data:`MIN_MONTHS` or more different months, and
- every row names the month it was paid in, or one next to it (:data:`LAG_MONTHS`: rent for
  December paid on 28 November, a bill for October paid in December), the same lag give or take
  a month (a payment rolled across a month's end), so the month moves with the date.

A month written with a day beside it (Barclays' card lines ``CAFFE NERO 535 ON 18 SEP BCC``,
``... SEP 18``, ``18-SEP``) is the day of the purchase, not a bill's period: the normaliser drops
that date whole (:data:`DAY_MONTH`), and masking its month alone left the day in the key, a
merchant per day of the month that bought on the same day in three months (round-48 audit).
Such month words are never masked.

Everything is decided from the account's own rows and their dates, as the per-charge codes are
(:mod:`detector.charge_codes`): running one account gives the keys running all of them gives.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .charge_codes import CODE

#: Month words of English, German, French, Spanish, Italian and Dutch statements, in full and
#: abbreviated, folded to ASCII upper case (``MÄRZ`` -> ``MARZ``, ``DÉC`` -> ``DEC``), by month.
MONTH_WORDS: dict[str, int] = {
    word: month
    for month, words in enumerate((
        "JAN JANUARY JANUAR JANUARI JANV JANVIER ENE ENERO GEN GENNAIO",
        "FEB FEBRUARY FEBRUAR FEBRUARI FEV FEVR FEVRIER FEBRERO FEBBRAIO",
        "MAR MARCH MARZ MAERZ MRZ MAART MRT MARS MARZO",
        "APR APRIL AVR AVRIL ABR ABRIL APRILE",
        "MAY MAI MEI MAYO MAG MAGGIO",
        "JUN JUNE JUNI JUIN JUNIO GIU GIUGNO",
        "JUL JULY JULI JUIL JUILLET JULIO LUG LUGLIO",
        "AUG AUGUST AUGUSTUS AOUT AGO AGOSTO",
        "SEP SEPT SEPTEMBER SEPTEMBRE SEPTIEMBRE SETIEMBRE SET SETT SETTEMBRE",
        "OCT OCTOBER OKT OKTOBER OCTOBRE OCTUBRE OTT OTTOBRE",
        "NOV NOVEMBER NOVEMBRE NOVIEMBRE",
        "DEC DECEMBER DEZ DEZEMBER DECEMBRE DIC DICIEMBRE DICEMBRE",
    ), start=1)
    for word in words.split()
}
#: Different months a slot must name before its month words count as a bill's months: two could
#: be two shops' names (``JUNE'S NAILS``, ``MAY'S KITCHEN``), three that follow the dates are not.
MIN_MONTHS = 3
#: How far a named month may be from the month the row was paid in, either way.
LAG_MONTHS = 2

#: English month words as the normaliser reads them in a date (whole words: "MARY 4", "MARRIOTT 12").
MONTHS_EN = (r"(?:JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|"
             r"SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)(?![A-Z])")
#: A day with its month, the purchase date card lines carry ("ON 18 SEP", "18-SEP-25", "SEP 18",
#: "SEP 18, 2025"), on text with one space between words: the normaliser drops it as a date.
DAY_MONTH = (r"\b(?:ON )?\d{1,2}[ /-]?" + MONTHS_EN + r"(?:[ /-]?\d{2,4})?\b|\b" + MONTHS_EN
             + r" ?\d{1,2}(?:,? \d{4})?\b")
#: The same on the descriptors as they come (any run of spaces, any case); its month words stay.
_DAY_MONTH_RE = re.compile(r"\b(?:ON\s+)?\d{1,2}(?:\s*|[/-])" + MONTHS_EN + r"(?:(?:\s*|[/-])\d{2,4})?\b|\b" + MONTHS_EN
                           + r"\s*\d{1,2}(?:,?\s*\d{4})?\b", re.IGNORECASE)

_MONTH_RE = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(sorted(MONTH_WORDS, key=len, reverse=True))
                       + r")(?![A-Za-z0-9])", re.IGNORECASE)
#: RE2's form of it, to find the few texts worth reading in Python (a text with a letter outside
#: ASCII is read anyway: its month may be written with an accent).
_MONTH_RE2 = "(?i)(?:^|[^A-Za-z0-9])(?:" + "|".join(sorted(MONTH_WORDS)) + ")(?:[^A-Za-z0-9]|$)"
_LETTER_RE = re.compile(r"[A-Za-z]")


def _fold_each(text: str) -> str:
    """``text`` with each accented letter folded to its base letter, one character for one (so
    positions stay those of ``text``)."""
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
            continue
        base = "".join(b for b in unicodedata.normalize("NFKD", c) if not unicodedata.combining(b))
        out.append(base if len(base) == 1 else c)
    return "".join(out)


def _months_in(text: str) -> tuple[str, tuple[int, ...], list[tuple[int, int]]] | None:
    """``(slot, months, spans)``: ``text`` upper case with its month words blanked out, the months
    they name and where they are; None when it names none or nothing else with letters."""
    folded = _fold_each(text)
    dated = [m.span() for m in _DAY_MONTH_RE.finditer(folded)]
    spans, months = [], []
    for m in _MONTH_RE.finditer(folded):
        if any(a <= m.start() and m.end() <= b for a, b in dated):
            continue  # a purchase's date, dropped whole by the normaliser
        spans.append(m.span())
        months.append(MONTH_WORDS[m.group(1).upper()])
    if not spans:
        return None
    parts, at = [], 0
    for a, b in spans:
        parts.append(folded[at:a])
        at = b
    parts.append(folded[at:])
    slot = "\x00".join(parts).upper()
    if not _LETTER_RE.search(slot):
        return None
    return " ".join(slot.split()), tuple(months), spans


def _posting_months(dates) -> np.ndarray:
    """Months since year 0 of each date (ISO text or datetime), -1 where there is none."""
    parsed = pd.to_datetime(pd.Series(np.asarray(dates, dtype=object)), errors="coerce", format="mixed")
    ok = parsed.notna().to_numpy()
    out = np.full(len(parsed), -1, dtype=np.int64)
    out[ok] = parsed[ok].dt.year.to_numpy() * 12 + parsed[ok].dt.month.to_numpy() - 1
    return out


def mask_period_months(texts, row_text: np.ndarray, row_group: np.ndarray | None,
                       dates) -> tuple[pa.Array | np.ndarray, np.ndarray, np.ndarray | None]:
    """Replace a bill's month words (see the module docstring) in the descriptors of each row.

    ``texts`` are distinct descriptors (Arrow strings or a sequence), ``row_text[i]`` the text of
    row ``i``, ``row_group[i]`` its account (an int code; None: one account), ``dates[i]`` its
    posting date. Returns ``(new_texts, new_row_text, origin)``: the texts with the masked ones
    added after them (of the type given), each row's text, and the text each new text came from
    (None when nothing was masked). A text masked in one account and not in another gets a
    masked copy for the first.

    >>> texts = np.array(["MIETE OKT", "MIETE NOV", "MIETE DEZ", "PUBLIX SUPER MAR"], dtype=object)
    >>> new, rows, _ = mask_period_months(texts, np.array([0, 1, 2, 3, 3]), None,
    ...                                   ["2025-10-01", "2025-11-01", "2025-12-01", "2025-03-02", "2025-04-09"])
    >>> list(new[rows])
    ['MIETE Q0Q', 'MIETE Q0Q', 'MIETE Q0Q', 'PUBLIX SUPER MAR', 'PUBLIX SUPER MAR']
    """
    row_text = np.asarray(row_text, dtype=np.int64)
    if not len(texts) or not len(row_text) or dates is None:
        return texts, row_text, None
    arr = (texts.cast(pa.string()) if isinstance(texts, pa.Array)
           else pa.array([t if isinstance(t, str) else None for t in texts], type=pa.string()))
    maybe = np.asarray(pc.fill_null(pc.or_(pc.match_substring_regex(arr, _MONTH_RE2),
                                           pc.invert(pc.string_is_ascii(arr))), False).to_numpy(zero_copy_only=False),
                       dtype=bool)
    at = np.flatnonzero(maybe)
    found = {int(x): hit for x, text in zip(at.tolist(), arr.take(pa.array(at)).to_pylist())
             if (hit := _months_in(text)) is not None}
    if not found:
        return texts, row_text, None
    named = np.zeros(len(arr), dtype=bool)
    named[list(found)] = True
    rows = np.flatnonzero(named[row_text])
    if len(rows) < MIN_MONTHS:
        return texts, row_text, None
    t = row_text[rows]
    group = np.zeros(len(rows), np.int64) if row_group is None else np.asarray(row_group, np.int64)[rows]
    paid = _posting_months(np.asarray(dates, dtype=object)[rows])
    # each row's lag: its named month less the month it was paid in, the nearest of its month words
    lags = []
    for x, p in zip(t.tolist(), paid.tolist()):
        lags.append(min((((m - 1 - p % 12 + 6) % 12) - 6 for m in found[x][1]), key=abs) if p >= 0 else 99)
    frame = pd.DataFrame({"group": group, "slot": [found[x][0] for x in t.tolist()],
                          "months": [found[x][1] for x in t.tolist()], "lag": lags, "text": t})
    g = frame.groupby(["group", "slot"], sort=False)
    lag = g["lag"]
    ok = ((g["months"].transform("nunique") >= MIN_MONTHS) & (lag.transform("max") <= LAG_MONTHS)
          & (lag.transform("min") >= -LAG_MONTHS) & (lag.transform("max") - lag.transform("min") <= 1))
    pairs = frame.loc[ok.to_numpy(), ["group", "text"]].drop_duplicates()
    if pairs.empty:
        return texts, row_text, None
    masked = pd.unique(pairs["text"]).astype(np.int64)
    new = []
    for x in masked.tolist():
        text, spans = arr[x].as_py(), found[x][2]
        out, at_ = [], 0
        for a, b in spans:
            out.extend((text[at_:a], CODE))
            at_ = b
        new.append("".join(out) + text[at_:])
    index = np.full(len(arr), -1, dtype=np.int64)
    index[masked] = len(arr) + np.arange(len(masked))
    take = pd.MultiIndex.from_arrays([group, t]).isin(pd.MultiIndex.from_frame(pairs))
    out_rows = row_text.copy()
    out_rows[rows[take]] = index[t[take]]
    origin = np.r_[np.arange(len(arr)), masked]
    if isinstance(texts, pa.Array):
        return pa.concat_arrays([arr, pa.array(new, type=pa.string())]), out_rows, origin
    return np.asarray([*texts, *new], dtype=object), out_rows, origin
