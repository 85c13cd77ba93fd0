"""A case: ``<case-id>/case.toml`` read with ``tomllib`` and exact decimals."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .findings import CASE_FILE, Finding
from .safefs import NotPlainFile, folder_problem, read_regular
from .schema import Form, FormError, load_form

MAX_FILE_BYTES = 8 * 1024 * 1024  # a real case is 20-100 KB; past this it is not a case file
_DEEP = re.compile(r"[\[{](?:\s*(?:[A-Za-z0-9_\"'.-]+\s*=\s*)?[\[{]){50,}")
_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_WORDS = {  # tomllib's reasons, in the words a person editing the file needs
    "Illegal character '\\n'": "行尾出现在字符串中间：可能缺少结尾的引号",
    "Illegal character": "非法字符（控制字符须写成转义，如 \\t）",
    "Invalid value": "值无效（文本要加引号，日期写成 2021-06-18）",
    "Expected '=' after a key in a key/value pair": "键后缺少 '='",
    "Unclosed array": "数组未闭合：缺少 ']'",
    "Unclosed inline table": "内联表未闭合：缺少 '}'",
    "Unterminated string": "字符串未闭合：缺少结尾的引号",
    "Cannot overwrite a value": "重复定义了同一个键",
    "Cannot declare": "重复声明了同一个表",
    "Invalid statement": "无法识别的语句",
    "Expected newline or end of document": "一行只能写一个“键 = 值”",
    "Invalid date or datetime": "日期或时间无效",
    "Invalid initial character for a key part": "键名的第一个字符无效",
    "Found invalid character in key name": "键名中有无效字符",
    "Duplicate inline table key": "内联表中重复的键",
    "Expected ']' at the end of a table declaration": "表头缺少 ']'",
    "Expected ']]' at the end of an array declaration": "表头缺少 ']]'",
}

# Characters that must not reach a terminal raw: C0/C1 controls (escape sequences) and the
# bidirectional overrides/isolates that reorder what is shown (a "trojan source" in a name).
BIDI_CONTROLS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL_CHARS = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def _code(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def show_controls(text: str) -> str:
    """Case text is data: control characters shown as visible codes (``\\x1b``, ``\\u202e``);
    newlines and tabs are kept."""
    return CONTROL_CHARS.sub(_code, text)


@dataclass(frozen=True)
class Parsed:
    """One TOML file as read: its data (None when broken), the version read, and the error."""

    data: dict[str, Any] | None
    version: str | None
    error: Finding | None = None


def blob_id(raw: bytes) -> str:
    """The git blob id of these bytes: the version of a file, as ``git ls-files -s`` shows it."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def parse_toml_bytes(raw: bytes, file: str = CASE_FILE, size: int | None = None) -> Parsed:
    """Parse bytes as UTF-8 TOML with exact decimals; a broken file gives one TOML.PARSE finding.

    ``size`` is the file's size on disk when only its beginning was read (see ``read_limited``).
    """
    version = blob_id(raw)
    size = max(size or 0, len(raw))
    if size > MAX_FILE_BYTES:
        line, col = _line_col(raw, MAX_FILE_BYTES)
        return Parsed(
            None,
            None,
            _parse_error(
                file,
                f"第{line}行第{col}列：文件过大（{size / 1048576:.1f} MB，读到此处已超过上限 "
                f"{MAX_FILE_BYTES // 1048576} MB），不像案卷文件；请检查是否误放了其他文件",
                line,
                col,
            ),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        return Parsed(
            None,
            version,
            _parse_error(
                file,
                f"第{line}行第{col}列：文件不是 UTF-8 编码的文本（可能是二进制文件或 GBK 编码）；"
                "请用 UTF-8 另存",
                line,
                col,
            ),
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_toml_text(text, file, version)


def parse_toml_text(text: str, file: str = CASE_FILE, version: str | None = None) -> Parsed:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _AT_LINE.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else _end_of(text)
        reason = _AT_LINE.sub("", msg).strip()
        for en, zh in _TOML_WORDS.items():
            if reason.startswith(en):
                reason = f"{zh}（{reason}）"
                break
        return Parsed(
            None,
            version,
            _parse_error(
                file, f"第{line}行第{col}列：TOML 语法错误：{reason}；请改正该行", line, col
            ),
        )
    except RecursionError:
        m = _DEEP.search(text)
        line, col = (
            _line_col(text.encode("utf-8"), len(text[: m.start()].encode("utf-8"))) if m else (1, 1)
        )
        return Parsed(
            None,
            version,
            _parse_error(
                file,
                f"第{line}行第{col}列：表或数组嵌套过深（数百层），无法读取；请检查文件是否损坏",
                line,
                col,
            ),
        )
    return Parsed(data, version)


def _parse_error(
    file: str, message: str, line: int | None = None, col: int | None = None
) -> Finding:
    return Finding(
        "TOML.PARSE", "error", None, f"{file}：{message}", file=file, line=line, column=col
    )


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def _end_of(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


@dataclass
class Case:
    """One application: its folder, the parsed ``case.toml`` (None when broken) and the version read."""

    case_id: str
    directory: Path
    data: dict[str, Any] | None
    version: str | None
    error: Finding | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def broken(self) -> bool:
        return self.data is None

    @property
    def status(self) -> str:
        if self.data is None:
            return ""
        case = self.data.get("case")
        status = case.get("status") if isinstance(case, dict) else None
        return status if isinstance(status, str) else ""

    @property
    def form_name(self) -> str | None:
        if self.data is None:
            return None
        form = self.data.get("form")
        return form if isinstance(form, str) else None

    @property
    def file(self) -> Path:
        return self.directory / CASE_FILE


def read_case(directory: Path, case_id: str | None = None) -> Case:
    """Read ``directory/case.toml``. Never raises for a bad file: the error is a finding."""
    cid = case_id or directory.name
    path = directory / CASE_FILE
    problem = folder_problem(directory, cid)
    if problem:
        return Case(cid, directory, None, None, _parse_error(CASE_FILE, problem))
    try:
        raw, size = read_limited(path, f"{cid}/{CASE_FILE}")
    except FileNotFoundError:
        return Case(
            cid,
            directory,
            None,
            None,
            _parse_error(
                CASE_FILE,
                "案卷目录中没有 case.toml（只有评审或附件）；请用 anjuan new 建立案卷，或删除此目录",
            ),
        )
    except NotPlainFile as exc:
        return Case(cid, directory, None, None, _parse_error(CASE_FILE, str(exc.strerror)))
    except OSError as exc:
        return Case(
            cid, directory, None, None, _parse_error(CASE_FILE, f"无法读取：{exc.strerror}")
        )
    parsed = parse_toml_bytes(raw, CASE_FILE, size)
    return Case(cid, directory, parsed.data, parsed.version, parsed.error)


def read_limited(path: Path, name: str | None = None) -> tuple[bytes, int]:
    """(the file's bytes up to just past the size limit, its size): a 50 MB file is not read
    whole. A symbolic link or a special file (FIFO …) is refused (``NotPlainFile``), not read."""
    return read_regular(path, MAX_FILE_BYTES, name)


class CaseUnusable(ValueError):
    """The case cannot be edited, exported or imported into: its file is broken or its form
    has no schema. The message says which and what to do."""


def data_and_form(case: Case, doing: str) -> tuple[dict[str, Any], Form]:
    """The case's data and its form, or ``CaseUnusable`` (``doing``: 修改, 导出, 导入 …)."""
    if case.data is None:
        message = case.error.message if case.error else "无法读取"
        fix = "" if "；请" in message else "；请先修好 case.toml"  # the finding's own fix
        raise CaseUnusable(f"案卷 {case.case_id} 无法读取：{message}{fix}")
    try:
        form = load_form(case.form_name or "")
    except FormError as exc:
        raise CaseUnusable(
            f"案卷 {case.case_id} 的 form = {case.form_name!r} 没有对应的 schema；无法按申报书{doing}"
        ) from exc
    return case.data, form
