"""Command palette provider: go to a field by its Chinese label or its TOML path."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ...core.paths import PathError, parse_path


class FieldProvider(Provider):
    """Offers every field of the open case: ``推送信息数量`` or ``targets.info_pushes``."""

    def _fields(self) -> list[tuple[str, str]]:
        fields: Any = getattr(self.screen, "field_index", None)
        return list(fields() if callable(fields) else [])

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        jump = getattr(self.screen, "jump_to", None)
        if jump is None:
            return
        q = query.strip()
        try:
            parts = parse_path(q)
        except PathError:
            parts = ()
        if parts and any(isinstance(p, int) for p in parts):
            yield Hit(1.0, f"转到 {q}", partial(jump, q), help="按字段路径转到")
        for path, label in self._fields():
            text = f"{label}  {path}"
            score = max(matcher.match(label), matcher.match(path))
            if q and (q in (path, label)):
                score = 1.0
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(jump, path), help="转到字段")

    async def discover(self) -> Hits:
        jump = getattr(self.screen, "jump_to", None)
        if jump is None:
            return
        for path, label in self._fields()[:40]:
            yield DiscoveryHit(f"{label}  {path}", partial(jump, path), help="转到字段")
