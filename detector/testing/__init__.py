"""Test seams shipped with the library: real servers that stand in for outside services."""
