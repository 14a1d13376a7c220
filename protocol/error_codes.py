"""Every refusal the server can answer with, as `{"error": code, "message": …}`.

The kiosk picks the resident's words by the code (never by the English message), so each
code is stable once released: add new ones, never rename.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable reasons; a `str`, so it compares equal to the code on the wire."""

    # requests
    BAD_REQUEST = "bad_request"
    VALIDATION_ERROR = "validation_error"
    BODY_TOO_LARGE = "body_too_large"
    FORM_REJECTED = "form_rejected"
    NOT_FOUND = "not_found"
    # who is asking
    DEVICE_UNAUTHORIZED = "device_unauthorized"
    STAFF_ONLY = "staff_only"
    NOT_IDENTIFIED = "not_identified"
    IDENTIFICATION_FAILED = "identification_failed"
    IDENTIFICATION_AMBIGUOUS = "identification_ambiguous"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    # centre information
    SERVICE_NOT_FOUND = "service_not_found"
    SERVICE_NOT_BOOKABLE = "service_not_bookable"
    HOTLINE_NOT_FOUND = "hotline_not_found"
    PROGRESS_NOT_FOUND = "progress_not_found"
    ALERT_NOT_FOUND = "alert_not_found"
    CATALOGUE_NOT_PUBLISHED = "catalogue_not_published"
    DEVICE_NOT_FOUND = "device_not_found"
    # booking
    SLOT_FULL = "slot_full"
    SLOT_PAST = "slot_past"
    SLOT_CLOSED = "slot_closed"
    NO_SUCH_SLOT = "no_such_slot"
    ALREADY_BOOKED = "already_booked"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    APPOINTMENT_NOT_FOUND = "appointment_not_found"
    APPOINTMENT_NOT_CANCELLABLE = "appointment_not_cancellable"
    REASON_REQUIRED = "reason_required"
    NUL_CHARACTER = "nul_character"
    # family proxies
    CONSENT_CODE_INVALID = "consent_code_invalid"
    CONSENT_CODE_EXPIRED = "consent_code_expired"
    CONSENT_CODE_USED = "consent_code_used"
    CONSENT_NOT_EXTENDABLE = "consent_not_extendable"
    CONSENT_NOT_FOUND = "consent_not_found"
    RESIDENT_NOT_FOUND = "resident_not_found"
    PROXY_NOT_FOUND = "proxy_not_found"
    PROXY_NOT_SIGNED_IN = "proxy_not_signed_in"
    PROXY_REVOKED = "proxy_revoked"
    PROXY_EXPIRED = "proxy_expired"
    PROXY_SCOPE_MISSING = "proxy_scope_missing"
    # the server itself
    DATABASE_BUSY = "database_busy"
    DATABASE_UNAVAILABLE = "database_unavailable"
    PERSONAL_DATA_UNREADABLE = "personal_data_unreadable"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INTERNAL_ERROR = "internal_error"


SLOT_REFUSALS = frozenset({ErrorCode.SLOT_FULL, ErrorCode.SLOT_PAST, ErrorCode.SLOT_CLOSED, ErrorCode.NO_SUCH_SLOT})
"""Booking refusals that carry `alternatives`: the nearest free slots of the same service."""
