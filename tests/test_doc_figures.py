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
