"""Round-twenty-four audit: Revolut's download names, CommBank (Australia), RBC (Canada), Santander
UK's .txt statement, and ``--columns`` suggestions that paste as given.

Each file is small and in the bank's real layout (see the layouts' docstrings in
``detector/importers/csv_banks.py`` and ``santander_txt.py``).
"""

from __future__ import annotations

from detector.importers import ingest_files, read_statement
from detector.importers.naming import account_from_filename

REVOLUT_HEADER = "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"


def write(tmp_path, name, text, encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


# -- Revolut ----------------------------------------------------------------------------------------


def test_revolut_downloads_named_with_their_random_code_are_one_account(tmp_path, store):
    # Revolut names a download account-statement_<from>_<to>_<language>_<6 random hex>.csv: the code
    # stayed in the account, so each download was an account of its own and a price rise across two
    # downloads was never seen (round-twenty-four audit)
    for name, account in [("account-statement_2024-05-01_2024-12-31_en_4f2a9c.csv", "account-statement_en"),
                          ("account-statement_2025-01-01_2025-06-30_en_b71e03.csv", "account-statement_en"),
                          ("account-statement_2025-01-01_2025-06-30_en-gb_23c711.csv", "account-statement_en-gb"),
                          ("account-statement_2025-01-01_2025-06-30_en_b71e03 (1).csv", "account-statement_en"),
                          ("account-statement_2025-01-01_2025-06-30_en-us.csv", "account-statement_en-us"),
                          # not Revolut's pattern: six characters ending another name may be the account's
                          ("acct_2025-01-05_abc123.csv", "acct_abc123"),
                          ("statement_2025-01-01_2025-06-30_en_b71e03.csv", "statement_en_b71e03"),
                          ("account-statement_2025-01-01_2025-06-30_4f2a9c.csv", "account-statement_4f2a9c"),
                          ("account-statement_en_4f2a9c.csv", "account-statement_en_4f2a9c")]:
        assert account_from_filename(name) == account, name
    first = write(tmp_path, "account-statement_2024-11-01_2024-12-31_en_4f2a9c.csv", REVOLUT_HEADER
                  + "CARD_PAYMENT,Current,2024-11-07 22:33:21,2024-11-08 08:12:10,Netflix International B.V.,"
                    "-13.49,0.00,EUR,COMPLETED,179.74\n"
                  + "CARD_PAYMENT,Current,2024-12-07 22:33:21,2024-12-08 08:12:10,Netflix International B.V.,"
                    "-13.49,0.00,EUR,COMPLETED,166.25\n")
    second = write(tmp_path, "account-statement_2025-01-01_2025-06-30_en_b71e03.csv", REVOLUT_HEADER
                   + "CARD_PAYMENT,Current,2025-01-07 07:22:15,2025-01-08 18:33:27,Netflix International B.V.,"
                     "-15.99,0.00,EUR,COMPLETED,150.26\n"
                   + "CARD_PAYMENT,Current,2025-03-03 10:11:12,,Paramount+,-7.99,0.00,EUR,DECLINED,\n"
                   + "CARD_PAYMENT,Current,2025-04-05 10:11:12,,Bol.com,-23.50,0.00,EUR,REVERTED,\n"
                   + "CARD_PAYMENT,Current,2025-06-29 10:11:12,,Spotify AB,-10.99,0.00,EUR,PENDING,\n")
    results = ingest_files([first, second], store)
    assert {r.account_id for r in results} == {"account-statement_en"}
    assert set(store.transactions()["account_id"]) == {"account-statement_en"}
    # the rows that moved no money are kept out, each named by file and line, saying why
    (_, two) = results
    assert (two.rows_read, two.stored, two.rejected) == (4, 1, 3)
    reasons = {r["source_line"]: r["reason"] for r in two.rejections}
    assert set(reasons) == {3, 4, 5} and {r["source_file"] for r in two.rejections} == {str(second)}
    assert "declined, no money moved" in reasons[3] and "re-import" not in reasons[3]
    assert "reverted, no money moved" in reasons[4]
    assert "re-import once it completes" in reasons[5]  # a pending payment will complete
    for engine in ("rows", "columns"):
        assert [r["reason"] for r in read_statement(second, engine=engine).rejected] == list(reasons.values())
