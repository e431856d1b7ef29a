"""Settings: where each value comes from, what is refused, and that the token never leaks."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from newsgist.settings import (
    ENV_VARIABLES,
    RedactTokenFilter,
    Secret,
    Settings,
    SettingsError,
    install_redaction,
    load_settings,
    redact,
)

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAEhBP0av28oRk9DEfcZeJ9-Qkx_3yAnOws"


def write_env(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_every_variable_from_the_environment(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://localhost:8081/bot",
        "NEWSGIST_DATA_DIR": str(tmp_path / "data"),
        "NEWSGIST_DB": str(tmp_path / "x.db"),
        "NEWSGIST_SOURCES": "a/_posts, https://example.org/feed.xml\nb/_posts",
        "NEWSGIST_ADMINS": "42, 7 99",
        "NEWSGIST_TIMEZONE": "Asia/Taipei",
        "NEWSGIST_POLL_INTERVAL": "15",
        "NEWSGIST_DIGEST_TIME": "7:30",
        "NEWSGIST_WEBHOOK_URL": "https://bot.example.org/hook",
        "NEWSGIST_WEBHOOK_LISTEN": "0.0.0.0",
        "NEWSGIST_WEBHOOK_PORT": "8080",
        "NEWSGIST_WEBHOOK_SECRET": "s3cret-Value_1",
        "NEWSGIST_LOG_LEVEL": "debug",
    }
    settings = load_settings(env, dotenv=None)
    assert settings.token is not None and settings.token.get() == TOKEN
    assert settings.api_base_url == "http://localhost:8081/bot"
    assert settings.data_dir == tmp_path / "data"
    assert settings.db_path == tmp_path / "x.db"
    assert settings.sources == ("a/_posts", "https://example.org/feed.xml", "b/_posts")
    assert settings.admins == frozenset({42, 7, 99})
    assert settings.timezone == "Asia/Taipei"
    assert settings.poll_interval == 15
    assert settings.digest_time == "07:30"
    assert settings.webhook and settings.webhook_url == "https://bot.example.org/hook"
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8080)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get() == "s3cret-Value_1"
    assert settings.log_level == "DEBUG"


def test_defaults_without_any_configuration(tmp_path: Path) -> None:
    settings = load_settings({}, dotenv=None, require_token=False)
    # conftest points XDG_DATA_HOME at tmp_path / "xdg-data"
    assert settings.data_dir == tmp_path / "xdg-data" / "newsgist"
    assert settings.db_path == tmp_path / "xdg-data" / "newsgist" / "newsgist.db"
    assert settings.token is None
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert (settings.timezone, settings.digest_time, settings.poll_interval) == ("UTC", "08:00", 5)
    assert settings.sources == () and settings.admins == frozenset()
    assert not settings.webhook
    assert settings.log_level == "INFO"


def test_db_follows_the_data_dir_unless_given(tmp_path: Path) -> None:
    settings = load_settings(
        {"NEWSGIST_DATA_DIR": str(tmp_path / "d")}, dotenv=None, require_token=False
    )
    assert settings.db_path == tmp_path / "d" / "newsgist.db"


def test_environment_wins_over_dotenv_and_overrides_win_over_both(tmp_path: Path) -> None:
    dotenv = write_env(
        tmp_path,
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nNEWSGIST_TIMEZONE=Asia/Tokyo\nNEWSGIST_POLL_INTERVAL=9\n"
        "NEWSGIST_SOURCES=from-dotenv\n",
    )
    env = {"NEWSGIST_TIMEZONE": "Europe/London", "NEWSGIST_SOURCES": "from-env"}
    settings = load_settings(env, dotenv=dotenv)
    assert settings.token is not None and settings.token.get() == TOKEN  # only in .env
    assert settings.poll_interval == 9  # only in .env
    assert settings.timezone == "Europe/London"  # env beats .env
    assert settings.sources == ("from-env",)

    overridden = load_settings(
        env,
        dotenv=dotenv,
        overrides={"sources": ["x", "y"], "poll_interval": "2", "db_path": None},
    )
    assert overridden.sources == ("x", "y")  # --source replaces the list
    assert overridden.poll_interval == 2
    assert overridden.timezone == "Europe/London"


def test_empty_values_count_as_unset(tmp_path: Path) -> None:
    dotenv = write_env(tmp_path, "NEWSGIST_DB=\nNEWSGIST_TIMEZONE=Asia/Taipei\n")
    settings = load_settings({"NEWSGIST_TIMEZONE": "  "}, dotenv=dotenv, require_token=False)
    assert settings.timezone == "Asia/Taipei"
    assert settings.db_path.name == "newsgist.db"


def test_multiline_sources_in_dotenv(tmp_path: Path) -> None:
    dotenv = write_env(tmp_path, 'NEWSGIST_SOURCES="one/_posts\ntwo/_posts,\nhttps://x.test/rss"\n')
    settings = load_settings({}, dotenv=dotenv, require_token=False)
    assert settings.sources == ("one/_posts", "two/_posts", "https://x.test/rss")


def test_missing_dotenv_file_is_fine(tmp_path: Path) -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=tmp_path / "nope.env")
    assert settings.token is not None


def test_missing_token_explains_how_to_get_one() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({}, dotenv=None)
    message = str(caught.value)
    for needed in ("@BotFather", "/newbot", ".env", "TELEGRAM_BOT_TOKEN=", "newsgist chat"):
        assert needed in message


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("NEWSGIST_ADMINS", "12, @alice", "'@alice'"),
        ("NEWSGIST_ADMINS", "12;13", "'12;13'"),
        ("NEWSGIST_TIMEZONE", "Mars/Olympus", "Mars/Olympus"),
        ("NEWSGIST_DIGEST_TIME", "25:00", "25:00"),
        ("NEWSGIST_POLL_INTERVAL", "often", "often"),
        ("NEWSGIST_POLL_INTERVAL", "0", "0"),
        ("NEWSGIST_WEBHOOK_PORT", "70000", "70000"),
        ("NEWSGIST_WEBHOOK_URL", "ftp://x.test/hook", "ftp://x.test/hook"),
        ("NEWSGIST_WEBHOOK_SECRET", "has spaces", "NEWSGIST_WEBHOOK_SECRET"),
        ("NEWSGIST_LOG_LEVEL", "LOUD", "LOUD"),
    ],
)
def test_bad_values_are_refused_naming_variable_and_value(
    name: str, value: str, named: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, name: value}, dotenv=None)
    assert name in str(caught.value)
    assert named in str(caught.value)


def test_malformed_token_is_refused_without_echoing_it() -> None:
    bad = "123456789 AAEhBP0av28oRk9DEfcZeJ9"
    with pytest.raises(SettingsError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": bad}, dotenv=None)
    assert "TELEGRAM_BOT_TOKEN" in str(caught.value)
    assert "AAEhBP0av28oRk9DEfcZeJ9" not in str(caught.value)


def test_unknown_override_is_refused() -> None:
    with pytest.raises(SettingsError, match="colour"):
        load_settings({}, dotenv=None, overrides={"colour": "red"}, require_token=False)


def test_timezone_names_are_forgiving_but_canonical() -> None:
    settings = load_settings({"NEWSGIST_TIMEZONE": "asia/taipei"}, dotenv=None, require_token=False)
    assert settings.timezone == "Asia/Taipei"


def test_token_never_shows_in_repr_str_or_format() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None)
    for shown in (repr(settings), str(settings), f"{settings.token}", repr(settings.token)):
        assert TOKEN not in shown
        assert TOKEN.split(":")[1] not in shown
    assert repr(Secret(TOKEN)) == "Secret('***')"


def test_redact_scrubs_whole_token_url_form_and_secret_half() -> None:
    text = (
        f"POST https://api.telegram.org/bot{TOKEN}/getUpdates "
        f"quoted={TOKEN.replace(':', '%3A')} half={TOKEN.split(':')[1]}"
    )
    scrubbed = redact(text, Secret(TOKEN))
    assert TOKEN.split(":")[1] not in scrubbed
    assert "https://api.telegram.org/bot***/getUpdates" in scrubbed
    assert redact("nothing to hide", "") == "nothing to hide"


def test_filter_scrubs_httpx_request_logs(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs every request URL at INFO; with the bot's token in it."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True, "result": []})

    handler = caplog.handler
    install_redaction(Secret(TOKEN), [handler])
    with (
        caplog.at_level(logging.INFO, logger="httpx"),
        httpx.Client(transport=httpx.MockTransport(answer)) as client,
    ):
        client.get(f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert caplog.records, "httpx logged nothing; the test would prove nothing"
    assert "getMe" in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


def test_filter_scrubs_args_and_tracebacks(tmp_path: Path) -> None:
    logger = logging.getLogger("newsgist.test.redaction")
    logger.propagate = False
    log_file = tmp_path / "log.txt"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.addFilter(RedactTokenFilter(TOKEN))
    logger.addHandler(handler)
    try:
        logger.warning("calling %s", f"https://api.telegram.org/bot{TOKEN}/sendMessage")
        try:
            raise RuntimeError(f"failed: bot{TOKEN}")
        except RuntimeError:
            logger.exception("boom")
        logger.warning("bad args %s %s", TOKEN)  # a formatting mistake must not leak either
    finally:
        logger.removeHandler(handler)
        handler.close()
    written = log_file.read_text(encoding="utf-8")
    assert "calling https://api.telegram.org/bot***/sendMessage" in written
    assert "RuntimeError: failed: bot***" in written
    assert TOKEN.split(":")[1] not in written


def test_importing_never_reads_settings(tmp_path: Path) -> None:
    """A broken .env or a missing token must not break `import newsgist.settings`."""
    write_env(tmp_path, "NEWSGIST_POLL_INTERVAL=not-a-number\n")
    result = subprocess.run(
        [sys.executable, "-c", "import newsgist.settings, bot.i18n, bot.render"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_env_example_documents_every_variable_and_loads() -> None:
    example = ROOT / ".env.example"
    text = example.read_text(encoding="utf-8")
    for name in ENV_VARIABLES:
        assert f"\n{name}=" in text, name
        before = text.split(f"\n{name}=")[0].rstrip().splitlines()[-1]
        assert before.startswith("#"), f"{name} has no comment above it"
    settings = load_settings({}, dotenv=example, require_token=False)
    assert settings.token is None  # the example holds no token that could be mistaken for one


def test_settings_can_be_built_directly_and_are_validated() -> None:
    assert Settings(poll_interval=3).poll_interval == 3
    with pytest.raises(SettingsError):
        Settings(timezone="Nowhere/Special")
