"""Field paths as case-format.md writes them: ``annex1[3].contract_yuan`` (rows 1-based)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

Part = str | int  # a key, or a 1-based row number
_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


class PathError(ValueError):
    """A field path that cannot be read; the message says what right looks like."""


class Missing:
    """No value: a key left out of the file (a field not filled in, a row a side lacks)."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = Missing()


def parse_path(path: str) -> tuple[Part, ...]:
    """``"annex1[3].date"`` → ``("annex1", 3, "date")``. Row numbers are 1-based."""
    if not path:
        raise PathError("字段路径为空；应写成如 applicant.lead.mobile 或 annex1[3].date")
    parts: list[Part] = []
    for piece in path.split("."):
        m = _TOKEN.fullmatch(piece)
        if not m:
            raise PathError(
                f"字段路径 {path!r} 无法识别（{piece!r}）；应写成如 applicant.lead.mobile 或 annex1[3].date"
            )
        parts.append(m.group(1))
        for idx in _INDEX.findall(m.group(2)):
            n = int(idx)
            if n < 1:
                raise PathError(f"字段路径 {path!r} 的行号从 1 开始")
            parts.append(n)
    return tuple(parts)


def format_path(parts: Sequence[Part]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


_MISSING = object()


def get_at(data: Any, parts: Sequence[Part], default: Any = None) -> Any:
    """The value at a parsed path, or ``default`` when any step is missing."""
    cur = data
    for part in parts:
        if isinstance(part, int):
            if not isinstance(cur, list) or not 1 <= part <= len(cur):
                return default
            cur = cur[part - 1]
        else:
            if not isinstance(cur, dict):
                return default
            cur = cur.get(part, _MISSING)
            if cur is _MISSING:
                return default
    return cur
