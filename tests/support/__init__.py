"""Test support: a fake Bot API session and a chat client that drives the real dispatcher."""
