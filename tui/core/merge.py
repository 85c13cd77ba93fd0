"""Field-level three-way merge of ``case.toml`` and ``reviews/*.toml``.

Git merges lines; a case is fields and rows. This module merges the values: the result is
OUR tomlkit document (its comments and layout kept) with THEIR changed values applied. Rows
of tables are matched by identity (``x-row-key`` in the form's schema: annex1 patent number,
method and date; budget item; period tables by period), so rows appended or edited on both
sides merge. Only a field changed two different ways, or a row deleted on one side and
edited on the other, is a conflict; each is reported with its base, ours and theirs values,
and the caller may choose a side per conflict (``choices``).
"""

from __future__ import annotations

import contextlib
import copy
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import tomlkit
from tomlkit.exceptions import TOMLKitError

from .edit import (  # same: 62.0 is 62, true is not 1 (shared with the store)
    merge_into,
    same,
    toml_value,
)
from .findings import CASE_FILE
from .paths import MISSING
from .schema import FormError, load_form, load_review_schema

Side = Literal["ours", "theirs", "base"]
SIDES: tuple[Side, ...] = ("ours", "theirs", "base")


# Reviews have no x-row-key in their schema yet: a waiver is one rule, a note is the moment
# and field it was written about.
REVIEW_ROW_KEYS: dict[str, tuple[str, ...]] = {"waivers": ("rule",), "notes": ("at", "path")}
WHOLE_FILE = ""


@dataclass(frozen=True)
class FieldConflict:
    """One field (or row, or whole file) changed two different ways.

    ``path`` is a field path of the spec (rows by their position in the merged result, or
    in theirs when only theirs has the row); ``key`` names the same place by row identity,
    so a choice made for it survives a re-merge. Values are tomllib-shaped, MISSING when a
    side has no such field (deleted or never added); for an unreadable file they are texts.
    """

    path: str
    key: str
    base: Any
    ours: Any
    theirs: Any
    kind: Literal["field", "row", "file"] = "field"

    def value(self, side: Side) -> Any:
        return {"ours": self.ours, "theirs": self.theirs, "base": self.base}[side]


@dataclass
class MergeResult:
    """The merged text (conflicts settled by ``choices``, else ours) and every conflict met."""

    text: str
    conflicts: list[FieldConflict] = field(default_factory=list)
    textual: bool = False  # a side could not be read as TOML: git's line merge was used

    def unresolved(self, choices: Mapping[str, Side]) -> list[FieldConflict]:
        return [c for c in self.conflicts if c.key not in choices]


# --- which rows are the same row ---------------------------------------------------------------


def row_keys_of_schema(schema: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """``{"annex1": ("patent_no", "method", "date"), "foundation.demand": ("period",), …}``."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for name, child in (node.get("properties") or {}).items():
            if not isinstance(child, Mapping):
                continue
            path = f"{prefix}.{name}" if prefix else name
            keys = child.get("x-row-key")
            if child.get("type") == "array" and isinstance(keys, list) and keys:
                found[path] = tuple(str(k) for k in keys)
            elif child.get("type") == "object":
                walk(child, path)

    walk(schema, "")
    return found


def row_keys_for(rel_path: str, *datas: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Row identities for a file of the cases repository, from its form (or the review schema)."""
    parts = PurePosixPath(rel_path).parts
    if len(parts) >= 2 and parts[-2] == "reviews":
        keys = dict(REVIEW_ROW_KEYS)
        with contextlib.suppress(OSError):
            keys.update(row_keys_of_schema(load_review_schema()))
        return keys
    for data in datas:
        name = (data or {}).get("form")
        if isinstance(name, str):
            try:
                return row_keys_of_schema(load_form(name).schema)
            except FormError:
                continue
    return {}


# --- comparing values ----------------------------------------------------------------------


def show_value(value: Any) -> str:
    """A value as TOML would write it, for listing a conflict (MISSING: ``（无）``)."""
    return "（无）" if value is MISSING else toml_value(value)


# --- the merge ------------------------------------------------------------------------------


def _parse(text: str) -> tuple[dict[str, Any], tomlkit.TOMLDocument] | None:
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return tomllib.loads(text, parse_float=Decimal), tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError, ValueError):
        return None


def _is_rows(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def _row_identity(row: Any, fields: tuple[str, ...]) -> str:
    if isinstance(row, dict) and fields and any(f in row for f in fields):
        return "|".join(show_value(row.get(f, MISSING)) for f in fields)
    return "#" + show_value(row)


def _identities(rows: list[Any], fields: tuple[str, ...]) -> list[str]:
    """Each row's identity; a repeated identity gets its occurrence number, so none is lost."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        ident = _row_identity(row, fields)
        seen[ident] = seen.get(ident, 0) + 1
        out.append(ident if seen[ident] == 1 else f"{ident}#{seen[ident]}")
    return out


def _copy(item: Any) -> Any:
    return copy.deepcopy(item)


class _Merger:
    def __init__(
        self,
        row_keys: Mapping[str, tuple[str, ...]],
        choose: Callable[[FieldConflict], Side],
    ) -> None:
        self.row_keys = row_keys
        self.choose = choose
        self.conflicts: list[FieldConflict] = []

    def conflict(self, c: FieldConflict) -> Side:
        self.conflicts.append(c)
        return self.choose(c)

    def table(
        self,
        doc: Any,
        docs: Mapping[Side, Any],
        values: Mapping[Side, Any],
        path: str,
        key: str,
        schema_path: str,
    ) -> None:
        """Merge the keys of one table into ``doc`` (ours' tomlkit table)."""
        b, o, t = (
            values[s] if isinstance(values[s], dict) else {} for s in ("base", "ours", "theirs")
        )
        names = list(o) + [k for k in t if k not in o] + [k for k in b if k not in o and k not in t]
        for name in names:
            bv, ov, tv = b.get(name, MISSING), o.get(name, MISSING), t.get(name, MISSING)
            if same(ov, tv) or same(tv, bv):
                continue
            sub_path = f"{path}.{name}" if path else name
            sub_key = f"{key}.{name}" if key else name
            sub_schema = f"{schema_path}.{name}" if schema_path else name
            if same(ov, bv):
                self.put(doc, name, docs["theirs"], tv)
                continue
            if (
                isinstance(ov, dict)
                and isinstance(tv, dict)
                and (isinstance(bv, dict) or bv is MISSING)
            ):
                self.table(
                    doc[name],
                    {s: _child(docs[s], name) for s in SIDES},
                    {"base": bv if bv is not MISSING else {}, "ours": ov, "theirs": tv},
                    sub_path,
                    sub_key,
                    sub_schema,
                )
                continue
            fields = self.row_keys.get(sub_schema)
            if fields and _is_rows(ov) and _is_rows(tv) and (bv is MISSING or isinstance(bv, list)):
                self.rows(
                    doc[name],
                    {s: _child(docs[s], name) for s in SIDES},
                    {"base": bv if bv is not MISSING else [], "ours": ov, "theirs": tv},
                    sub_path,
                    sub_key,
                    fields,
                )
                continue
            if _is_set(ov) and _is_set(tv) and (bv is MISSING or _is_set(bv)):
                _merge_set(doc[name], docs["theirs"][name], [] if bv is MISSING else bv, ov, tv)
                continue
            side = self.conflict(FieldConflict(sub_path, sub_key, bv, ov, tv))
            if side != "ours":
                self.put(
                    doc,
                    name,
                    docs[side],
                    values[side].get(name, MISSING) if isinstance(values[side], dict) else MISSING,
                )

    def put(self, doc: Any, name: str, source_doc: Any, value: Any) -> None:
        """Make ``doc[name]`` what the source side has (its item, with its layout), or delete it."""
        if value is MISSING:
            if name in doc:
                del doc[name]
            return
        doc[name] = _copy(source_doc[name])

    def rows(
        self,
        doc_rows: Any,
        docs: Mapping[Side, Any],
        values: Mapping[Side, list[Any]],
        path: str,
        key: str,
        fields: tuple[str, ...],
    ) -> None:
        """Merge a table of rows matched by identity into ``doc_rows`` (ours' array)."""
        b, o, t = values["base"], values["ours"], values["theirs"]
        ids = {s: _identities(values[s], fields) for s in SIDES}
        _follow_new_keys(ids, values, fields)
        pos = {s: {ident: i for i, ident in enumerate(ids[s])} for s in SIDES}
        # The merged order: ours' rows, with rows only theirs has after their predecessor;
        # theirs' order instead when only theirs moved rows (a move is an edit of 序号 too).
        lead: Side = "ours"
        other: Side = "theirs"
        if _moved(ids["base"], ids["theirs"]) and not _moved(ids["base"], ids["ours"]):
            lead, other = "theirs", "ours"
        order: list[str] = list(ids[lead])
        for i, ident in enumerate(ids[other]):
            if ident in pos[lead]:
                continue
            after = next(
                (ids[other][j] for j in range(i - 1, -1, -1) if ids[other][j] in order),
                None,
            )
            order.insert(order.index(after) + 1 if after is not None else 0, ident)
        # Decide which rows stay, and whose version each starts from.
        keep: list[tuple[str, Side]] = []
        for ident in order:
            in_b, in_o, in_t = (ident in pos[s] for s in ("base", "ours", "theirs"))
            row_path = f"{path}[{len(keep) + 1}]"
            row_key = f"{key}{{{ident}}}"
            if in_o and in_t:
                keep.append((ident, "ours"))
            elif in_o:  # theirs deleted it, or ours added it
                if not in_b:
                    keep.append((ident, "ours"))
                elif not same(o[pos["ours"][ident]], b[pos["base"][ident]]):
                    side = self.conflict(
                        FieldConflict(
                            row_path,
                            row_key,
                            b[pos["base"][ident]],
                            o[pos["ours"][ident]],
                            MISSING,
                            "row",
                        )
                    )
                    if side != "theirs":
                        keep.append((ident, side))
            elif in_t:  # ours deleted it, or theirs added it
                if not in_b:
                    keep.append((ident, "theirs"))
                elif not same(t[pos["theirs"][ident]], b[pos["base"][ident]]):
                    side = self.conflict(
                        FieldConflict(
                            row_path,
                            row_key,
                            b[pos["base"][ident]],
                            MISSING,
                            t[pos["theirs"][ident]],
                            "row",
                        )
                    )
                    if side != "ours":
                        keep.append((ident, side))
        # Rebuild ours' array in that order: ours' row items where ours has the row.
        ours_items = list(doc_rows)
        new_items = []
        for ident, side in keep:
            if side == "ours":
                new_items.append(ours_items[pos["ours"][ident]])
            else:
                new_items.append(_copy(docs[side][pos[side][ident]]))
        if [id(x) for x in new_items] != [id(x) for x in ours_items]:
            _replace_rows(doc_rows, new_items)
        # Then merge the fields of rows both sides kept.
        for n, (ident, side) in enumerate(keep, 1):
            if side != "ours" or ident not in pos["theirs"]:
                continue
            base_row = b[pos["base"][ident]] if ident in pos["base"] else {}
            base_item = docs["base"][pos["base"][ident]] if ident in pos["base"] else {}
            self.table(
                new_items[n - 1],
                {
                    "base": base_item,
                    "ours": new_items[n - 1],
                    "theirs": docs["theirs"][pos["theirs"][ident]],
                },
                {
                    "base": base_row,
                    "ours": o[pos["ours"][ident]],
                    "theirs": t[pos["theirs"][ident]],
                },
                f"{path}[{n}]",
                f"{key}{{{ident}}}",
                "",
            )


def _follow_new_keys(
    ids: dict[Side, list[str]], values: Mapping[Side, list[Any]], fields: tuple[str, ...]
) -> None:
    """A row whose identity fields one side corrected (a typo in a patent number) is still
    the same row when nothing else in it changed: give it base's identity, so that the other
    side's edits to it merge instead of meeting a deleted row."""
    base_ids = set(ids["base"])
    for side, other in (("ours", "theirs"), ("theirs", "ours")):
        mine, theirs_ids = set(ids[side]), set(ids[other])  # type: ignore[index]
        gone = [i for i, ident in enumerate(ids["base"]) if ident not in mine]
        for j, ident in enumerate(ids[side]):  # type: ignore[index]
            row = values[side][j]  # type: ignore[index]
            if ident in base_ids or ident in theirs_ids or not isinstance(row, dict):
                continue
            rest = {k: v for k, v in row.items() if k not in fields}
            if not any(v not in ("", [], None) for v in rest.values()):
                continue
            matches = [
                i
                for i in gone
                if isinstance(values["base"][i], dict)
                and same({k: v for k, v in values["base"][i].items() if k not in fields}, rest)
            ]
            if len(matches) == 1:
                ids[side][j] = ids["base"][matches[0]]  # type: ignore[index]
                gone.remove(matches[0])


def _is_set(value: Any) -> bool:
    """A list of plain values without repeats (industries, evidence files): merged as a set."""
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        return False
    return len({show_value(v) for v in value}) == len(value)


def _merge_set(doc_array: Any, theirs_array: Any, b: list[Any], o: list[Any], t: list[Any]) -> None:
    """Ours' list, without what theirs removed, then what theirs added (in theirs' order)."""
    names = {s: [show_value(v) for v in side] for s, side in (("b", b), ("o", o), ("t", t))}
    removed = set(names["b"]) - set(names["t"])
    for i in range(len(o) - 1, -1, -1):
        if names["o"][i] in removed:
            del doc_array[i]
    for i, name in enumerate(names["t"]):
        if name not in names["b"] and name not in names["o"]:
            doc_array.append(_copy(theirs_array[i]))


def _child(container: Any, name: str) -> Any:
    try:
        return container[name]
    except (KeyError, TypeError, IndexError):
        return {}


def _moved(base: list[str], side: list[str]) -> bool:
    """Did this side change the order of the rows it shares with base?"""
    common = set(base) & set(side)
    return [i for i in base if i in common] != [i for i in side if i in common]


def _replace_rows(doc_rows: Any, items: list[Any]) -> None:
    """Delete ours' rows that go, insert the new ones where they belong; when ours' rows keep
    their relative order, every other row (and its comments) stays untouched."""
    wanted = {id(x) for x in items}
    kept = [id(x) for x in doc_rows if id(x) in wanted]
    if kept != [id(x) for x in items if id(x) in set(kept)]:
        while len(doc_rows):
            del doc_rows[len(doc_rows) - 1]
        for item in items:
            doc_rows.append(item)
        return
    for i in range(len(doc_rows) - 1, -1, -1):
        if id(doc_rows[i]) not in wanted:
            del doc_rows[i]
    for i, item in enumerate(items):
        if i >= len(doc_rows):
            doc_rows.append(item)
        elif doc_rows[i] is not item:
            doc_rows.insert(i, item)


def merge_documents(
    base: str,
    ours: str,
    theirs: str,
    row_keys: Mapping[str, tuple[str, ...]],
    choices: Mapping[str, Side] | Side = "ours",
) -> MergeResult:
    """Merge three TOML texts field by field into ours' document.

    ``choices`` settles conflicts: one side for all, or a side per conflict ``key``
    (unlisted conflicts keep ours). A side that is not TOML falls back to git's line merge,
    reported as one whole-file conflict.
    """
    parsed = {s: _parse(text) for s, text in (("base", base), ("ours", ours), ("theirs", theirs))}
    if any(p is None for p in parsed.values()):
        return _textual(base, ours, theirs, choices)

    def choose(c: FieldConflict) -> Side:
        if isinstance(choices, str):
            return choices
        return choices.get(c.key, "ours")

    docs = {s: parsed[s][1] for s in SIDES}  # type: ignore[index]
    values = {s: parsed[s][0] for s in SIDES}  # type: ignore[index]
    merger = _Merger(row_keys, choose)
    merger.table(docs["ours"], docs, values, "", "", "")
    text = tomlkit.dumps(docs["ours"])
    if not merger.conflicts:
        text = _with_both_layouts(base, ours, theirs, text)
    return MergeResult(text, merger.conflicts)


def _with_both_layouts(base: str, ours: str, theirs: str, merged: str) -> str:
    """git's line merge when it is clean and says exactly what the field merge says: it also
    keeps what theirs changed in comments and layout only, which the field merge ignores."""
    lines, conflicts = merge_file_text(base, ours, theirs)
    if conflicts:
        return merged
    by_lines, by_fields = _parse(lines), _parse(merged)
    if by_lines is None or by_fields is None or not same(by_lines[0], by_fields[0]):
        return merged
    return lines


def _textual(base: str, ours: str, theirs: str, choices: Mapping[str, Side] | Side) -> MergeResult:
    """A side is not TOML: git's line merge. Clean, it is taken as git would (nothing is
    lost, the file stays as readable as its sides); else the whole file is one conflict."""
    text, conflicts = merge_file_text(base, ours, theirs)
    if not conflicts:
        return MergeResult(text, [], textual=True)
    conflict = FieldConflict(WHOLE_FILE, WHOLE_FILE, base, ours, theirs, "file")
    side = choices if isinstance(choices, str) else choices.get(WHOLE_FILE)
    if side is not None and not (isinstance(choices, str) and side == "ours"):
        return MergeResult(conflict.value(side), [conflict], textual=True)
    return MergeResult(text, [conflict], textual=True)


def merge_file_text(base: str, ours: str, theirs: str) -> tuple[str, int]:
    """git's own line merge (``git merge-file``) with conflict markers; (text, conflicts)."""
    with tempfile.TemporaryDirectory(prefix="anjuan-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = Path(tmp) / name
            p.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            paths.append(str(p))
        done = subprocess.run(
            ["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", *paths],
            capture_output=True,
        )
    if done.returncode < 0 or done.returncode > 127:
        raise OSError(f"git merge-file 失败：{done.stderr.decode(errors='replace')}")
    return done.stdout.decode("utf-8", errors="surrogateescape"), done.returncode


def data_text(data: Mapping[str, Any]) -> str:
    """Case data (tomllib-shaped) as TOML text, for merging data that is not in a file."""
    doc = tomlkit.document()
    merge_into(doc, {}, data)
    return doc.as_string()


def merge_data(
    base: Mapping[str, Any],
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    choices: Mapping[str, Side] | Side = "ours",
) -> tuple[dict[str, Any], MergeResult]:
    """The same field merge as ``sync`` and the merge driver, of three versions of a case's
    data (the editor's: what was opened, what is being edited, what is on disk now): rows
    matched by identity, never by position. The merged data, and the merge's conflicts."""
    keys = row_keys_for(CASE_FILE, ours, theirs)
    result = merge_documents(data_text(base), data_text(ours), data_text(theirs), keys, choices)
    return tomllib.loads(result.text, parse_float=Decimal), result


def merge_case_file(
    rel_path: str,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    choices: Mapping[str, Side] | Side = "ours",
) -> MergeResult:
    """Merge one case or review file of the repository (``rel_path`` picks its row identities)."""
    texts = [raw.decode("utf-8", errors="surrogateescape") for raw in (base, ours, theirs)]
    datas = [p[0] if (p := _parse(x)) else None for x in texts[1:]]
    keys = row_keys_for(rel_path, *datas)
    return merge_documents(texts[0], texts[1], texts[2], keys, choices)


def marked_text(rel_path: str, base: bytes, ours: bytes, theirs: bytes) -> tuple[str, MergeResult]:
    """What a plain ``git merge`` leaves in the file: the field merge, with git's conflict
    markers around each conflicting field (ours above, theirs below)."""
    merged = merge_case_file(rel_path, base, ours, theirs)
    if merged.textual or not merged.conflicts:
        return merged.text, merged
    with_base = merge_case_file(rel_path, base, ours, theirs, "base").text
    with_theirs = merge_case_file(rel_path, base, ours, theirs, "theirs").text
    text, _ = merge_file_text(with_base, merged.text, with_theirs)
    return text, merged


def merge_driver(base: Path, ours: Path, theirs: Path, rel_path: str) -> int:
    """git's merge driver (``%O %A %B %P``): write the result to ``ours``; 1 if conflicts remain."""
    text, merged = marked_text(rel_path, base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
    ours.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return 1 if merged.conflicts else 0
