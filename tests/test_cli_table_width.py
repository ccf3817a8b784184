"""The default terminal table sized from its content and the terminal (round-51 audit).

On an 80-column terminal names broke mid-word ("HelloFre / sh") and account ids were cut into
pieces; at 200 columns the Account column still stopped at 14 characters, so an id copied for
``--account`` was wrong; piped output was 100 wide whatever ``COLUMNS`` said.
"""

from __future__ import annotations

import re

import pytest

from detector.cli import cli
from detector.column_widths import fit_widths, min_widths

#: Three accounts, each id longer than the old 14-character Account column.
PLANS = {
    "Household_Checking_2291": [("RIVERSIDE COMMUNITY FITNESS CLUB", -39.00),
                                ("GREENLEAF MUNICIPAL WATER UTILITY", -48.20)],
    "Rewards_Visa_7781": [("NETFLIX.COM", -15.49), ("BLUEHARBOR MEAL KITS", -64.95)],
    "card-0042": [("SPOTIFY USA", -11.99)],
}


@pytest.fixture
def household_db(runner, tmp_path):
    rows = ["account_id,date,description,amount"]
    for account, plans in PLANS.items():
        for description, amount in plans:
            rows += [f"{account},2024-{m:02d}-05,{description},{amount:.2f}" for m in range(1, 13)]
    rows += [f"Rewards_Visa_7781,{y}-03-10,ADOBE *CREATIVE CLOUD,-119.00" for y in (2023, 2024)]
    rows.append("card-0042,2024-11-06,SPOTIFY USA,-11.99")  # a double charge: a flag and a request
    statement = tmp_path / "household.csv"
    statement.write_text("\n".join(rows) + "\n")
    db = tmp_path / "h.db"
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(db), "--as-of", "2024-12-31",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return db


def _report(runner, db, columns: int | None) -> str:
    env = {"COLUMNS": str(columns)} if columns else {}
    result = runner.invoke(cli, ["report", "--db", str(db)], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\S+", text))


def _merchants() -> list[str]:
    return ["Riverside Community Fitness Club", "Greenleaf Municipal Water Utility", "Blueharbor Meal Kits",
            "Netflix", "Spotify", "Adobe Creative Cloud"]


@pytest.mark.parametrize("columns", [80, 100, 200])
def test_account_ids_whole_and_no_name_broken_mid_word(runner, household_db, columns):
    out = _report(runner, household_db, columns)
    assert max(len(line) for line in out.splitlines()) <= columns
    words = _tokens(out)
    for account in PLANS:  # whole, as `--account` takes them
        assert account in words, (account, out)
    for name in _merchants():
        for word in name.split():  # wrapped between words, never inside one
            assert word in words, (word, out)
    for word in ("Candidate", "duplicate", "charge", "2025-01-05", "2024-11-06", "119.00"):
        assert word in words, (word, out)


def test_a_wide_terminal_gives_the_account_a_column_and_names_one_line(runner, household_db):
    out = _report(runner, household_db, 200)
    active = out.split("Active subscriptions")[1].split("Total")[0]
    assert re.search(r"Merchant +Account +Frequency", active)
    for account, plans in PLANS.items():
        for description, _ in plans:
            name = description.title().replace(".Com", "").replace(" Usa", "")
            assert any(name in line and account in line for line in active.splitlines()), (name, active)


def test_a_narrow_terminal_puts_the_account_under_the_merchant(runner, household_db):
    active = _report(runner, household_db, 80).split("Active subscriptions")[1].split("Total")[0]
    assert "Account" not in active.splitlines()[2]
    lines = active.splitlines()
    netflix = next(i for i, line in enumerate(lines) if "Netflix" in line)
    assert lines[netflix + 1].split() == ["Rewards_Visa_7781"]


def test_piped_output_follows_columns_else_100(runner, household_db):
    narrow, wide, plain = (_report(runner, household_db, c) for c in (80, 200, None))
    assert narrow != wide
    assert max(len(line) for line in wide.splitlines()) > 100
    assert 80 < max(len(line) for line in plain.splitlines()) <= 100


def test_the_total_names_its_currency(runner, household_db):
    out = _report(runner, household_db, 100)
    total = next(line for line in out.splitlines() if line.strip().startswith("Total"))
    assert total.split() == ["Total", "189.55", "USD"]


# -- the width planner ---------------------------------------------------------------------------

def test_widths_are_left_to_rich_when_everything_fits():
    assert fit_widths([["Name", "Netflix"], ["Note", "short"]], 40) is None


def test_words_are_kept_whole_while_they_fit_and_prose_takes_the_larger_share():
    name = ["Merchant", "Riverside Community Fitness Club"]
    account = ["Account", "Household_Checking_2291"]
    prose = ["What happened", "a long reason " * 10]
    widths = fit_widths([name, account, prose], 70, whole=[False, True, False], ratio=[1, 1, 2])
    assert sum(widths) <= 70
    assert widths[0] >= len("Community") and widths[1] == len("Household_Checking_2291")
    assert widths[2] > widths[0]


def test_when_words_must_break_prose_goes_first_then_headers_then_ids_and_amounts_last():
    cols = [["Vendor", "Adobe\nRewards_Visa_Signature_7781"], ["Status", "Candidate"],
            ["Amount", "119.00"], ["Frequency", "monthly"]]
    one_line = [False, False, True, True]
    assert sum(min_widths(cols, one_line)) == 27 + 9 + 6 + 9
    w = fit_widths(cols, 47, one_line=one_line, whole=[True, False, False, False])
    assert w == [27, 5, 6, 9]  # the prose column gives way first
    w = fit_widths(cols, 43, one_line=one_line, whole=[True, False, False, False])
    assert w == [26, 4, 6, 7]  # then "Frequency" (a header: "monthly" stays whole), then the id
    w = fit_widths(cols, 30, one_line=one_line, whole=[True, False, False, False])
    assert w == [13, 4, 6, 7]  # the amount is never folded while the id can give way


def test_a_table_whose_words_cannot_all_fit_is_left_to_rich_when_asked():
    cols = [["Note", "x" * 50], ["Other", "y" * 50]]
    assert fit_widths(cols, 60, break_words=False) is None
    assert fit_widths(cols, 60) == [30, 30]


def test_a_status_word_gives_way_only_after_the_ids():
    # round 28: a refund request's status wraps between its words ("Pending (charge removed by
    # the bank ...)"), and was taken for prose: the first column broken ("Pendin / g")
    cols = [["Vendor", "Adobe\nRewards_Visa_Signature_7781"], ["Status", "Candidate"],
            ["Amount", "119.00"], ["Frequency", "monthly"]]
    w = fit_widths(cols, 47, one_line=[False, False, True, True], whole=[True, False, False, False],
                   keep_words=[False, True, False, False])
    assert w == [25, 9, 6, 7]


def _refund_section(accounts: list[str], width: int = 80) -> str:
    import datetime as dt

    from detector.report import render_scan

    statuses = ["Pending", "Processing", "Partially Refunded", "Candidate"]
    requests = [{"request_id": f"r_{i}", "transaction_id": f"t_{i}", "account_id": account,
                 "vendor": vendor, "amount": 17.99, "currency": "USD", "status": status, "eligible": True,
                 "deadline": "2025-07-16", "expected_by": "2025-07-09", "charge_date": "2025-06-16",
                 "flag_type": "duplicate_charge", "payment_method": "credit_card", "history": []}
                for i, (account, vendor, status) in enumerate(zip(accounts, ["Riverside Community Fitness Club",
                                                                              "Blueharbor Meal Kits", "Netflix",
                                                                              "Spotify"], statuses))]
    requests[0]["charge_removed_on"] = "2025-06-20"  # "Pending (charge removed by the bank on ...)"
    out = render_scan(None, None, requests, "table", as_of=dt.date(2025, 6, 30), width=width)
    return out.split("Refund requests")[1]


@pytest.mark.parametrize("accounts", [
    ["Household_Checking_2291", "Rewards_Visa_7781", "card-0042", "joint-4821"],
    # ids so long that words must break somewhere even folded up: the ids give way, not the statuses
    ["Household_Checking_Account_Number_000000002291", "Rewards_Visa_7781", "card-0042", "joint-4821"],
])
def test_refund_statuses_stay_whole_at_80_columns_with_several_accounts(accounts):
    section = _refund_section(accounts)
    assert max(len(line) for line in section.splitlines()) <= 80
    words = _tokens(section)
    for word in ("Pending", "Processing", "Partially", "Refunded", "Candidate", "(charge", "removed", "withdraw"):
        assert word in words, (word, section)
    if len(accounts[0]) < 30:
        assert all(a in words for a in accounts)  # and the ids whole, where they can be
