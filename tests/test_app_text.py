"""What the TUI shows of case text: literal, with control and bidi characters made visible."""

from __future__ import annotations

from tui.app.widgets.text import literal, plain


def test_escape_and_bidi_override_are_shown_as_codes_not_obeyed() -> None:
    shown = plain("北京\x1b[31m红\u202e字\x9b")
    assert "\x1b" not in shown and "\u202e" not in shown and "\x9b" not in shown
    assert "\\x1b[31m" in shown and "202e" in shown and "北京" in shown


def test_markup_stays_text() -> None:
    assert literal("[bold]重要[/bold] [link=http://x]点[/link]").plain == (
        "[bold]重要[/bold] [link=http://x]点[/link]"
    )
