"""A running kiosk takes a newly published catalogue without a restart, and keeps the last
good one when the server is gone — also across its own restart."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from console_client import StaffBrowser
from server_harness import RunningServer, start_server, stop_server
from sqlalchemy import insert, select

from intents import demo_catalogue_path, load_catalogue
from intents.index_cache import IndexCache, cache_key
from kiosk.centre.catalogue_sync import CatalogueSync
from kiosk.centre.client import CentreClient
from kiosk.centre.embedded_server import demo_kiosk_token
from kiosk.dialogue.dialogue import Dialogue
from server.catalogue.parsers import text_sha256
from server.db.models import CatalogueVersion, UnderstandingGap

PHRASE = "哪里能搭个伙"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RunningServer]:
    """Its own server, because this test stops it."""
    (tmp_path / "server").mkdir()
    running = start_server(f"sqlite:///{tmp_path / 'sync.sqlite3'}", tmp_path / "server")
    yield running
    if running.process.poll() is None:
        stop_server(running)


def _publish_phrase(server: RunningServer) -> None:
    staff = StaffBrowser.new_account(server, "staff")
    assert (
        staff.post(
            "/staff/catalogue/intents/service.lookup/example",
            {"revision": staff.draft_revision(), "text": PHRASE, "lang": "zh"},
        ).status_code
        == 303
    )
    check = staff.get("/staff/catalogue/check").text
    revision = re.search(r'name="revision" value="(\d+)"', check).group(1)
    assert staff.post("/staff/catalogue/publish", {"revision": revision}).status_code == 303
    staff.close()


def test_new_versions_reach_the_dialogue_and_the_last_good_one_stays(own_server: RunningServer,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    cache = tmp_path / "kiosk"
    token = demo_kiosk_token()
    own_file = load_catalogue()
    sync_client = CentreClient(own_server.base_url, token, retries=0)
    index = IndexCache(tmp_path / "index-cache")
    sync = CatalogueSync(sync_client, own_file, cache_dir=cache, index_cache=index)
    assert sync.fetch() and sync.current.version == 1
    assert not sync.fetch()  # unchanged: a 304

    with CentreClient(own_server.base_url, token) as client:
        dialogue = Dialogue(sync.current.catalogue, client, parser=sync.current.parser, now=lambda: NOW)
        assert dialogue.handle(PHRASE).state == "idle"  # not understood: still idle
        assert dialogue.state.failures == 1

        _publish_phrase(own_server)
        assert sync.fetch() and sync.current.version == 2
        # The published version has a prepared-index cache of its own: a new key, never the old file.
        published = index.directory / f"prepared-{cache_key(sync.current.catalogue)[:32]}.npz"
        assert published.exists() and cache_key(sync.current.catalogue) != cache_key(own_file)
        dialogue.handle("我要预约体检")  # a booking under way keeps the catalogue it started with
        assert dialogue.state.task == "booking"
        assert not sync.apply_to(dialogue)
        dialogue.handle("不约了")
        assert dialogue.state.task is None
        assert sync.apply_to(dialogue)
        assert dialogue.parser.parse(PHRASE, now=NOW).intent == "service.lookup"
        failures = dialogue.state.failures
        dialogue.handle(PHRASE)
        assert dialogue.state.failures <= failures  # understood now

    stop_server(own_server)
    assert not sync.fetch()
    assert "cannot be reached" in (sync.last_error or "")
    assert sync.current.version == 2  # the last good version stays
    sync.close()

    # A kiosk restarted while the server is down starts with the saved version, not its own file.
    restarted = CatalogueSync(sync_client, own_file, cache_dir=cache, index_cache=index)
    assert restarted.current.version == 2
    assert restarted.current.parser.parse(PHRASE, now=NOW).intent == "service.lookup"
    restarted.close()
    sync_client.close()


def test_a_catalogue_the_kiosk_cannot_use_is_not_taken(own_server: RunningServer, tmp_path: Path) -> None:
    """The server checks every edit, but the kiosk checks again: it may be older than the server."""
    client = CentreClient(own_server.base_url, demo_kiosk_token())
    sync = CatalogueSync(client, load_catalogue(), cache_dir=tmp_path)
    assert sync.fetch()
    # A version the kiosk's dialogue cannot speak with (a reply it needs renamed).
    text = demo_catalogue_path().read_text(encoding="utf-8").replace("    anything_else:", "    anything_more:")
    with own_server.database.write() as conn:
        conn.execute(insert(CatalogueVersion.__table__).values(
            number=2, kind="publish", yaml_text=text, sha256=text_sha256(text), created_at=NOW,
            created_by="system", note="broken on purpose"))  # fmt: skip
    assert not sync.fetch()
    assert "anything_else" in (sync.last_error or "") and sync.current.version == 1
    sync.close()
    client.close()


def test_a_running_kiosk_chat_understands_a_phrase_published_while_it_runs(own_server: RunningServer,
                                                                            tmp_path: Path) -> None:  # fmt: skip
    """`kiosk chat --server`: one process, no restart, before and after a publish."""
    chat = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "chat", "--server", own_server.base_url, "--token", demo_kiosk_token(),
         "--json", "--catalogue-poll", "1", "--data-dir", str(tmp_path / "kiosk")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert chat.stdin is not None and chat.stdout is not None

    def say(text: str) -> dict[str, object]:
        chat.stdin.write(text + "\n")  # type: ignore[union-attr]
        chat.stdin.flush()  # type: ignore[union-attr]
        return json.loads(chat.stdout.readline())  # type: ignore[union-attr]

    try:
        welcome = json.loads(chat.stdout.readline())
        assert welcome["you"] is None
        before = say(PHRASE)
        assert "没听明白" in str(before["text"])
        say("好的谢谢")  # start afresh
        _publish_phrase(own_server)
        deadline = time.monotonic() + 30
        while True:
            after = say(PHRASE)
            if "没听明白" not in str(after["text"]) or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert "没听明白" not in str(after["text"]), after
    finally:
        chat.stdin.close()
        chat.wait(timeout=60)
    with own_server.database.read() as conn:  # the kiosk told the console what it had not understood
        gaps = conn.scalars(select(UnderstandingGap.__table__.c.text)).all()
    assert PHRASE in gaps
