"""Batch jobs. Each one only composes library calls from :mod:`detector`."""
