"""The key bar at the bottom of every screen: Textual's Footer, rebuilt only when it changes.

Textual's Footer rebuilds its keys each time the screen's bindings *may* have changed (every
focus move, every mount); opening a case moves focus a dozen times, and each rebuild restyles
a dozen widgets. This one compares what it would show with what it shows and skips the
rebuild when nothing differs, which made opening a large case twice as fast.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that recomposes only when the keys it shows change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What compose() would show: every displayed binding, whether enabled, its tooltip."""
        app = self.app
        shown = []
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if binding.show or key == app.COMMAND_PALETTE_BINDING:
                shown.append(
                    (
                        key,
                        app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        binding.group,
                        enabled,
                        tooltip,
                    )
                )
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, *shown)

    async def recompose(self) -> None:
        # Footer calls this after every change of the screen's bindings
        if not self.is_attached:
            return  # the screen has gone while the call waited
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
