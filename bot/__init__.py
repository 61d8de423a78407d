"""Bastau: the monthly reporting bot of primary party organizations."""
from bot.telegram import lazy_models

lazy_models.install()  # before anything imports aiogram
