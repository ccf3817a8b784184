"""Australian card lines end with the town and a state cut to two letters (round-forty-one audit).

ANZ writes ``NETFLIX.COM  MELBOURNE  VI AUS``, ``KAYO SPORTS  MELBOURNE  VI AUS``, ``... SYDNEY  NS
AUS``, ``... BRISBANE  QL AUS``. The normaliser dropped ``AUS`` and a state that is also a US state
or a Canadian province (WA, NS, NT) but kept ``VI``, ``QL``, ``TA``, ``AC``, ``VIC``, ``QLD`` and with
them the town: "Kayo Sports Melbourne VI" was a merchant of its own, matched to no vendor, and one
plan billed from two towns was two merchants. The state goes now, after a town word, when Australia
is named after it or the town is Australian, and the town with it where the gazetteer knows it, as
for US states. A name keeps its words.
"""

from __future__ import annotations

import json

import pytest

from detector.cli import cli
from detector.normalize import normalize_one


@pytest.mark.parametrize("raw, key, name", [
    ("KAYO SPORTS              MELBOURNE    VI AUS", "kayo sports", "Kayo Sports"),
    ("KAYO SPORTS              SYDNEY       NS AUS", "kayo sports", "Kayo Sports"),
    ("NETFLIX.COM              MELBOURNE    VI AUS", "netflix com", "Netflix.com"),
    ("BINGE.COM.AU             MELBOURNE    VI AUS", "binge com", "Binge.com.au"),
    ("WOOLWORTHS 3344          BRISBANE     QL AUS", "woolworths", "Woolworths"),
    ("WOOLWORTHS 3344 BRISBANE QL", "woolworths", "Woolworths"),  # an Australian town: no AUS needed
    ("KAYO SPORTS MELBOURNE VIC", "kayo sports", "Kayo Sports"),
    ("BUNNINGS HOBART TA", "bunnings", "Bunnings"),
    ("TELSTRA CANBERRA AC AUS", "telstra", "Telstra"),
    ("SPOTIFY SYDNEY N AUS", "spotify", "Spotify"),
    ("AGL SALES BRISBANE QL AUS", "agl sales", "Agl Sales"),
    ("SERVICE NSW SYDNEY NS AUS", "service nsw", "Service NSW"),  # one state only: NSW is the name's
    ("BANK OF MELBOURNE VI AUS", "bank of melbourne", "Bank of Melbourne"),  # a town after OF is the name's
])
def test_the_town_s_state_is_no_part_of_the_merchant(raw, key, name):
    assert normalize_one(raw)[:2] == (key, name)


@pytest.mark.parametrize("raw, key", [
    ("NETFLIX.COM", "netflix com"),
    ("NETFLIX.COM VI AUS", "netflix com vi"),  # no town before the code: the name's
    ("SPOTIFY N AUS", "spotify n"),
    ("FINAL FANTASY VI", "final fantasy vi"),  # not after an Australian town, nor before AUS
    ("GTA VI", "gta vi"),
    ("SERVICE NSW", "service nsw"),
    ("TRANSPORT FOR NSW", "transport for nsw"),
    ("PIZZA BY VIC", "pizza by vic"),
    ("ELECTRIC AC", "electric ac"),
    ("AGL SALES QLD", "agl sales qld"),  # a catalogue alias: no town before QLD
    ("CAMPOS COFFEE NEWTOWN NEWTOWN NS AUS", "campos coffee newtown newtown"),  # unknown town stays, as for US
])
def test_names_keep_their_words(raw, key):
    assert normalize_one(raw)[0] == key


def test_one_plan_billed_from_two_towns_is_one_merchant(runner, tmp_path):
    # a studio's membership on an ANZ card, its card line naming Melbourne, then Sydney (its
    # acquirer moved): two merchants, "Zenith Yoga Studio Melbourne VI" and "Zenith Yoga Studio",
    # each half a plan, before
    lines = [f'{3:02d}/{m:02d}/2025,"-59.95","ZENITH YOGA STUDIO       {town}"'
             for m, town in [(m, "MELBOURNE    VI AUS") for m in range(1, 7)]
             + [(m, "SYDNEY       NS AUS") for m in range(7, 13)]]
    lines += [f'{14:02d}/{m:02d}/2025,"-84.10","WOOLWORTHS 3344          BRISBANE     QL AUS"' for m in range(1, 13)]
    path = tmp_path / "anz.csv"
    path.write_text("\n".join(reversed(lines)) + "\n")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(path), "--db", str(db), "--as-of", "2025-12-20", "--format", "json",
                                 "--columns", "date=#1,amount=#2,description=#3,date_format=%d/%m/%Y,currency=AUD"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    studio = [s for s in doc["streams"] if "Zenith" in s["merchant"]]
    assert [(s["merchant"], s["frequency"], len(s["transaction_ids"])) for s in studio] == [
        ("Zenith Yoga Studio", "monthly", 12)]
