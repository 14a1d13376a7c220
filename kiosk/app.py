"""The one wiring root: every kiosk front-end (`kiosk chat`, `kiosk run`, `kiosk screen`)
gets its server connection, catalogue, dialogue and turn reports from `build_kiosk`.

Built once here, a front-end cannot forget a part: each follows what staff publish, tells
the staff console what it did not understand, and keeps emergencies the server did not
take in a durable outbox until it does, whether the resident typed, spoke or touched.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from intents import Catalogue, CatalogueError, load_catalogue
from intents.index_cache import IndexCache
from intents.parser import Parser
from kiosk.centre.alert_courier import AlertCourier
from kiosk.centre.alert_outbox import OUTBOX_FILE, AlertOutbox
from kiosk.centre.catalogue_sync import CatalogueSync
from kiosk.centre.client import CentreClient
from kiosk.centre.embedded_server import EmbeddedServerError, demo_kiosk_token, start_embedded_server
from kiosk.centre.errors import CentreRefused, CentreUnavailable, DeviceNotAuthorised
from kiosk.centre.notice_store import NOTICES_FILE, NoticeStore
from kiosk.centre.understanding_report import TurnReporter
from kiosk.dialogue.dialogue import Dialogue
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import MissingReply
from kiosk.errors import KioskError
from kiosk.settings import KioskSettings


class KioskStartError(KioskError):
    """The kiosk cannot start: a broken catalogue, a demo server that would not start, a
    token the server refuses. The message says what to fix."""


def _to_stderr(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr, flush=True)


@dataclass
class Kiosk:
    """One running kiosk: what every front-end drives."""

    settings: KioskSettings
    url: str
    """The centre's server."""
    token: str
    client: CentreClient
    dialogue: Dialogue
    reporter: TurnReporter
    courier: AlertCourier
    """Sends emergencies from the durable outbox until the server has them."""
    sync: CatalogueSync | None
    """None when the kiosk keeps the catalogue file it was given."""
    server_problem: Exception | None = None
    """Why the server did not answer at start; the kiosk still serves what it can."""
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    @property
    def catalogue(self) -> Catalogue:
        return self.dialogue.catalogue

    def refresh_catalogue(self) -> Catalogue:
        """Take a newly published catalogue if the dialogue is between requests; the one in use."""
        if self.sync is not None:
            self.sync.apply_to(self.dialogue)
        return self.dialogue.catalogue

    @contextmanager
    def turn(self, said: str | None) -> Iterator[Dialogue]:
        """Around every resident's turn: a newly published catalogue comes in between requests
        only, and a turn said in words is reported afterwards (not understood → a staff gap)."""
        self.refresh_catalogue()
        step, failures = self.dialogue.state.step, self.dialogue.state.failures
        yield self.dialogue
        if said and said.strip():
            self.reporter.after_turn(self.dialogue, said, step, failures)

    def handle(self, text: str) -> Reply:
        """One typed (or recognised) utterance, answered."""
        with self.turn(text) as dialogue:
            return dialogue.handle(text)

    def close(self) -> None:
        """End the resident's session, send what is queued, stop the demo server if started here."""
        self._stack.close()

    def __enter__(self) -> Kiosk:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def build_kiosk(settings: KioskSettings, status: Callable[[str], None] = _to_stderr) -> Kiosk:
    """Start everything one kiosk needs; `status` hears what a person at the console should know."""
    stack = ExitStack()
    try:
        return _build(settings, status, stack)
    except BaseException:
        stack.close()  # nothing half-started is left running
        raise


def _build(settings: KioskSettings, status: Callable[[str], None], stack: ExitStack) -> Kiosk:
    try:
        catalogue = load_catalogue(settings.catalogue_file)
    except CatalogueError as exc:
        raise KioskStartError(str(exc)) from exc
    url, token = settings.server_url, settings.token
    if url is None:
        status("starting the demo centre's server…")
        try:
            embedded = start_embedded_server(settings.data_dir, settings.catalogue_file)
        except EmbeddedServerError as exc:
            raise KioskStartError(str(exc)) from exc
        stack.callback(embedded.stop)
        status(f"the demo centre's server is at {embedded.url}")
        url, token = embedded.url, token or demo_kiosk_token()
    if token is None:
        raise KioskStartError("no device token for the kiosk (KioskSettings.build insists on one)")
    client = stack.enter_context(CentreClient(url, token))
    problem = _server_problem(client)
    if isinstance(problem, DeviceNotAuthorised):
        raise KioskStartError(str(problem))
    if problem is not None:
        status(str(problem))
    sync = None
    index_cache = IndexCache(settings.index_cache_dir) if settings.index_cache_dir is not None else None
    if settings.follows_publishes:
        sync = CatalogueSync(client, catalogue, cache_dir=settings.data_dir, poll_seconds=settings.catalogue_poll_s,
                             index_cache=index_cache)
        stack.callback(sync.close)
        sync.fetch()  # the published version from the first word on
        sync.start()
    reporter = TurnReporter(client)
    stack.callback(reporter.close)
    courier = AlertCourier(client, AlertOutbox(settings.data_dir / OUTBOX_FILE))
    stack.callback(courier.close)
    courier.start()  # alerts left from before a restart go out now
    notices = NoticeStore(settings.data_dir / NOTICES_FILE)
    if problem is None:
        notices.refresh(client)  # read from the file if the server goes away later
    current = sync.current if sync else None
    try:
        dialogue = Dialogue(current.catalogue if current else catalogue, client,
                            parser=current.parser if current else Parser(catalogue, index_cache=index_cache),
                            now=settings.clock,
                            lang=settings.lang, courier=courier, notices=notices)  # fmt: skip
    except MissingReply as exc:
        raise KioskStartError(str(exc)) from exc
    stack.callback(dialogue.close)  # runs first: the resident's session ends while the server is still up
    return Kiosk(settings, url, token, client, dialogue, reporter, courier, sync, problem, stack)


def _server_problem(client: CentreClient) -> Exception | None:
    """Say at once if the server is down or the token wrong, rather than at the first booking."""
    try:
        client.verify_device()
    except DeviceNotAuthorised as exc:
        return DeviceNotAuthorised(exc.status, exc.code, f"the server refused this kiosk's token: {exc.message}")
    except (CentreUnavailable, CentreRefused) as exc:
        return exc
    return None
