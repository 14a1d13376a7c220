"""Where each resource lives on the server, relative to its base URL."""

from __future__ import annotations

API = "/api/v1"
HEALTH = "/healthz"

SERVICES = f"{API}/services"
HOTLINES = f"{API}/hotlines"
NOTICES = f"{API}/notices"
PROGRESS = f"{API}/progress"
RESIDENTS_IDENTIFY = f"{API}/residents/identify"
RESIDENT_SESSION = f"{API}/residents/session"
APPOINTMENTS = f"{API}/appointments"
ALERTS = f"{API}/alerts"
CATALOGUE = f"{API}/catalogue"
UNDERSTANDING_TURNS = f"{API}/understanding/turns"
FAMILY_CONSENTS = f"{API}/family/consents"
FAMILY_PROXIES = f"{API}/family/proxies"
FAMILY_NEWS = f"{API}/family/news"

RESIDENT_SESSION_HEADER = "X-Resident-Session"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed"
CATALOGUE_VERSION_HEADER = "X-Catalogue-Version"
