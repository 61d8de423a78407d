"""Local stand-ins for Telegram: a Bot API server for tests, the web sandbox and benchmarks."""
