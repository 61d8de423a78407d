"""Benchmarks and fault drills of Bastau (see bench/README.md).

Importing the bot first installs its lazy building of aiogram's models (bot/telegram/lazy_models.py)
before any benchmark module imports aiogram; bench/stock_bot.py runs as a plain script, stock.
"""
import bot  # noqa: F401
