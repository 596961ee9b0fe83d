"""Settings from the environment: defaults, validation, one-line errors, exit status 2."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.channels.telegram.app import EXIT_USAGE, main
from bot.settings import (
    ALL_VARS,
    CACHE_DIRNAME,
    DEFAULT_DATA_DIR,
    DEFAULT_FLOOD_BURST,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_WEBHOOK_LISTEN,
    DEFAULT_WEBHOOK_PORT,
    LOG_LEVEL_NUMBERS,
    CoreSettings,
    Mode,
    Settings,
    SettingsError,
    cache_dir,
)
from tests.support.telegram_fixtures import ROOT, run_cli

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ra"
WEBHOOK = {
    "BOT_MODE": "webhook",
    "WEBHOOK_URL": "https://bot.example.org/telegram",
    "WEBHOOK_SECRET": "s3cret_-token",
}


def settings(**env: str) -> Settings:
    return Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def error(**env: str) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    return str(caught.value)


def test_defaults() -> None:
    s = settings()
    assert s.mode is Mode.POLLING and s.base_url is None and s.rate_limit
    assert s.read_timeout == DEFAULT_READ_TIMEOUT and s.flood_burst == DEFAULT_FLOOD_BURST
    assert s.data_dir == DEFAULT_DATA_DIR and s.log_level == logging.INFO
    assert s.webhook is None and s.root == ROOT and s.admin_ids == frozenset()
    assert TOKEN not in repr(s)


def test_every_setting_is_read(tmp_path: Path) -> None:
    s = settings(
        TELEGRAM_BASE_URL="http://127.0.0.1:8081/bot",
        TELEGRAM_READ_TIMEOUT="2.5",
        BOT_RATE_LIMIT="off",
        BOT_DATA_DIR=str(tmp_path),
        BOT_FLOOD_BURST="0",
        BOT_FLOOD_PER_MINUTE="30",
        LOG_LEVEL="debug",
        BOT_ROOT=str(tmp_path),
        BOT_ADMIN_IDS=" 42, 7,,42 ",
        BOT_QUESTION_LOG="off",
        BOT_QUESTION_LOG_RETENTION_DAYS="30",
    )
    assert s.base_url == "http://127.0.0.1:8081/bot" and s.read_timeout == 2.5
    assert not s.rate_limit and s.data_dir == tmp_path and s.log_level == logging.DEBUG
    assert (s.flood_burst, s.flood_per_minute) == (0, 30)
    assert s.root == tmp_path and s.admin_ids == frozenset({7, 42})


def test_every_variable_is_listed_and_documented() -> None:
    for name in ("BOT_ADMIN_IDS", "BOT_QUESTION_LOG", "BOT_QUESTION_LOG_RETENTION_DAYS"):
        assert name in ALL_VARS
    docs = "".join(
        (ROOT / name).read_text(encoding="utf-8")
        for name in ("docs/telegram.md", "docs/keeping-knowledge.md", "README.md")
    )
    assert [name for name in ALL_VARS if f"| `{name}` |" not in docs] == []


def test_log_levels_are_loggings_own() -> None:
    assert {name: logging.getLevelName(name) for name in LOG_LEVEL_NUMBERS} == LOG_LEVEL_NUMBERS


def test_the_yaml_cache_directory(tmp_path: Path) -> None:
    assert cache_dir({"HOME": "/home/keeper"}) == Path("/home/keeper/.cache") / CACHE_DIRNAME
    assert cache_dir({"HOME": "/home/keeper", "XDG_CACHE_HOME": "/var/cache/keeper"}) == (
        Path("/var/cache/keeper") / CACHE_DIRNAME
    )
    # the XDG rule: a relative XDG_CACHE_HOME is ignored
    assert cache_dir({"HOME": "/h", "XDG_CACHE_HOME": "rel"}) == Path("/h/.cache") / CACHE_DIRNAME
    assert cache_dir({"BOT_CACHE_DIR": f" {tmp_path} ", "HOME": "/h"}) == tmp_path
    assert cache_dir({"BOT_CACHE_DIR": "", "HOME": "/h"}) is None  # empty: no cache
    assert cache_dir({"BOT_CACHE_DIR": "  "}) is None
    assert cache_dir({}) is None  # nowhere to put it: no cache, no error


def test_the_tests_never_use_the_real_cache(test_cache_home: Path) -> None:
    assert cache_dir() == test_cache_home / CACHE_DIRNAME


def test_webhook_settings_and_their_defaults() -> None:
    s = settings(**WEBHOOK)
    assert s.mode is Mode.WEBHOOK and s.webhook is not None
    assert s.webhook.listen == DEFAULT_WEBHOOK_LISTEN and s.webhook.port == DEFAULT_WEBHOOK_PORT
    assert DEFAULT_WEBHOOK_LISTEN == "127.0.0.1"  # this host only, unless WEBHOOK_LISTEN says
    assert settings(**WEBHOOK, WEBHOOK_LISTEN="0.0.0.0").webhook.listen == "0.0.0.0"  # type: ignore[union-attr]
    assert s.webhook.path == "telegram"  # from the URL unless WEBHOOK_PATH says otherwise
    assert settings(**WEBHOOK, WEBHOOK_PATH="/hook/").webhook.path == "hook"  # type: ignore[union-attr]
    assert WEBHOOK["WEBHOOK_SECRET"] in s.secrets and WEBHOOK["WEBHOOK_SECRET"] not in repr(s)


@pytest.mark.parametrize(
    ("env", "variable", "words"),
    [
        ({}, "TELEGRAM_BOT_TOKEN", "not set"),
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN", "empty"),
        ({"TELEGRAM_BOT_TOKEN": "   "}, "TELEGRAM_BOT_TOKEN", "empty"),
        ({"TELEGRAM_BOT_TOKEN": "123456789"}, "TELEGRAM_BOT_TOKEN", "malformed"),
        ({"TELEGRAM_BOT_TOKEN": "abc:" + "x" * 35}, "TELEGRAM_BOT_TOKEN", "malformed"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN + " extra"}, "TELEGRAM_BOT_TOKEN", "malformed"),
        ({"TELEGRAM_BASE_URL": "ftp://host/bot"}, "TELEGRAM_BASE_URL", "http"),
        ({"TELEGRAM_BASE_URL": "localhost:8081"}, "TELEGRAM_BASE_URL", "http"),
        ({"TELEGRAM_BASE_URL": "http:///bot"}, "TELEGRAM_BASE_URL", "host"),
        ({"TELEGRAM_BASE_URL": "http://h/bot{oops}"}, "TELEGRAM_BASE_URL", "placeholder"),
        ({"TELEGRAM_BASE_URL": f"http://h/bot{TOKEN}"}, "TELEGRAM_BASE_URL", "token"),
        ({"TELEGRAM_READ_TIMEOUT": "soon"}, "TELEGRAM_READ_TIMEOUT", "number"),
        ({"TELEGRAM_READ_TIMEOUT": "-1"}, "TELEGRAM_READ_TIMEOUT", "more than 0"),
        ({"TELEGRAM_READ_TIMEOUT": "nan"}, "TELEGRAM_READ_TIMEOUT", "more than 0"),
        ({"BOT_MODE": "push"}, "BOT_MODE", "polling or webhook"),
        ({"BOT_RATE_LIMIT": "maybe"}, "BOT_RATE_LIMIT", "on or off"),
        ({"BOT_FLOOD_BURST": "-3"}, "BOT_FLOOD_BURST", "whole number"),
        ({"BOT_FLOOD_BURST": "1e3"}, "BOT_FLOOD_BURST", "whole number"),
        ({"BOT_FLOOD_PER_MINUTE": "0"}, "BOT_FLOOD_PER_MINUTE", "between"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL", "one of"),
        ({"BOT_MODE": "webhook"}, "WEBHOOK_URL", "not set"),
        ({**WEBHOOK, "WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET", "not set"),
        ({**WEBHOOK, "WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET", "A-Z"),
        ({**WEBHOOK, "WEBHOOK_PORT": "80808"}, "WEBHOOK_PORT", "port"),
        ({**WEBHOOK, "WEBHOOK_PORT": "http"}, "WEBHOOK_PORT", "port"),
        ({**WEBHOOK, "WEBHOOK_LISTEN": "everywhere"}, "WEBHOOK_LISTEN", "IP address"),
        ({**WEBHOOK, "WEBHOOK_URL": "bot.example.org"}, "WEBHOOK_URL", "https"),
        ({"BOT_ADMIN_IDS": "alice"}, "BOT_ADMIN_IDS", "user ids"),
        ({"BOT_ADMIN_IDS": "12,-5"}, "BOT_ADMIN_IDS", "positive whole numbers"),
        ({"BOT_ADMIN_IDS": "0"}, "BOT_ADMIN_IDS", "user ids"),
        ({"BOT_QUESTION_LOG": "sometimes"}, "BOT_QUESTION_LOG", "on or off"),
        ({"BOT_QUESTION_LOG_RETENTION_DAYS": "0"}, "BOT_QUESTION_LOG_RETENTION_DAYS", "1 to"),
        ({"BOT_QUESTION_LOG_RETENTION_DAYS": "a year"}, "BOT_QUESTION_LOG_RETENTION_DAYS", "days"),
        ({"BOT_ROOT": "/no/such/folder"}, "BOT_ROOT", "directory"),
        ({"BOT_DELIVERY_BUDGET": "half a minute"}, "BOT_DELIVERY_BUDGET", "number"),
        ({"BOT_DELIVERY_BUDGET": "0"}, "BOT_DELIVERY_BUDGET", "more than 0"),
        ({"BOT_DELIVERY_BUDGET": "3000"}, "BOT_DELIVERY_BUDGET", "at most 300"),
        ({"BOT_HEALTH_MAX_WAIT": "-5"}, "BOT_HEALTH_MAX_WAIT", "more than 0"),
        ({"BOT_CONFLICT_TIMEOUT": "forever"}, "BOT_CONFLICT_TIMEOUT", "number"),
        ({"BOT_CONFLICT_TIMEOUT": "inf"}, "BOT_CONFLICT_TIMEOUT", "at most"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str, words: str) -> None:
    full = env if "TELEGRAM_BOT_TOKEN" in env or not env else {"TELEGRAM_BOT_TOKEN": TOKEN, **env}
    message = error(**full)
    assert message.startswith(variable) and words in message
    assert "\n" not in message and TOKEN not in message and TOKEN.split(":")[1] not in message


def test_reliability_settings_and_their_defaults() -> None:
    s = settings()
    assert (s.delivery_budget, s.health_max_wait, s.conflict_timeout) == (30.0, 90.0, 60.0)
    s = settings(BOT_DELIVERY_BUDGET="5", BOT_HEALTH_MAX_WAIT="20", BOT_CONFLICT_TIMEOUT="2.5")
    assert (s.delivery_budget, s.health_max_wait, s.conflict_timeout) == (5.0, 20.0, 2.5)
    assert CoreSettings.from_env({"BOT_HEALTH_MAX_WAIT": "20"}).health_max_wait == 20.0


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "data"
    file.write_text("not a directory")
    assert error(TELEGRAM_BOT_TOKEN=TOKEN, BOT_DATA_DIR=str(file)).startswith("BOT_DATA_DIR")


def test_main_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main({"TELEGRAM_BOT_TOKEN": TOKEN + "!"}) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: TELEGRAM_BOT_TOKEN is malformed")
    assert TOKEN not in err


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_ADMIN_IDS", "12345,bob"),
        ("BOT_QUESTION_LOG", "maybe"),
        ("BOT_QUESTION_LOG_RETENTION_DAYS", "99999"),
    ],
)
def test_main_refuses_bad_keeper_settings_before_anything_starts(
    name: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DATA_DIR": str(data), name: value}
    assert main(env) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {name} must be")
    assert not data.exists()  # refused before the data directory or the log was touched


@pytest.mark.parametrize(
    "env",
    [
        {"TELEGRAM_BOT_TOKEN": "short:token"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": "127.0.0.1:8081"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_PORT": "x", "BOT_MODE": "webhook"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_FLOOD_PER_MINUTE": "lots"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_ADMIN_IDS": "@someone"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_QUESTION_LOG": "nope"},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_QUESTION_LOG_RETENTION_DAYS": "-1"},
    ],
)
@pytest.mark.slow  # a subprocess per case
def test_the_cli_exits_2_without_echoing_the_token(env: dict[str, str]) -> None:
    result = run_cli(env, "telegram")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "short:token" not in result.stderr and TOKEN.split(":")[1] not in result.stderr
    assert result.stdout == ""
