"""Keeping a running kiosk on the newest published catalogue, without a restart.

A background thread polls `GET /api/v1/catalogue` with `If-None-Match` (an unchanged
version costs an empty 304). A new version is checked before it is used — by the same
loader as any catalogue file, and for every reply the dialogue needs — and its parser is
built in the background thread, so the resident never waits for it. The dialogue takes
the new catalogue between requests only (`apply_to`): a booking half-way through keeps
the words it started with.

When the server cannot be reached, or sends something unusable, the kiosk keeps the last
good version. That version is also saved in the data directory, so a kiosk restarted
while the server is down starts with it rather than with its original file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from intents import Catalogue, CatalogueError, parse_catalogue
from intents.index_cache import IndexCache
from intents.parser import Parser
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreRefused, CentreUnavailable
from kiosk.dialogue.dialogue import NEEDED_REPLIES, Dialogue
from kiosk.dialogue.reply_writer import MissingReply, ReplyWriter
from kiosk.dialogue.spoken_forms import SpokenForms

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 30.0
"""How soon a published catalogue reaches the kiosks; a poll is one tiny request."""
CACHE_FILE = "catalogue-cache.yaml"
CACHE_INFO_FILE = "catalogue-cache.json"


@dataclass(frozen=True)
class SyncedCatalogue:
    """A catalogue in use at the kiosk, with its parser."""

    version: int | None
    """The server's version number; None for the kiosk's own file."""
    catalogue: Catalogue
    parser: Parser
    etag: str | None = None
    """The server's tag for it, sent back to ask "anything newer?"."""


class CatalogueSync:
    """Fetches newly published catalogues and hands them to the dialogue."""

    def __init__(
        self,
        client: CentreClient,
        fallback: Catalogue,
        *,
        cache_dir: Path | None = None,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        fallback_parser: Parser | None = None,
        index_cache: IndexCache | None = None,
    ) -> None:
        """`fallback` is the catalogue the kiosk started with; `cache_dir` keeps the last good version;
        `index_cache` keeps each version's prepared texts (a new version has a new key, so its
        parser is never built from an older one's)."""
        self.client = client
        self.url = client.base_url
        """Which server the cached version came from (another centre's is not used)."""
        self.poll_seconds = poll_seconds
        self.cache_dir = cache_dir
        self.last_error: str | None = None
        """Why the last poll did not bring a new version (None: it worked, or nothing was new)."""
        self._forms = SpokenForms.load()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._index_cache = index_cache
        self._current = self._from_cache() or SyncedCatalogue(None, fallback, fallback_parser or self._parser(fallback))

    @property
    def current(self) -> SyncedCatalogue:
        with self._lock:
            return self._current

    # ------------------------------------------------------------------ polling

    def fetch(self) -> bool:
        """One poll; True when a new version was taken. Never raises for network or content trouble."""
        current = self.current
        try:
            published = self.client.published_catalogue(current.etag)
        except CentreUnavailable as exc:
            return self._keep(f"the server cannot be reached ({exc})")
        except CentreRefused as exc:
            return self._keep(f"the server refused to send the catalogue ({exc})")
        if published is None or (published.etag is not None and published.etag == current.etag):
            self.last_error = None
            return False
        version, etag, text = published.version, published.etag, published.text
        try:
            catalogue = parse_catalogue(text, f"catalogue version {version} from {self.url}")
            missing = ReplyWriter(catalogue, self._forms).missing(NEEDED_REPLIES)
            if missing:
                raise MissingReply(f"catalogue version {version} lacks replies the kiosk needs: {', '.join(missing)}")
        except (CatalogueError, MissingReply) as exc:
            return self._keep(str(exc))
        synced = SyncedCatalogue(version, catalogue, self._parser(catalogue), etag)
        with self._lock:
            self._current = synced
        self.last_error = None
        self._save_cache(version, etag, text)
        log.info("catalogue version %d in use", version)
        return True

    def _keep(self, reason: str) -> bool:
        if reason != self.last_error:
            log.warning("keeping catalogue %s: %s", self.current.version or "(own file)", reason)
        self.last_error = reason
        return False

    def start(self) -> CatalogueSync:
        """Poll in a background thread (the first poll at once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="catalogue-sync", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.fetch()
            self._stop.wait(self.poll_seconds)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def __enter__(self) -> CatalogueSync:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the dialogue

    def apply_to(self, dialogue: Dialogue) -> bool:
        """Give the dialogue the newest catalogue if it is between requests; True if it changed."""
        synced = self.current
        if dialogue.catalogue is synced.catalogue or dialogue.state.task is not None:
            return False
        dialogue.use_catalogue(synced.catalogue, synced.parser)
        return True

    # ------------------------------------------------------------------ the last good version on disk

    def _from_cache(self) -> SyncedCatalogue | None:
        if self.cache_dir is None:
            return None
        try:
            info = json.loads((self.cache_dir / CACHE_INFO_FILE).read_text(encoding="utf-8"))
            text = (self.cache_dir / CACHE_FILE).read_text(encoding="utf-8")
            if info.get("url") != self.url:
                return None  # saved from another centre's server
            catalogue = parse_catalogue(text, f"saved catalogue version {info['version']}")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, CatalogueError) as exc:
            log.warning("ignoring the saved catalogue in %s: %s", self.cache_dir, exc)
            return None
        if ReplyWriter(catalogue, self._forms).missing(NEEDED_REPLIES):
            return None
        return SyncedCatalogue(int(info["version"]), catalogue, self._parser(catalogue), info.get("etag"))

    def _parser(self, catalogue: Catalogue) -> Parser:
        return Parser(catalogue, index_cache=self._index_cache)

    def _save_cache(self, version: int, etag: str | None, text: str) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            info = json.dumps({"version": version, "etag": etag, "url": self.url})
            for name, content in ((CACHE_FILE, text), (CACHE_INFO_FILE, info)):
                temporary = self.cache_dir / f".{name}.tmp"
                temporary.write_text(content, encoding="utf-8")
                os.replace(temporary, self.cache_dir / name)  # never a half-written file
        except OSError as exc:
            log.warning("cannot save catalogue version %d in %s: %s", version, self.cache_dir, exc)
