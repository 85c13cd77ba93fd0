"""A finding: one rule that a case breaks, at one field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]
CASE_FILE = "case.toml"


@dataclass(frozen=True, slots=True)
class Finding:
    """What is wrong (rule), how bad (severity), where (path, file) and what to do (message)."""

    rule: str
    severity: Severity
    path: str | None
    message: str
    file: str = CASE_FILE
    line: int | None = None
    column: int | None = None
    waived_by: str | None = None
    waiver_reason: str | None = None

    def waived(self, reviewer: str, reason: str) -> Finding:
        return replace(self, waived_by=reviewer, waiver_reason=reason)

    @property
    def counts_as_error(self) -> bool:
        return self.severity == "error" and self.waived_by is None

    @property
    def counts_as_warning(self) -> bool:
        return self.severity == "warning" and self.waived_by is None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
            "waived_by": self.waived_by,
        }
        if self.waived_by is not None:
            data["waiver_reason"] = self.waiver_reason
        if self.file != CASE_FILE:
            data["file"] = self.file
        if self.line is not None:
            data["line"] = self.line
            data["column"] = self.column
        return data
