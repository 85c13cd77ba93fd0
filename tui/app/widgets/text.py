"""Case text is data: shown literally, never as Rich markup, never as terminal escapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.text import Text

from ...core.case import show_controls


def plain(value: Any) -> str:
    """A value as one display string with control characters made visible (``\\x1b``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, date | datetime):
        text = value.isoformat()
    elif isinstance(value, list):
        text = "；".join(plain(v) for v in value)
    else:
        text = str(value)
    return show_controls(text.replace("\n", " ⏎ ").strip())


def literal(value: Any, style: str = "") -> Text:
    """A Rich Text that shows ``value`` exactly as written (``[bold]`` stays ``[bold]``)."""
    return Text(plain(value), style=style)


def visible(text: str) -> str:
    """Multi-line text with its layout kept and control characters made visible."""
    return show_controls(text)
