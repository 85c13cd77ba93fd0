"""Which findings stop a save or a commit.

A draft must be savable while incomplete, so in a draft only what makes the file unreadable
or mistyped stops a save (what `anjuan set` refuses). From ``submitted`` on, every error
stops it: a case with errors cannot move to submitted or later (rules.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from .findings import Finding

ALWAYS_BLOCKING = frozenset({"TOML.PARSE", "FORM.UNKNOWN", "SCHEMA.TYPE", "SCHEMA.ENUM"})


def blocking(findings: Iterable[Finding], status: str) -> list[Finding]:
    """The findings that refuse a save of a case with this status."""
    draft = status in ("", "draft")
    return [
        f
        for f in findings
        if f.counts_as_error and (f.rule in ALWAYS_BLOCKING or not draft) and f.file == "case.toml"
    ]
