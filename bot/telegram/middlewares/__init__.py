"""Per-update middlewares: the user's row and role (each update is handled once: bot/telegram/inbox.py)."""
