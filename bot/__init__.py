"""Bastau: the monthly reporting bot of primary party organizations."""
