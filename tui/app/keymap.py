"""The user's keymap file: binding id → keys, applied with ``App.set_keymap``.

``$ANJUAN_KEYMAP`` names the file, else ``$XDG_CONFIG_HOME/anjuan/keymap.toml``
(``~/.config/anjuan/keymap.toml``). Example::

    "editor.save" = "ctrl+w"
    "list.filter" = "f,slash"
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode


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


def our_bindings() -> Iterator[tuple[type[DOMNode], Binding]]:
    """Every binding of every screen and widget of the app (their modules are imported)."""
    from . import app, screens, widgets

    for package in (screens, widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    seen: set[type[DOMNode]] = set()
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            todo.append(sub)
            if sub.__module__.startswith(app.__name__.rpartition(".")[0] + "."):
                for binding in sub.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding):
                        yield sub, binding


def unknown_ids(keymap: dict[str, str]) -> str | None:
    """A warning naming the keymap's binding ids that no key of the app has, if any."""
    known = {binding.id for _cls, binding in our_bindings() if binding.id}
    unknown = sorted(k for k in keymap if k not in known)
    if not unknown:
        return None
    return (
        f"按键配置中 {'、'.join(unknown)} 不是已知的按键编号，未生效；"
        f"编号见 README（如 editor.save、list.filter）"
    )
