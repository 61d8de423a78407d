"""Storage: SQLite schema, numbered migrations, queries and the FSM storage."""
