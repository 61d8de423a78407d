"""Fixtures live in tests/support/fixtures.py and helpers in tests/support/; this file only registers them."""
pytest_plugins = ["tests.support.fixtures"]
