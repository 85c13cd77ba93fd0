"""The Textual face of Anjuan: screens over ``tui.core`` (never the other way round)."""
