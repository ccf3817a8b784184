"""Statement importers: bank CSV layouts and OFX/QFX files into canonical transactions.

    from detector.importers import read_statement, ingest_files
    st = read_statement("chase.csv")            # layout detected from the file's own header
    results = ingest_files(["a.csv", "b.ofx"], store)

See ``docs/importers.md`` for the layouts and how to add a bank.
"""

from __future__ import annotations

from .base import Importer, Reject, Row
from .csv_banks import LAYOUTS, MappedCsv, parse_columns
from .csv_layout import CsvLayout
from .ingest import IngestResult, ingest_files, store_statement
from .naming import account_from_filename
from .ofx import OfxImporter
from .reader import (
    Statement,
    all_importers,
    format_names,
    get_importer,
    iter_statement_chunks,
    read_statement,
)
from .santander_txt import SantanderTxt

__all__ = [
    "LAYOUTS",
    "CsvLayout",
    "Importer",
    "IngestResult",
    "MappedCsv",
    "OfxImporter",
    "Reject",
    "Row",
    "SantanderTxt",
    "Statement",
    "account_from_filename",
    "all_importers",
    "format_names",
    "get_importer",
    "ingest_files",
    "iter_statement_chunks",
    "parse_columns",
    "read_statement",
    "store_statement",
]
