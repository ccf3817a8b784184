"""Catalogue data shipped with the package: subscription vendors (and refund processes).

The data lives in files beside this module (``vendors.toml``); the loaders validate it and
raise :class:`~detector.errors.CatalogError` naming the entry and field at fault.
"""

from __future__ import annotations

from .vendors import (
    BILLING,
    CATEGORIES,
    CHANNELS,
    FIXED_PLAN_CATEGORIES,
    METERED_CATEGORIES,
    PLAN_ONLY_CATEGORIES,
    Catalog,
    Vendor,
    load_vendors,
    metered_vendors,
    per_seat_vendors,
    plan_only_vendors,
    seat_prices,
    usage_billed_vendors,
    vendor_key,
    vendors_in,
    yearly_plan_vendors,
)

__all__ = ["BILLING", "CATEGORIES", "CHANNELS", "FIXED_PLAN_CATEGORIES", "METERED_CATEGORIES", "PLAN_ONLY_CATEGORIES",
           "Catalog", "Vendor", "load_vendors", "metered_vendors", "per_seat_vendors", "plan_only_vendors",
           "seat_prices", "usage_billed_vendors", "vendor_key", "vendors_in", "yearly_plan_vendors"]
