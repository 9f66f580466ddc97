"""Hall configs: schema, loading with line-accurate problems, TOML round trip."""
