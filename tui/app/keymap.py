"""The user's keymap file: binding id → keys, applied with ``App.set_keymap``.

``$ANJUAN_KEYMAP`` names the file, else ``$XDG_CONFIG_HOME/anjuan/keymap.toml``
(``~/.config/anjuan/keymap.toml``). Example::

    "editor.save" = "ctrl+w"
    "list.filter" = "f,slash"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path


def keymap_path() -> Path:
    env = os.environ.get("ANJUAN_KEYMAP")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "anjuan" / "keymap.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """(keymap, problem): an absent file is an empty keymap; a bad one says what to fix."""
    path = path or keymap_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"无法读取按键配置 {path}：{exc.strerror}"
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, f"按键配置 {path} 不是有效的 TOML（{exc}）；已使用默认按键"
    keymap = {str(k): v for k, v in data.items() if isinstance(v, str)}
    bad = [str(k) for k, v in data.items() if not isinstance(v, str)]
    if bad:
        return (
            keymap,
            f'按键配置 {path} 中 {"、".join(bad)} 的值应为字符串，如 "editor.save" = "ctrl+w"',
        )
    return keymap, None
