"""Errors the server reports: each has a stable machine-readable code for the kiosk.

The kiosk chooses what to *say* from the code (templates live in the catalogue); the
English `message` is for staff and developers reading logs, never read to a resident.
"""

from __future__ import annotations

from typing import Any


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


class NulCharacter(ApiError):
    """Text holding U+0000 (NUL): PostgreSQL can neither store nor compare it, so it is
    refused before any database sees it, the same on SQLite and PostgreSQL."""

    status_code = 422
    code = "nul_character"


class DatabaseBusy(ApiError):
    status_code = 503
    code = "database_busy"


class DatabaseUnavailable(ApiError):
    status_code = 503
    code = "database_unavailable"
