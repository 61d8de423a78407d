"""Fixtures live in tests/support/ and helpers too; this file only registers the fixture modules."""
pytest_plugins = ["tests.support.fixtures", "tests.support.apiserver", "tests.support.process",
                  "tests.support.postgres", "tests.support.redis"]
