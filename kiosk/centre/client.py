"""The kiosk's HTTP client for the centre's server: timeouts, retries and idempotency keys.

A resident is standing at the kiosk, so every request is short: 2 s to connect, 5 s to
answer. Failures are retried with a growing pause — but only when a retry cannot do
something twice:

- a connection that never opened sent nothing, so any request may be retried;
- a timeout or a 502/503/504 after the request went out is retried only for reads,
  cancellations (the server answers a repeated cancel the same) and bookings, which
  carry an `Idempotency-Key` the caller keeps for the whole attempt, so the server
  recognises a retry and answers with the booking it already made;
- identifications are not retried once sent: a repeated identify would count as another
  failed attempt; alerts are retried only with an `Idempotency-Key` (the outbox's,
  kiosk/centre/alert_outbox.py), without one a repeated alert would call staff twice.

It is the kiosk's only HTTP client: the dialogue, the catalogue poller, the turn reporter
and the screen's pickers all go through it, so every request has the same timeouts, token
and error handling.
"""

from __future__ import annotations

import contextlib
import logging
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import httpx

from kiosk.centre.errors import CentreRefused, CentreUnavailable, DeviceNotAuthorised, ResidentNotIdentified
from kiosk.centre.records import Booking, ResidentSession
from protocol.bodies import (
    AlertOut,
    AppointmentOut,
    BookingIn,
    ConsentOut,
    DaySlotsOut,
    FreeDaysOut,
    HotlineOut,
    IdentifyIn,
    NoticeOut,
    ProgressOut,
    ProxyNewsOut,
    ProxyOut,
    ResidentSessionOut,
    ServiceOut,
)
from protocol.error_codes import ErrorCode
from protocol.paths import (
    API,
    CATALOGUE_VERSION_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENT_REPLAYED_HEADER,
    RESIDENT_SESSION_HEADER,
)

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
"""Connect 2 s, read/write/pool 5 s."""
DEFAULT_RETRIES = 2
"""Extra attempts after the first."""
DEFAULT_BACKOFF_SECONDS = 0.25
"""Pause before the first retry; doubled before each next one."""
MAX_RETRY_AFTER_SECONDS = 2.0
"""A server asking to wait longer than this (Retry-After) is not waited for: the resident is standing there."""
RETRYABLE_STATUS = frozenset({502, 503, 504})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedCatalogue:
    """The catalogue text staff published, as the server sends it to kiosks."""

    version: int
    etag: str | None
    """Sent back as If-None-Match to ask "anything newer?"."""
    text: str


class CentreClient:
    """One kiosk's connection to its centre's server; thread-safe like `httpx.Client`."""

    def __init__(
        self,
        base_url: str,
        device_token: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {device_token}", "Accept": "application/json"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CentreClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ centre information

    def healthy(self) -> bool:
        """True when the server and its database answer (one quick try, no retries)."""
        try:
            return self._http.get("/healthz", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def verify_device(self) -> None:
        """Raise `DeviceNotAuthorised` if the server does not know this kiosk's token
        (or `CentreUnavailable` if it cannot be reached): worth knowing before a resident comes."""
        self._request("GET", f"{API}/hotlines", retries=0)

    def service(self, service_id: str) -> ServiceOut:
        return ServiceOut.model_validate(self._request("GET", f"{API}/services/{service_id}"))

    def hotline(self, hotline_id: str) -> HotlineOut:
        return HotlineOut.model_validate(self._request("GET", f"{API}/hotlines/{hotline_id}"))

    def notices(self, *, lang: str | None = None, at: datetime | None = None) -> list[NoticeOut]:
        params: dict[str, str] = {}
        if lang:
            params["lang"] = lang
        if at:
            params["at"] = at.isoformat()
        return [NoticeOut.model_validate(item) for item in self._request("GET", f"{API}/notices", params=params)]

    def progress(self, code: str) -> ProgressOut:
        return ProgressOut.model_validate(self._request("GET", f"{API}/progress/{code}"))

    def free_times(self, service_id: str, day: date) -> list[time]:
        """Start times still free on one day (the screen's time picker)."""
        data = self._request("GET", f"{API}/services/{service_id}/slots",
                             params={"date": day.isoformat(), "only_free": "true"})  # fmt: skip
        return [slot.time for slot in DaySlotsOut.model_validate(data).slots if slot.state == "free"]

    def free_days(self, service_id: str, first: date, days: int) -> list[date]:
        """Days from `first` on that still have a free slot, in one request (the screen's date picker)."""
        data = self._request("GET", f"{API}/services/{service_id}/free-days",
                             params={"from": first.isoformat(), "days": str(days)})  # fmt: skip
        return FreeDaysOut.model_validate(data).days

    # ------------------------------------------------------------------ what staff publish, what the kiosk heard

    def published_catalogue(self, etag: str | None = None) -> PublishedCatalogue | None:
        """The live catalogue; None when it is still the version tagged `etag` (a 304 costs nothing)."""
        response = self._send("GET", f"{API}/catalogue", headers={"If-None-Match": etag} if etag else None,
                              retries=0)  # fmt: skip
        if response.status_code == 304:
            return None
        try:
            version = int(response.headers[CATALOGUE_VERSION_HEADER])
        except (KeyError, ValueError):
            raise CentreUnavailable(f"{self.base_url}{API}/catalogue answered without X-Catalogue-Version") from None
        return PublishedCatalogue(version, response.headers.get("ETag"), response.text)

    def report_turn(self, report: dict[str, Any]) -> None:
        """One turn's outcome for the staff console's charts and gaps (one try: statistics, not records)."""
        self._request("POST", f"{API}/understanding/turns", json=report, idempotent=False, retries=0)

    # ------------------------------------------------------------------ residents

    def identify(self, phone: str, birth_year: int) -> ResidentSession:
        """Phone + birth year → a session for this kiosk; refusals: identification_failed
        (with `attempts_left`), too_many_attempts, identification_ambiguous."""
        body = IdentifyIn(phone=phone, birth_year=birth_year).model_dump(mode="json")
        answer = ResidentSessionOut.model_validate(
            self._request("POST", f"{API}/residents/identify", json=body, idempotent=False)
        )
        return ResidentSession(answer.session_token, answer.resident.name, answer.expires_at)

    def end_session(self, session: ResidentSession) -> None:
        """The resident is done: the token stops working at once (one try; it expires anyway)."""
        with contextlib.suppress(CentreUnavailable, ResidentNotIdentified):
            self._request("DELETE", f"{API}/residents/session", session=session, retries=0)

    def appointments(self, session: ResidentSession) -> list[AppointmentOut]:
        """Upcoming booked appointments, soonest first."""
        return [AppointmentOut.model_validate(a) for a in self._request("GET", f"{API}/appointments", session=session)]

    def book(
        self, session: ResidentSession, service_id: str, day: date, at: time, idempotency_key: str
    ) -> Booking:
        """Book a slot. Keep `idempotency_key` for the whole attempt, across retries *and*
        across the resident saying "yes" again: the server then never books twice."""
        response = self._send(
            "POST",
            f"{API}/appointments",
            json=BookingIn(service_id=service_id, date=day, time=at).model_dump(mode="json"),
            session=session,
            headers={IDEMPOTENCY_KEY_HEADER: idempotency_key},
            idempotent=True,
        )
        replayed = response.headers.get(IDEMPOTENT_REPLAYED_HEADER) == "true"
        return Booking(AppointmentOut.model_validate(response.json()), replayed=replayed)

    def cancel(self, session: ResidentSession, code: str, reason: str | None = None) -> AppointmentOut:
        body = {"reason": reason} if reason else None
        return AppointmentOut.model_validate(
            self._request("POST", f"{API}/appointments/{code}/cancel", json=body, session=session, idempotent=True)
        )

    # ------------------------------------------------------------------ family proxies

    def grant_consent(self, session: ResidentSession) -> ConsentOut:
        """A six-digit code for a family member (not retried once sent: a retry would make a second
        code and the first one, perhaps already shown, would stop working)."""
        return ConsentOut.model_validate(
            self._request("POST", f"{API}/family/consents", session=session, idempotent=False)
        )

    def extend_consent(self, session: ResidentSession, consent_id: int) -> ConsentOut:
        """Ten more minutes for the code; refusal `consent_not_extendable`."""
        return ConsentOut.model_validate(
            self._request("POST", f"{API}/family/consents/{consent_id}/extend", session=session, idempotent=False)
        )

    def family_proxies(self, session: ResidentSession) -> list[ProxyOut]:
        """Family members who may act for the resident now."""
        return [ProxyOut.model_validate(p) for p in self._request("GET", f"{API}/family/proxies", session=session)]

    def revoke_proxy(self, session: ResidentSession, proxy_id: int) -> None:
        """Take a family member's permission back at once (repeating it answers the same)."""
        self._request("POST", f"{API}/family/proxies/{proxy_id}/revoke", session=session, idempotent=True)

    def proxy_news(self, session: ResidentSession) -> list[ProxyNewsOut]:
        """What family members did for the resident since they last heard, oldest first."""
        return [ProxyNewsOut.model_validate(n) for n in self._request("GET", f"{API}/family/news", session=session)]

    def proxy_news_told(self, session: ResidentSession, ids: list[int]) -> None:
        self._request("POST", f"{API}/family/news/told", json={"ids": ids}, session=session, idempotent=True)

    # ------------------------------------------------------------------ alerts

    def raise_alert(
        self,
        kind: str,
        *,
        note: str | None = None,
        lang: str | None = None,
        session: ResidentSession | None = None,
        retries: int | None = None,
        idempotency_key: str | None = None,
    ) -> AlertOut:
        """Tell staff: kind "emergency" or "handoff". `retries` lets an emergency keep its
        budget short: the resident has already been told to call 120. With `idempotency_key`
        the server stores the alert once however often it is sent (a resend answers 200)."""
        body: dict[str, Any] = {"kind": kind}
        if note:
            body["note"] = note[:500]
        if lang:
            body["lang"] = lang
        headers = {IDEMPOTENCY_KEY_HEADER: idempotency_key} if idempotency_key else None
        keyed = idempotency_key is not None
        data = self._request(
            "POST", f"{API}/alerts", json=body, session=session, headers=headers, idempotent=keyed, retries=retries
        )
        return AlertOut.model_validate(data)

    # ------------------------------------------------------------------ transport

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else None

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        session: ResidentSession | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
        retries: int | None = None,
    ) -> httpx.Response:
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "DELETE", "PUT")
        all_headers = dict(headers or {})
        if session is not None:
            all_headers[RESIDENT_SESSION_HEADER] = session.token
        attempts = 1 + (self.retries if retries is None else retries)
        pause = self.backoff_seconds
        problem = ""
        for attempt in range(1, attempts + 1):
            wait = pause
            try:
                response = self._http.request(method, path, json=json, params=params, headers=all_headers)
            except httpx.ConnectError as exc:  # nothing was sent: always safe to try again
                problem = f"cannot connect ({exc})"
            except httpx.ConnectTimeout:
                problem = "connecting timed out"
            except httpx.TimeoutException as exc:
                problem = f"no answer in time ({type(exc).__name__})"
                if not idempotent:
                    break
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__}: {exc})"
                if not idempotent:
                    break
            else:
                if response.status_code < 400:
                    return response
                if response.status_code in RETRYABLE_STATUS:
                    problem = f"server answered {response.status_code} {_error_code(response)}"
                    retry_after = _retry_after(response)
                    if retry_after is not None:
                        wait = retry_after
                    if not idempotent or (retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS):
                        break
                elif response.status_code >= 500:
                    problem = f"server failed with {response.status_code} {_error_code(response)}"
                    break
                else:
                    raise _refusal(response)
            if attempt < attempts:
                log.info("%s %s: %s; retrying in %.2fs", method, path, problem, wait)
                clock.sleep(wait)
                pause *= 2
        raise CentreUnavailable(
            f"the centre's server at {self.base_url} did not answer {method} {path}: {problem} "
            f"(after {attempt} attempt{'s' if attempt > 1 else ''}); check that `kiosk serve` is running "
            "and reachable from this kiosk"
        )


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _refusal(response: httpx.Response) -> CentreRefused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("error") or f"http_{response.status_code}")
    message = str(body.get("message") or response.reason_phrase)
    kinds: dict[str, type[CentreRefused]] = {
        ErrorCode.DEVICE_UNAUTHORIZED: DeviceNotAuthorised,
        ErrorCode.NOT_IDENTIFIED: ResidentNotIdentified,
    }
    kind = kinds.get(code, CentreRefused)
    return kind(response.status_code, code, message, body)
