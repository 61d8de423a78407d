"""Running as several processes (issue 14): the roles of `bastau run --role`, the one leader among the
workers, the dialog state on Redis. With SQLite everything runs in one process (`--role all`)."""
