"""The database schema: one class per table, the source Alembic migrations are checked against.

`base` holds what every table shares (the one `Base` and its metadata); each area's
tables are a module of their own — `centre` (what kiosks use), `staff` (the staff
console), `privacy` (family proxies and consents). Importing this package loads them
all, so `Base.metadata` always describes the whole database. None of them imports
another, only `base`.
"""

from server.db.models.base import NAMING_CONVENTION, Base, UTCDateTime
from server.db.models.centre import (
    ALERT_KINDS,
    ALERT_STATUSES,
    APPOINTMENT_STATUSES,
    DEVICE_ROLES,
    PROGRESS_STATUSES,
    Alert,
    Appointment,
    BookableService,
    ClosedDay,
    Device,
    Hotline,
    IdentificationAttempt,
    Notice,
    ProgressEvent,
    ProgressRecord,
    Resident,
    ResidentSession,
    Service,
    TimeSlot,
)
from server.db.models.privacy import (
    PROXY_ACTIONS,
    PROXY_SCOPES,
    ConsentCode,
    ConsentCodeAttempt,
    Proxy,
    ProxyAction,
    ProxySession,
)
from server.db.models.staff import (
    CATALOGUE_VERSION_KINDS,
    GAP_STATUSES,
    STAFF_ROLES,
    TURN_OUTCOMES,
    AuditEvent,
    CatalogueDraft,
    CatalogueVersion,
    LoginAttempt,
    StaffAccount,
    StaffSession,
    UnderstandingGap,
    UnderstandingTurnCount,
)

__all__ = [
    "ALERT_KINDS", "ALERT_STATUSES", "APPOINTMENT_STATUSES", "CATALOGUE_VERSION_KINDS", "DEVICE_ROLES",
    "GAP_STATUSES", "NAMING_CONVENTION", "PROGRESS_STATUSES", "PROXY_ACTIONS", "PROXY_SCOPES", "STAFF_ROLES",
    "TURN_OUTCOMES", "Alert", "Appointment", "AuditEvent", "Base", "BookableService", "CatalogueDraft",
    "CatalogueVersion", "ClosedDay", "ConsentCode", "ConsentCodeAttempt", "Device", "Hotline",
    "IdentificationAttempt", "LoginAttempt", "Notice", "ProgressEvent", "ProgressRecord", "Proxy", "ProxyAction",
    "ProxySession", "Resident", "ResidentSession", "Service", "StaffAccount", "StaffSession", "TimeSlot",
    "UTCDateTime", "UnderstandingGap", "UnderstandingTurnCount",
]  # fmt: skip
