"""Figures the documentation states about what the tool ships agree with what it ships.

(round-twenty-four audit: README and docs/merchants.md said 556 catalogued vendors, while the
catalogue held 583 and docs/architecture.md said so)
"""

import re
from pathlib import Path

from detector.catalog import load_vendors

ROOT = Path(__file__).resolve().parents[1]
STATED = re.compile(r"(\d[\d,]*) (?:catalogued|real) subscription vendors|vendors\.toml` \((\d[\d,]*) vendors\)")


def test_the_vendor_count_the_docs_give_is_the_catalogue_s():
    vendors = load_vendors()
    stated = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for m in STATED.finditer(path.read_text(encoding="utf-8")):
            stated[f"{path.name}: {m.group(0)}"] = int((m.group(1) or m.group(2)).replace(",", ""))
    assert len(stated) >= 3, stated  # README, docs/merchants.md, docs/architecture.md
    assert {k: v for k, v in stated.items() if v != len(vendors)} == {}, f"the catalogue holds {len(vendors)}"
    categories = re.search(r"vendors and billers in (\d+) categories", (ROOT / "docs" / "merchants.md").read_text())
    assert int(categories.group(1)) == len({v.category for v in vendors})


FORMATS = re.compile(r"(\d+) (?:statement )?formats\b")
CSV_LAYOUTS = re.compile(r"(\d+) CSV layouts\b")


def test_the_format_counts_the_docs_give_are_the_importers():
    # twenty-third session: the README's first line said 31 CSV layouts, its importing section 41 formats
    from detector.importers import LAYOUTS, all_importers

    stated = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for pattern, truth in ((FORMATS, len(all_importers())), (CSV_LAYOUTS, len(LAYOUTS))):
            for m in pattern.finditer(text):
                stated[f"{path.name}: {m.group(0)}"] = (int(m.group(1)), truth)
    assert any(k.startswith("README.md: ") and "CSV layouts" in k for k in stated), stated
    assert {k: v for k, v in stated.items() if v[0] != v[1]} == {}
