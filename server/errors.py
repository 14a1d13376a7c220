"""Errors the server reports: each has a stable machine-readable code for the kiosk.

The kiosk chooses what to *say* from the code (templates live in the catalogue); the
English `message` is for staff and developers reading logs, never read to a resident.

One shape for every refusal: `ApiError` (with its `status_code` and `code`) is the base of
all of them, the kiosk API's and the family proxies', and `add_error_handlers` turns it,
and every other failure, into the one JSON body `{"error": code, "message": …}`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from server.privacy.field_crypto import FieldUndecryptable

log = logging.getLogger(__name__)


class SettingsError(Exception):
    """The server cannot start with this configuration; the message says what to fix."""


class ApiError(Exception):
    """A refusal the kiosk can act on, sent as `{"error": code, "message": …, **extra}`."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra
        """More machine-readable detail, e.g. `alternatives` or `retry_after_seconds`."""

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


class DeviceUnauthorized(ApiError):
    status_code = 401
    code = "device_unauthorized"


class StaffOnly(ApiError):
    status_code = 403
    code = "staff_only"


class NotIdentified(ApiError):
    status_code = 401
    code = "not_identified"


class IdentificationFailed(ApiError):
    status_code = 401
    code = "identification_failed"


class IdentificationAmbiguous(ApiError):
    status_code = 409
    code = "identification_ambiguous"


class TooManyAttempts(ApiError):
    status_code = 429
    code = "too_many_attempts"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class ServiceNotFound(NotFound):
    code = "service_not_found"


class HotlineNotFound(NotFound):
    code = "hotline_not_found"


class AppointmentNotFound(NotFound):
    code = "appointment_not_found"


class ProgressNotFound(NotFound):
    code = "progress_not_found"


class AlertNotFound(NotFound):
    code = "alert_not_found"


class DeviceNotFound(NotFound):
    code = "device_not_found"


class ServiceNotBookable(ApiError):
    status_code = 409
    code = "service_not_bookable"


class SlotRefused(ApiError):
    """A booking refused because of the slot itself; always carries `alternatives`."""

    status_code = 409


class SlotFull(SlotRefused):
    code = "slot_full"


class SlotPast(SlotRefused):
    code = "slot_past"


class SlotClosed(SlotRefused):
    code = "slot_closed"


class NoSuchSlot(SlotRefused):
    code = "no_such_slot"


class AlreadyBooked(ApiError):
    status_code = 409
    code = "already_booked"


class IdempotencyConflict(ApiError):
    status_code = 409
    code = "idempotency_conflict"


class AppointmentNotCancellable(ApiError):
    status_code = 409
    code = "appointment_not_cancellable"


class ReasonRequired(ApiError):
    status_code = 422
    code = "reason_required"


class DatabaseBusy(ApiError):
    status_code = 503
    code = "database_busy"


class DatabaseUnavailable(ApiError):
    status_code = 503
    code = "database_unavailable"


# ---------------------------------------------------------------------- family proxies
# The family page turns each code into a sentence in the visitor's language
# (server/data/family_page.yaml); the kiosk picks its words from the catalogue. See docs/family.md.


class ConsentCodeInvalid(ApiError):
    """No consent code like that: mistyped, or made up. Counts towards the rate limit."""

    status_code = 400
    code = "consent_code_invalid"


class ConsentCodeExpired(ApiError):
    """The code was right but its ten minutes are over (or the elder withdrew it)."""

    status_code = 410
    code = "consent_code_expired"


class ConsentCodeUsed(ApiError):
    """The code was already used to link a family member; each code works once."""

    status_code = 410
    code = "consent_code_used"


class ConsentNotExtendable(ApiError):
    """The code can no longer be extended: used, expired, withdrawn, or extended too often."""

    status_code = 409
    code = "consent_not_extendable"


class ConsentNotFound(NotFound):
    code = "consent_not_found"


class ProxyNotSignedIn(ApiError):
    """No family session, or it ended: enter a new code from the elder."""

    status_code = 401
    code = "proxy_not_signed_in"


class ProxyRevoked(ApiError):
    """The elder or staff took the permission back."""

    status_code = 403
    code = "proxy_revoked"


class ProxyExpired(ApiError):
    """The permission's end date has passed."""

    status_code = 403
    code = "proxy_expired"


class ProxyScopeMissing(ApiError):
    """The elder did not allow this (e.g. cancelling) to this family member."""

    status_code = 403
    code = "proxy_scope_missing"


class ProxyNotFound(NotFound):
    code = "proxy_not_found"


class FormRejected(ApiError):
    """A family-page form that was not sent by the page itself (CSRF) or has unknown fields."""

    status_code = 403
    code = "form_rejected"


# ---------------------------------------------------------------------- the one handler


def add_error_handlers(app: FastAPI) -> None:
    """Every error of the app as `{"error": code, "message": …}`; `ApiError` with its own status."""
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status_code >= 500:  # the server's trouble, not the kiosk's: say why in the log
            log.error("%s %s: %s (%s)", request.method, request.url.path, exc.code, exc.__cause__ or exc)
        headers = {}
        if "retry_after_seconds" in exc.extra:
            headers["Retry-After"] = str(exc.extra["retry_after_seconds"])
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(FieldUndecryptable)
    async def personal_data_unreadable(request: Request, exc: FieldUndecryptable) -> JSONResponse:
        # Which row and why go to the log for staff; the answer says neither.
        log.error("%s %s: personal data unreadable: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"error": "personal_data_unreadable", "message": "stored personal data cannot be read; see the server log"},
            status_code=500,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_problem(error) for error in exc.errors()]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        return JSONResponse({"error": "validation_error", "message": message, "details": details}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        return JSONResponse(
            {"error": codes.get(exc.status_code, f"http_{exc.status_code}"), "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"error": "internal_error", "message": "the server failed; the details are in its log"},
            status_code=500,
        )


def _problem(error: dict[str, Any]) -> dict[str, str]:
    """A validation error without the rejected input: it may be a phone number."""
    field = ".".join(str(part) for part in error.get("loc", ()))
    problem = error.get("msg", "invalid")
    if error.get("type") == "extra_forbidden":
        problem = "unknown field (not part of this request)"
    elif error.get("type") == "missing":
        problem = "required"
    return {"field": field, "problem": problem, "type": str(error.get("type", ""))}
