"""The form's schema as editors (taplo, Even Better TOML) should use it, kept in the cases
repository so that every clone finds it by the same relative path.

The form's own schema states what a *submitted* case must hold (required keys, non-empty
texts, at least one row). A draft lacks those by design, and anjuan reports them as
warnings, not errors: an editor that marked 293 of them red would be noise. The editor's copy
keeps what anjuan treats as an error in any state — types, choices, number ranges, the shape
of identifiers when one is typed — and drops what only a complete application needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .schema import Form

EDITOR_SCHEMA_DIR = ".anjuan/schema"  # inside the cases folder, beside the case folders
_SUBMISSION_ONLY = ("required", "minLength", "minItems", "minProperties")


def editor_schema(form: Form) -> dict[str, Any]:
    """The editor's copy of ``form``'s schema (see the module's docstring)."""
    return _relaxed(form.schema)


def _relaxed(node: Any) -> Any:
    if isinstance(node, list):
        return [_relaxed(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _relaxed(v) for k, v in node.items() if k not in _SUBMISSION_ONLY}
    if isinstance(out.get("pattern"), str):  # a blank field is not yet a wrong one
        out["pattern"] = f"^(?:$|(?:{out['pattern'].removeprefix('^').removesuffix('$')})$)"
    enum = out.get("enum")
    if isinstance(enum, list) and all(isinstance(v, str) for v in enum) and "" not in enum:
        out["enum"] = [*enum, ""]
    return out


def editor_schema_path(cases_dir: Path, form: Form) -> Path:
    return cases_dir / EDITOR_SCHEMA_DIR / f"{form.name}.schema.json"


def schema_line(form: Form) -> str:
    """The first line of a case file: the editor schema by a path that holds in every clone."""
    return f"#:schema ../{EDITOR_SCHEMA_DIR}/{form.name}.schema.json"


def editor_schema_bytes(form: Form) -> bytes:
    text = json.dumps(editor_schema(form), ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8")
