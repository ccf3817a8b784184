"""The merchant stage as the pipelines use it."""

from detector.match import enrich

__all__ = ["enrich"]
