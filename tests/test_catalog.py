"""The vendor catalogue: packaged data, schema validation, user overrides."""

from __future__ import annotations

import pytest

from detector.catalog import CHANNELS, load_vendors, vendors_in
from detector.catalog.vendors import ENV_VAR
from detector.errors import CatalogError, NotFound

GOOD = """
[[vendor]]
name = "Joe's Lawn Care"
category = "other"
cadence = ["monthly"]
channels = ["direct"]
aliases = ["JOES LAWN CARE"]
"""


def write(tmp_path, text, name="user.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_packaged_catalogue_is_large_and_valid():
    cat = load_vendors(user_path=None)
    assert len(cat) >= 300
    cats = {v.category for v in cat}
    for needed in ["streaming", "software", "news", "fitness", "food", "cloud_storage", "vpn", "dating",
                   "gaming", "telecom", "utilities", "insurance", "membership"]:
        assert needed in cats
    assert all(set(v.channels) <= set(CHANNELS) for v in cat)
    assert all(v.aliases for v in cat)


def test_seed_vendors_link_their_refund_process():
    cat = load_vendors()
    assert cat.get("PRO Back Office").refund_process == "pro-back-office"
    assert cat.get("pro360").refund_process == "pro360"
    assert cat.get("OT Track").refund_process == "ot-track"
    assert cat.get("Netflix").refund_process is None


def test_vendors_in_names_the_category_members_only():
    lenders = vendors_in(frozenset({"bnpl"}))
    assert {"Klarna", "Affirm", "Afterpay"} <= lenders
    assert "Netflix" not in lenders
    bills = vendors_in(frozenset({"utilities", "telecom"}))
    assert bills and not bills & lenders
    assert vendors_in(frozenset()) == frozenset()


def test_get_unknown_vendor_raises_not_found():
    with pytest.raises(NotFound):
        load_vendors().get("No Such Vendor")


@pytest.mark.parametrize(
    "field_line, message",
    [
        ('category = "streeming"', "'category'"),
        ('cadence = ["fortnightly"]', "'cadence'"),
        ('channels = ["venmo"]', "'channels'"),
        ('patterns = ["(unclosed"]', "'patterns'"),
        ('refund_process = "Not An Id!"', "'refund_process'"),
        ('url = "ftp://example.com"', "'url'"),
        ('aliases = [""]', "'aliases'"),
        ('colour = "blue"', "unknown field(s) colour"),
    ],
)
def test_validation_names_entry_and_field(tmp_path, field_line, message):
    base = {
        "category": 'category = "other"', "cadence": 'cadence = ["monthly"]',
        "channels": 'channels = ["direct"]', "aliases": 'aliases = ["ACME"]',
    }
    key = field_line.split(" ")[0]
    base[key] = field_line
    text = '[[vendor]]\nname = "Acme Box"\n' + "\n".join(base.values()) + "\n"
    p = write(tmp_path, text)
    with pytest.raises(CatalogError) as err:
        load_vendors(path=p)
    assert "vendor #1 ('Acme Box')" in str(err.value)
    assert message in str(err.value)
    assert str(p) in str(err.value)


def test_missing_name_duplicate_and_bad_toml(tmp_path):
    with pytest.raises(CatalogError, match="'name' is required"):
        load_vendors(path=write(tmp_path, '[[vendor]]\ncategory = "other"\n'))
    with pytest.raises(CatalogError, match="duplicates vendor #1"):
        load_vendors(path=write(tmp_path, GOOD + GOOD.replace("Joe's", "Joes")))
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_vendors(path=write(tmp_path, "[[vendor]\nname="))
    with pytest.raises(CatalogError, match="cannot read"):
        load_vendors(path=tmp_path / "missing.toml")


def test_user_catalogue_adds_overrides_and_disables(tmp_path):
    user = write(tmp_path, GOOD + """
[[vendor]]
name = "Netflix"
category = "streaming"
cadence = ["annual"]
channels = ["direct"]
aliases = ["NETFLIX"]
refund_process = "my-netflix"

[[vendor]]
name = "Hulu"
disabled = true
""")
    base = load_vendors(user_path=None)
    cat = load_vendors(user_path=user)
    assert len(cat) == len(base)  # one added, one removed
    assert cat.get("Joe's Lawn Care").aliases == ("JOES LAWN CARE",)
    assert cat.get("Netflix").cadence == ("annual",)
    assert cat.get("Netflix").refund_process == "my-netflix"
    with pytest.raises(NotFound):
        cat.get("Hulu")
    assert cat.sources[-1] == str(user)


def test_an_edited_user_catalogue_is_read_again(tmp_path):
    path = write(tmp_path, GOOD)
    assert load_vendors(user_path=path).get("Joe's Lawn Care").cadence == ("monthly",)
    assert load_vendors(user_path=path) is not load_vendors(user_path=path)  # callers get their own
    write(tmp_path, GOOD.replace('cadence = ["monthly"]', 'cadence = ["weekly", "monthly"]'))
    assert load_vendors(user_path=path).get("Joe's Lawn Care").cadence == ("weekly", "monthly")
    # an edit of the same size, with the modification time put back (cp -p, rsync -t)
    import os

    stamp = os.stat(path).st_mtime_ns
    write(tmp_path, GOOD.replace('cadence = ["monthly"]', 'cadence = ["annual", "monthly"]'))
    os.utime(path, ns=(stamp, stamp))
    assert load_vendors(user_path=path).get("Joe's Lawn Care").cadence == ("annual", "monthly")


def test_env_var_points_at_user_catalogue(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, GOOD)))
    assert load_vendors().get("Joe's Lawn Care").category == "other"


def test_bad_user_catalogue_fails_loudly(tmp_path):
    with pytest.raises(CatalogError, match="user.toml: vendor #1"):
        load_vendors(user_path=write(tmp_path, GOOD.replace('"other"', '"otherr"')))


def test_to_frame_filters():
    df = load_vendors().to_frame(category="vpn")
    assert len(df) >= 5 and set(df["category"]) == {"vpn"}
    df = load_vendors().to_frame(channel="roku")
    assert df["channels"].str.contains("roku").all()
