"""Everything that is not a screen. Never imports Textual (a test enforces it)."""
