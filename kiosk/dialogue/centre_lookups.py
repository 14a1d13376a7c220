"""Answers that only look things up: where a service is, a hotline number, notices, progress.

Service details and hotline numbers come from the server (staff keep them up to date)
and fall back to the kiosk's own catalogue when the server cannot be reached — the
catalogue is what the server was filled from, and a resident asking for the police
number must get it even then. Notices live on the server; when it cannot be reached the
last ones received are read, with the warning that they may be out of date. Progress
lives only on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from intents import Catalogue
from kiosk.centre.catalogue_bodies import hotline_body, service_body
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError, CentreRefused
from kiosk.centre.notice_store import NoticeStore
from kiosk.dialogue.reply_writer import ReplyWriter, Said
from protocol.bodies import HotlineOut, ServiceOut

NOTICE_HOUR = time(12, 0)
"""Notices "for tomorrow" are those in force at noon that day."""


@dataclass(frozen=True)
class ServiceAnswer:
    said: Said
    bookable: bool


class CentreLookups:
    """Builds the reply for each look-up; raises `CentreUnavailable` only when no answer exists at all."""

    def __init__(
        self, catalogue: Catalogue, client: CentreClient, writer: ReplyWriter, notices: NoticeStore | None = None
    ) -> None:
        self.catalogue = catalogue
        self.client = client
        self.kept_notices = notices or NoticeStore()
        self.writer = writer
        self.forms = writer.forms

    # ------------------------------------------------------------------ services

    def service_info(self, service_id: str) -> ServiceOut:
        try:
            return self.client.service(service_id)
        except CentreError:
            service = next((s for s in self.catalogue.services if s.id == service_id), None)
            if service is None:
                raise
            return service_body(service)

    def service_name(self, service_id: str, lang: str) -> str:
        service = next((s for s in self.catalogue.services if s.id == service_id), None)
        if service is not None:
            return service.name(lang)
        return self.client.service(service_id).names[lang][0]

    def hours(self, info: ServiceOut, lang: str) -> str:
        return self.forms.hours(info.hours.weekdays, info.hours.periods, lang)

    def service(self, service_id: str, lang: str) -> ServiceAnswer:
        """"体检在一楼西侧的社区卫生服务站办理，开放时间是…。请带上…。"."""
        info = self.service_info(service_id)
        values = {
            "service": self.service_name(service_id, lang),
            "location": info.location.get(lang, ""),
            "hours": self.hours(info, lang),
        }
        documents = info.documents.get(lang) or []
        if documents:
            said = self.writer.say("service.lookup", "default", lang, documents=self.forms.items(documents, lang),
                                   **values)
        else:
            said = self.writer.say("service.lookup", "no_documents", lang, **values)
        return ServiceAnswer(said, info.bookable)

    # ------------------------------------------------------------------ hotlines

    def hotline_info(self, hotline_id: str) -> HotlineOut:
        try:
            return self.client.hotline(hotline_id)
        except CentreError:
            hotline = next((h for h in self.catalogue.hotlines if h.id == hotline_id), None)
            if hotline is None:
                raise
            return hotline_body(hotline)

    def number(self, number: str, lang: str) -> Said:
        """A number to dial: shown as written, said digit by digit."""
        return Said(number, self.forms.digit_string(number, lang))

    def hotline(self, hotline_id: str, lang: str) -> Said:
        info = self.hotline_info(hotline_id)
        return self.writer.say(
            "hotline.lookup", "default", lang, hotline=info.names[lang][0], number=self.number(info.number, lang)
        )

    def emergency_number(self, hotline_id: str) -> str:
        """From the catalogue only: an emergency must not wait for the network."""
        hotline = next((h for h in self.catalogue.hotlines if h.id == hotline_id), None)
        return hotline.number if hotline else "120"

    # ------------------------------------------------------------------ notices, progress

    def notices(self, lang: str, day: date | None, today: date, zone: tzinfo | None) -> Said:
        at = datetime.combine(day, NOTICE_HOUR, tzinfo=zone) if day and day != today else None
        stale = False
        try:
            notices = self.client.notices(at=at)
        except CentreError:
            kept = self.kept_notices.last()
            if kept is None:
                raise
            notices, stale = kept, True
        else:
            if at is None:
                self.kept_notices.keep(notices)
        if not notices:
            return self.writer.say("notice.read", "stale_none" if stale else "none", lang)
        items = []
        for notice in notices:
            title = notice.title.get(lang) or next(iter(notice.title.values()), "")
            body = notice.body.get(lang) or next(iter(notice.body.values()), "")
            items.append(self.writer.say("notice.read", "item_full", lang, title=title, body=body))
        joined = self.writer.join(items, lang)
        return self.writer.say("notice.read", "stale" if stale else "default", lang, items=joined)

    def progress(self, reference: str, lang: str) -> Said:
        """The application's latest note; `not_found` for an unknown code."""
        code = Said(reference, self.forms.code(reference, lang))
        try:
            record = self.client.progress(reference)
        except CentreRefused as refusal:
            if refusal.status == 404:
                return self.writer.say("progress.query", "not_found", lang, reference=code)
            raise
        latest = record.history[-1].note if record.history else {}
        status = (latest.get(lang) or next(iter(latest.values()), record.status)).rstrip("。.！!")
        return self.writer.say("progress.query", "default", lang, reference=code, status=status)

