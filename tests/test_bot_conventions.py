"""Conventions every handler keeps, and the button-data codec, checked without a network."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.callbacks import ACTIONS, MAX_BYTES, decode, encode, fits, term_key
from bot.exceptions import StaleCallback
from bot.handlers import COMMAND_HANDLERS
from bot.i18n import COMMANDS, LANGUAGES
from newsgist.settings import Secret, Settings
from storage.db import open_db

T2S = opencc.OpenCC("t2s")
S2TW = opencc.OpenCC("s2tw")


def test_every_command_has_a_handler_and_every_handler_a_menu_entry_and_help() -> None:
    assert set(COMMAND_HANDLERS) == {command.name for command in COMMANDS}
    for name, handler in COMMAND_HANDLERS.items():
        doc = (handler.__doc__ or "").strip()
        assert doc and "\n" not in doc, f"/{name}: its handler needs a one-line docstring"
    for command in COMMANDS:
        for lang in LANGUAGES:
            assert command.description[lang].strip(), (command.name, lang)
            assert f"/{command.name}" in command.usage[lang], (command.name, lang)


def test_the_application_registers_exactly_the_menu_commands(tmp_path: Path) -> None:
    settings = Settings(token=Secret("123:ABC"), data_dir=tmp_path)
    db = open_db(tmp_path / "newsgist.db")
    app = build_application(settings, db, install_jobs=False)
    registered = {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    db.close()
    assert registered == {command.name for command in COMMANDS}


def test_the_factory_installs_the_schedule_on_request(tmp_path: Path) -> None:
    settings = Settings(token=Secret("123:ABC"), data_dir=tmp_path)
    db = open_db(tmp_path / "newsgist.db")
    scheduled = build_application(settings, db).job_queue.jobs()
    bare = build_application(settings, db, install_jobs=False).job_queue.jobs()
    db.close()
    assert scheduled and not bare


# -- button data -----------------------------------------------------------------------------

EXAMPLES = {
    "subscribe": {"term": "台湾"},
    "unsubscribe": {"key": term_key("台湾")},
    "unmute": {"key": term_key("sport")},
    "instant": {"key": term_key("ai"), "on": "0"},
    "digest_more": {
        "since": "6440f7ea3c240",
        "until": "6440f9b5bdd00",
        "key": term_key("台湾"),
        "offset": "10",
    },
    "page": {"offset": "5", "query": "颱風 停班: a:b"},
    "page_ref": {"offset": "10", "ref": "0123456789"},
    "article": {"id": "317e4d9dfde92dcc"},
    "settings": {"what": "tz", "value": "America/Argentina/Buenos_Aires"},
}


def test_every_action_has_an_example() -> None:
    assert set(EXAMPLES) == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(EXAMPLES))
def test_button_data_round_trips_within_64_bytes(action: str) -> None:
    data = encode(action, **EXAMPLES[action])
    assert len(data.encode()) <= MAX_BYTES
    decoded = decode(data)
    assert (decoded.action, decoded.fields) == (action, EXAMPLES[action])


def test_data_that_would_not_fit_is_refused_when_encoding() -> None:
    long_query = "颱風" * 30  # 180 bytes of UTF-8
    assert not fits("page", offset=0, query=long_query)
    with pytest.raises(ValueError, match="64 bytes"):
        encode("page", offset=0, query=long_query)
    with pytest.raises(ValueError):
        encode("subscribe", term="tab\there")  # would not decode
    with pytest.raises(ValueError):
        encode("article", id="not-an-id")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "x:1",  # unknown action
        "s:",  # no term
        "s:\x00evil",
        "u:zzzzzzzz",
        "u:0123456",  # a digit short
        "i:01234567:2",
        "p:-5:query",
        "p:12345:query",  # offsets have at most four digits
        "a:317E4D9DFDE92DCC",  # ids are lower case
        "c:time:07:30",  # settings values carry no ':'
        "c:colour:blue",
        "s:" + "a" * 63,  # over 64 bytes
    ],
)
def test_forged_or_stale_data_is_refused(data: str | None) -> None:
    with pytest.raises(StaleCallback):
        decode(data)


@given(st.text(max_size=80))
def test_any_data_decodes_to_what_encodes_it_or_is_refused(data: str) -> None:
    try:
        pressed = decode(data)
    except StaleCallback:
        return
    assert encode(pressed.action, **pressed.fields) == data
