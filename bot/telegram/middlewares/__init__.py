"""Per-update middlewares: deduplication, the user's row and role, the locale."""
