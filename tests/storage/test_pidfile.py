"""The pid file and ``python -m bot reload``: the right process, or a clear refusal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage.pidfile import (
    PID_FILE,
    PID_HEADER,
    PidFile,
    PidRecord,
    read_pid_file,
    running_bot,
    start_time,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and modes")


def reload_cli(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    status = main(["reload"])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_pid_file_is_private_names_this_process_and_is_removed(tmp_path: Path) -> None:
    pid_file = PidFile(tmp_path)
    pid_file.write()
    path = tmp_path / PID_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = read_pid_file(path)
    assert record.pid == os.getpid()
    assert running_bot(tmp_path) == record
    pid_file.remove()
    assert not path.exists()


def test_a_pid_file_another_bot_replaced_is_left_alone(tmp_path: Path) -> None:
    pid_file = PidFile(tmp_path)
    pid_file.write()
    (tmp_path / PID_FILE).write_text(PidRecord(1, None).line())
    pid_file.remove()
    assert (tmp_path / PID_FILE).exists()


def test_reload_without_a_running_bot_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = reload_cli(tmp_path, monkeypatch, capsys)
    assert status == 1
    assert output.startswith("error: no bot is running with this data directory:")
    assert str(tmp_path / PID_FILE) in output


def test_a_pid_file_of_a_process_gone_is_named_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = dead_pid()
    (tmp_path / PID_FILE).write_text(PidRecord(pid, "12345").line())
    status, output = reload_cli(tmp_path, monkeypatch, capsys)
    assert status == 1
    assert f"the bot (pid {pid}) is no longer running;" in output
    assert "is stale: delete it, then start the bot" in output


@pytest.mark.skipif(start_time(os.getpid()) is None, reason="needs /proc to tell processes apart")
def test_a_pid_now_used_by_another_program_is_never_signalled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # this test's own pid, with another start time: as if the bot died and the pid was reused
    (tmp_path / PID_FILE).write_text(PidRecord(os.getpid(), "1").line())
    status, output = reload_cli(tmp_path, monkeypatch, capsys)  # a SIGHUP would end pytest
    assert status == 1
    assert f"pid {os.getpid()} is now another program, not the bot" in output


def test_a_file_that_is_not_ours_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / PID_FILE).write_text("12345\n")
    status, output = reload_cli(tmp_path, monkeypatch, capsys)
    assert status == 1
    assert "is not a pid file of this bot" in output
    assert PID_HEADER == "inspection-qa-bot"
