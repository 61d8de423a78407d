"""The work behind the handlers: plain async functions over repositories, no Telegram types."""
