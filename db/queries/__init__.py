"""Queries, one module per table group; all SQL takes parameters."""
