"""Synthetic data for tests and benchmarks (``listings``: listing documents shaped like
docs/listing-document.md, from a seed)."""
