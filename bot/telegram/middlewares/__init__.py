"""Per-update middlewares: text normalization, the user's row and role. (Each update is handled once:
the inbox, bot/telegram/inbox.py, replaces the old deduplication middleware.)"""
