"""Keys handled in the order they were typed, even when they arrive in one burst.

Textual runs a widget's (non-priority) key bindings only after the key has bubbled up to the
App, while the next keys are already being handed to the focused widget. When keys arrive
together (type-ahead over a slow SSH link, a terminal that sends them in one read), a
backspace or an Enter can so be applied after characters typed behind it: "Enter, ⌫, ⌫, 1, 3"
on a date cell became an empty date. The widgets of the row tables therefore run their own
bindings, and their ancestors', from ``on_key``: in order, before the next key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from textual import events
from textual.binding import ActiveBinding
from textual.dom import DOMNode
from textual.widget import Widget


async def run_binding_now(
    widget: Widget,
    event: events.Key,
    owners: Collection[DOMNode],
    bindings: Mapping[str, ActiveBinding] | None = None,
) -> bool:
    """Run the binding the screen has for this key now, if one of ``owners`` has it
    (``bindings``: the screen's active bindings, when the caller has them already).

    True when it ran (the key is then used up: not passed on, no default handling)."""
    active = (widget.screen.active_bindings if bindings is None else bindings).get(event.key)
    if active is None or active.node not in owners or not active.enabled:
        return False
    event.stop()
    event.prevent_default()
    await widget.app.run_action(active.binding.action, active.node)
    return True
