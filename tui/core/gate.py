"""Which findings stop a save or a commit — one policy for `anjuan set`, the TUI and the hook.

- Always: what makes the file unreadable or mistyped (TOML.PARSE, FORM.UNKNOWN, SCHEMA.TYPE,
  SCHEMA.ENUM) — `anjuan set` refuses these (cli.md).
- A draft must be savable while incomplete: nothing else stops a draft.
- A case with errors cannot move to ``submitted`` or later (rules.md): leaving draft needs
  zero errors; once past draft, a change may not add an error that was not there before
  (so existing errors can be fixed one at a time).
"""

from __future__ import annotations

from collections.abc import Iterable

from .findings import CASE_FILE, Finding

ALWAYS_BLOCKING = frozenset({"TOML.PARSE", "FORM.UNKNOWN", "SCHEMA.TYPE", "SCHEMA.ENUM"})
DRAFT_STATES = frozenset({"", "draft"})


def blocking(
    findings: Iterable[Finding],
    status: str,
    before: Iterable[Finding] | None = None,
    status_before: str | None = None,
) -> list[Finding]:
    """The findings that refuse saving a case with ``status`` (``before``: the version on disk)."""
    errors = [f for f in findings if f.counts_as_error and f.file == CASE_FILE]
    if status in DRAFT_STATES:
        return [f for f in errors if f.rule in ALWAYS_BLOCKING]
    if before is None or status_before is None or status_before in DRAFT_STATES:
        return errors
    known = {(f.rule, f.path) for f in before if f.counts_as_error}
    return [f for f in errors if f.rule in ALWAYS_BLOCKING or (f.rule, f.path) not in known]
