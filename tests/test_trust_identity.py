"""Issue 11 item 7: the real person is recorded — the committer and the ``Anjuan-Login``
trailer are the operating-system account of the process's uid (never LOGNAME/USER), ``--as``
names only the author, and log/blame show both when they differ."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

from conftest import anjuan, git

CID = "XH-2022-001"
ME = pwd.getpwuid(os.getuid()).pw_name  # who really runs the tests


def lied_env(**more: str) -> dict[str, str]:
    """An environment that claims to be someone else, as anyone can set."""
    return {"LOGNAME": "li.wei", "USER": "li.wei", "USERNAME": "li.wei", **more}


def test_as_sets_only_the_author_and_the_uid_is_the_committer(cases_repo: Path) -> None:
    done = anjuan(
        "set",
        CID,
        "targets.info_pushes",
        "1500",
        "--as",
        "wang.fang",
        "--cases",
        str(cases_repo),
        env=lied_env(),
    )
    assert done.returncode == 0, done.stderr
    shown = git(
        cases_repo, "log", "-1", "--format=%an|%cn|%ce%n%(trailers:key=Anjuan-Login)"
    ).stdout
    author, committer, committer_email = shown.splitlines()[0].split("|")
    assert author == "wang.fang"
    assert committer == ME and committer_email.startswith(f"{ME}@")
    assert f"Anjuan-Login: {ME}" in shown and "li.wei" not in shown


def test_git_author_name_wins_over_user_name(cases_repo: Path) -> None:
    git(cases_repo, "config", "user.name", "配置里的名字")
    git(cases_repo, "config", "user.email", "config@example.cn")
    done = anjuan(
        "set",
        CID,
        "targets.info_pushes",
        "1500",
        "--cases",
        str(cases_repo),
        env={"GIT_AUTHOR_NAME": "环境里的名字", "GIT_AUTHOR_EMAIL": "env@example.cn"},
    )
    assert done.returncode == 0, done.stderr
    shown = git(cases_repo, "log", "-1", "--format=%an <%ae>|%cn").stdout.strip()
    assert shown == f"环境里的名字 <env@example.cn>|{ME}"


def test_log_and_blame_show_author_and_committer_when_they_differ(cases_repo: Path) -> None:
    args = ("--cases", str(cases_repo))
    assert anjuan("set", CID, "targets.info_pushes", "1500", "--as", "王芳", *args).returncode == 0
    text = anjuan("log", CID, *args).stdout
    first = text.splitlines()[0]
    assert "王芳" in first and f"提交者 {ME}" in first
    entry = json.loads(anjuan("log", CID, "--format", "json", *args).stdout)["log"][0]
    assert entry["author"] == "王芳" and entry["committer"] == ME and entry["login"] == ME
    assert entry["committer_email"].startswith(f"{ME}@")
    (line,) = json.loads(
        anjuan("blame", CID, "targets.info_pushes", "--format", "json", *args).stdout
    )
    assert line["author"] == "王芳" and line["committer"] == ME
    blamed = anjuan("blame", CID, "targets.info_pushes", *args).stdout
    assert "王芳" in blamed and f"提交者 {ME}" in blamed
    # a plain git commit by the test identity: author and committer agree, nothing extra shown
    samples = [ln for ln in text.splitlines() if "Test Person" in ln]
    assert samples and all("提交者" not in ln for ln in samples)
