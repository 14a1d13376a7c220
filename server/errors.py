"""Errors the server reports: each has a stable machine-readable code for the kiosk.

The kiosk chooses what to *say* from the code (templates live in the catalogue); the
English `message` is for staff and developers reading logs, never read to a resident.

One shape for every refusal: `ApiError` (with its `status_code` and `code`) is the base of
all of them, the kiosk API's and the family proxies', and `add_error_handlers` turns it,
and every other failure, into the one JSON body `{"error": code, "message": …}`.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from protocol.bodies import ErrorBody
from protocol.error_codes import ErrorCode
from server.privacy.field_crypto import FieldUndecryptable

log = logging.getLogger(__name__)


class SettingsError(Exception):
    """The server cannot start with this configuration; the message says what to fix."""


class ApiError(Exception):
    """A refusal the kiosk can act on, sent as `{"error": code, "message": …, **extra}`."""

    status_code = 400
    code = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra
        """More machine-readable detail, e.g. `alternatives` or `retry_after_seconds`."""

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


class DeviceUnauthorized(ApiError):
    status_code = 401
    code = ErrorCode.DEVICE_UNAUTHORIZED


class StaffOnly(ApiError):
    status_code = 403
    code = ErrorCode.STAFF_ONLY


class NotIdentified(ApiError):
    status_code = 401
    code = ErrorCode.NOT_IDENTIFIED


class IdentificationFailed(ApiError):
    status_code = 401
    code = ErrorCode.IDENTIFICATION_FAILED


class IdentificationAmbiguous(ApiError):
    status_code = 409
    code = ErrorCode.IDENTIFICATION_AMBIGUOUS


class TooManyAttempts(ApiError):
    status_code = 429
    code = ErrorCode.TOO_MANY_ATTEMPTS


class NotFound(ApiError):
    status_code = 404
    code = ErrorCode.NOT_FOUND


class ServiceNotFound(NotFound):
    code = ErrorCode.SERVICE_NOT_FOUND


class HotlineNotFound(NotFound):
    code = ErrorCode.HOTLINE_NOT_FOUND


class AppointmentNotFound(NotFound):
    code = ErrorCode.APPOINTMENT_NOT_FOUND


class ProgressNotFound(NotFound):
    code = ErrorCode.PROGRESS_NOT_FOUND


class AlertNotFound(NotFound):
    code = ErrorCode.ALERT_NOT_FOUND


class DeviceNotFound(NotFound):
    code = ErrorCode.DEVICE_NOT_FOUND


class ServiceNotBookable(ApiError):
    status_code = 409
    code = ErrorCode.SERVICE_NOT_BOOKABLE


class SlotRefused(ApiError):
    """A booking refused because of the slot itself; always carries `alternatives`."""

    status_code = 409


class SlotFull(SlotRefused):
    code = ErrorCode.SLOT_FULL


class SlotPast(SlotRefused):
    code = ErrorCode.SLOT_PAST


class SlotClosed(SlotRefused):
    code = ErrorCode.SLOT_CLOSED


class NoSuchSlot(SlotRefused):
    code = ErrorCode.NO_SUCH_SLOT


class AlreadyBooked(ApiError):
    status_code = 409
    code = ErrorCode.ALREADY_BOOKED


class IdempotencyConflict(ApiError):
    status_code = 409
    code = ErrorCode.IDEMPOTENCY_CONFLICT


class AppointmentNotCancellable(ApiError):
    status_code = 409
    code = ErrorCode.APPOINTMENT_NOT_CANCELLABLE


class ReasonRequired(ApiError):
    status_code = 422
    code = ErrorCode.REASON_REQUIRED


class NulCharacter(ApiError):
    """Text holding U+0000 (NUL): PostgreSQL can neither store nor compare it, so it is
    refused before any database sees it, the same on SQLite and PostgreSQL."""

    status_code = 422
    code = ErrorCode.NUL_CHARACTER


class DatabaseBusy(ApiError):
    status_code = 503
    code = ErrorCode.DATABASE_BUSY


class DatabaseUnavailable(ApiError):
    status_code = 503
    code = ErrorCode.DATABASE_UNAVAILABLE


# ---------------------------------------------------------------------- family proxies
# The family page turns each code into a sentence in the visitor's language
# (server/data/family_page.yaml); the kiosk picks its words from the catalogue. See docs/family.md.


class ConsentCodeInvalid(ApiError):
    """No consent code like that: mistyped, or made up. Counts towards the rate limit."""

    status_code = 400
    code = ErrorCode.CONSENT_CODE_INVALID


class ConsentCodeExpired(ApiError):
    """The code was right but its ten minutes are over (or the elder withdrew it)."""

    status_code = 410
    code = ErrorCode.CONSENT_CODE_EXPIRED


class ConsentCodeUsed(ApiError):
    """The code was already used to link a family member; each code works once."""

    status_code = 410
    code = ErrorCode.CONSENT_CODE_USED


class ConsentNotExtendable(ApiError):
    """The code can no longer be extended: used, expired, withdrawn, or extended too often."""

    status_code = 409
    code = ErrorCode.CONSENT_NOT_EXTENDABLE


class ConsentNotFound(NotFound):
    code = ErrorCode.CONSENT_NOT_FOUND


class ProxyNotSignedIn(ApiError):
    """No family session, or it ended: enter a new code from the elder."""

    status_code = 401
    code = ErrorCode.PROXY_NOT_SIGNED_IN


class ProxyRevoked(ApiError):
    """The elder or staff took the permission back."""

    status_code = 403
    code = ErrorCode.PROXY_REVOKED


class ProxyExpired(ApiError):
    """The permission's end date has passed."""

    status_code = 403
    code = ErrorCode.PROXY_EXPIRED


class ProxyScopeMissing(ApiError):
    """The elder did not allow this (e.g. cancelling) to this family member."""

    status_code = 403
    code = ErrorCode.PROXY_SCOPE_MISSING


class ProxyNotFound(NotFound):
    code = ErrorCode.PROXY_NOT_FOUND


class FormRejected(ApiError):
    """A family-page form that was not sent by the page itself (CSRF) or has unknown fields."""

    status_code = 403
    code = ErrorCode.FORM_REJECTED


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
            {"error": ErrorCode.PERSONAL_DATA_UNREADABLE,
             "message": "stored personal data cannot be read; see the server log"},
            status_code=500,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_problem(error) for error in exc.errors()]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        body = {"error": ErrorCode.VALIDATION_ERROR, "message": message, "details": details}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        codes = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}
        return JSONResponse(
            {"error": codes.get(exc.status_code, f"http_{exc.status_code}"), "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, DBAPIError):
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error("unexpected database error in %s %s: %s\n%s", request.method, request.url.path,
                      database_error_summary(exc), stack)  # fmt: skip
        else:
            log.exception("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"error": ErrorCode.INTERNAL_ERROR, "message": "the server failed; the details are in its log"},
            status_code=500,
        )


def database_error_summary(exc: DBAPIError) -> str:
    """What went wrong in the database, without a value from the statement: PostgreSQL's own
    message repeats them ("Failing row contains (…)", "Key (phone_hash)=(…)", "invalid input
    syntax: …"), and a server log must never hold a resident's data. The error class, SQLSTATE
    and the table, column and constraint named are enough to find the bug."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    named = {
        part: value
        for part in ("table_name", "column_name", "constraint_name")
        if (value := getattr(diag, part, None))
    }
    if diag is None and isinstance(orig, Exception) and orig.args:  # SQLite names columns, never values
        named["message"] = str(orig.args[0]).splitlines()[0]
    state = getattr(orig, "sqlstate", None)
    return f"{type(orig).__name__}" + (f" [{state}]" if state else "") + "".join(
        f" {k}={v}" for k, v in named.items()
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


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error body for the given status codes."""
    return {code: {"model": ErrorBody} for code in codes}
