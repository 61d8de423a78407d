"""The report form: a pure engine over the form definition in config.toml, and its rendering."""
