"""Golden files: each bundled sample beside the canonical rows it must give.

A change in any importer shows up here as a diff. To accept an intended change, regenerate with
``UPDATE_GOLDEN=1 pytest tests/test_importers_golden.py`` and review ``git diff tests/golden``.
The samples themselves must be what ``pipelines/make_samples.py`` writes.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from detector.importers import read_statement

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SAMPLES = sorted(p.name for p in (ROOT / "data" / "samples").iterdir()
                 if p.is_file() and p.name != "cancellations.csv")


def canonical_text(name: str) -> str:
    st = read_statement(f"data/samples/{name}")
    return st.transactions.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_matches_golden(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # source_file is the path as given: keep it relative
    got = canonical_text(name)
    _assert_golden(got, GOLDEN / f"{Path(name).stem}.csv", name)


def _assert_golden(got: str, golden: Path, name: str) -> None:
    """``got`` is the golden file's text (``UPDATE_GOLDEN=1`` rewrites it, to be reviewed)."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file for {name}; run with UPDATE_GOLDEN=1 and review it"
    want = golden.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            f"{golden.relative_to(GOLDEN.parent)}", f"read_statement({name})", n=1))
        pytest.fail(f"canonical rows of {name} differ from the golden file:\n{diff[:4000]}")


#: Layouts with a statement under tests/data (not a bundled sample: the demo's report stays as
#: it is) and the format it must be detected as.
FIXTURES = {"nationwide_flexaccount.csv": "nationwide", "mint_transactions.csv": "mint"}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_layout_fixture_matches_golden(name, monkeypatch):
    # Nationwide: cp1252, CRLF, an "Account Name:" preamble naming the account; Mint: every amount
    # positive, its way in Transaction Type, two accounts in one export (seventeenth session's audit)
    monkeypatch.chdir(ROOT)
    st = read_statement(f"tests/data/{name}")
    assert st.format == FIXTURES[name] and st.rejected == []
    got = st.transactions.to_csv(index=False, lineterminator="\n")
    _assert_golden(got, GOLDEN / "fixtures" / f"{Path(name).stem}.csv", name)


def test_samples_are_what_the_generator_writes(tmp_path):
    from pipelines.make_samples import make_samples

    for path in make_samples(tmp_path):
        assert path.read_bytes() == (ROOT / "data" / "samples" / path.name).read_bytes(), path.name


def test_samples_cover_the_layouts_and_the_required_cases():
    from pipelines.make_samples import sample_statements

    assert sorted(p.name for p in sample_statements(ROOT / "data" / "samples")) == SAMPLES
    assert len(SAMPLES) >= 6
    chase = read_statement(ROOT / "data/samples/chase_card.csv").transactions
    netflix = chase[chase["description"].str.startswith("NETFLIX")]
    assert set(netflix["amount"]) == {-15.49, -17.99}
    assert chase["description"].str.startswith("PAYPAL *SPOTIFY").sum() == 24
    apple = chase[chase["description"].str.startswith("APPLE.COM/BILL")]
    assert set(apple["amount"]) == {-2.99, -10.99}
    assert chase["description"].str.startswith("Amazon Prime*").sum() == 2
    assert chase["description"].str.startswith("AMZN Mktp US*").sum() > 20
    amex = read_statement(ROOT / "data/samples/amex.csv").transactions
    hulu = amex[amex["description"].str.startswith("HULU")]
    assert (hulu["date"].str[:7] == "2025-02").sum() == 2  # the duplicate
    disney = amex[amex["description"].str.startswith("DISNEY")].sort_values("date")
    assert disney["amount"].iloc[0] == -1.00 and disney["amount"].iloc[1] == -13.99  # trial conversion
    cap = read_statement(ROOT / "data/samples/capital_one.csv").transactions
    for seed in ("PRO BACK OFFICE", "OT TRACK SUBSCRIPTION", "PRO360 CONTACT FEE"):
        assert (cap["description"] == seed).sum() == 24
    gym = cap[cap["description"].str.startswith("PLANET FITNESS 8")]
    assert (gym["date"] > "2025-01-20").sum() >= 5  # still charged after the cancellation
    cancellations = (ROOT / "data/samples/cancellations.csv").read_text().splitlines()
    assert cancellations[0] == "account_id,merchant,cancelled_on"
    # named by the account the card is stored under (round-fourteen audit: "capital_one" reached
    # no stored account, and the demo flagged none of the gym's charges after the date)
    assert f"{read_statement(ROOT / 'data/samples/capital_one.csv').account_id},Planet Fitness,2025-01-20" \
        in cancellations
