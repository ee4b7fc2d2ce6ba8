"""Queries: the FilterSpec, full-text search and the read-only repository over the reference database."""
