"""The 申报书 as PDF: the .docx converted by LibreOffice (``soffice --headless``) when installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "转换 PDF 需要 LibreOffice，本机未安装（找不到 soffice）；"
    "请安装后重试，如 Debian/Ubuntu：sudo apt-get install libreoffice-writer fonts-noto-cjk；"
    "或先导出 .docx（--format docx）再用 Word/WPS 另存为 PDF"
)


class PdfUnavailable(RuntimeError):
    """No LibreOffice, or it failed: the message says what to do."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: float = 180) -> bytes:
    program = soffice()
    if program is None:
        raise PdfUnavailable(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="anjuan-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "申报书.docx"
        source.write_bytes(docx)
        profile = (folder / "profile").as_uri()  # its own profile: no clash with a running office
        try:
            done = subprocess.run(
                [program, f"-env:UserInstallation={profile}", "--headless",
                 "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                capture_output=True, timeout=timeout, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(
                f"LibreOffice 转换 PDF 失败（{exc}）；请改用 --format docx"
            ) from exc
        target = folder / "申报书.pdf"
        if done.returncode != 0 or not target.is_file():
            message = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise PdfUnavailable(
                f"LibreOffice 转换 PDF 失败（{message or done.returncode}）；请改用 --format docx"
            )
        return target.read_bytes()
