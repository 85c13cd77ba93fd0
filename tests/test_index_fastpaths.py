"""The shortcuts taken for the large repository give the same findings as the long way."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from tui.core.rules.annexes import _evidence_problem
from tui.core.rules.structure import SchemaWalk, _quiet_leaf
from tui.core.schema import load_form


def leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    if node.get("type") in ("string", "integer", "number", "boolean"):
        found.append(node)
    for child in node.get("properties", {}).values():
        found.extend(leaves(child))
    if isinstance(node.get("items"), dict):
        found.extend(leaves(node["items"]))
    return found


def test_quiet_leaf_only_skips_values_the_walk_accepts() -> None:
    form = load_form("bj-ipcluster-2022")
    walk = SchemaWalk(lambda parts: ".".join(map(str, parts)))
    values: list[Any] = [
        "", "  ", "文字", "转让", "2021年", -1, 0, 7, 10**12, True, False,
        date(2022, 1, 1), datetime(2022, 1, 1, 8, 0), Decimal("1.5"), Decimal("-2"), [], {},
    ]  # fmt: skip
    skipped = checked = 0
    for node in leaves(form.schema):
        for value in [*values, *node.get("enum", [])]:
            if _quiet_leaf(node, value):
                skipped += 1
                assert list(walk.walk(node, value, ("x",))) == [], (node, value)
            else:
                checked += 1
    assert skipped > 100 and checked > 100


def resolve_way(item: str, root: Path) -> str | None:
    """The evidence check as written before the shortcut: resolve() every path."""
    rel = PurePosixPath(item.replace("\\", "/"))
    target = (root / Path(*rel.parts)).resolve()
    if not target.is_relative_to(root):
        return "经链接指向案卷目录之外；请把文件本身放入案卷目录"
    if not target.is_file():
        return "案卷目录中没有这个文件；请放入文件或改正路径"
    return None


def test_evidence_shortcut_agrees_with_resolve(tmp_path: Path) -> None:
    root = (tmp_path / "XH-2022-001").resolve()
    (root / "attachments" / "sub").mkdir(parents=True)
    (root / "attachments" / "合同.pdf").write_bytes(b"%PDF")
    (root / "attachments" / "sub" / "b.pdf").write_bytes(b"%PDF")
    (tmp_path / "outside.pdf").write_bytes(b"%PDF")
    os.symlink(tmp_path / "outside.pdf", root / "attachments" / "out.pdf")
    os.symlink(root / "attachments" / "合同.pdf", root / "attachments" / "in.pdf")
    os.symlink(tmp_path, root / "escape")
    os.symlink(root / "attachments" / "sub", root / "alias")
    os.symlink(root / "nowhere", root / "attachments" / "dangling.pdf")
    items = [
        "attachments/合同.pdf", "./attachments/合同.pdf", "attachments//合同.pdf",
        "attachments\\合同.pdf", "attachments/sub/b.pdf", "attachments/sub", "attachments",
        "attachments/missing.pdf", "missing/x.pdf", "attachments/合同.pdf/x",
        "attachments/out.pdf", "attachments/in.pdf", "escape/outside.pdf", "alias/b.pdf",
        "attachments/dangling.pdf", ".", "attachments/./sub/b.pdf",
    ]  # fmt: skip
    answers = {item: _evidence_problem(item, root) for item in items}
    assert answers == {item: resolve_way(item, root) for item in items}
    assert answers["attachments/合同.pdf"] is None
    assert answers["attachments/out.pdf"] != answers["attachments/missing.pdf"]
