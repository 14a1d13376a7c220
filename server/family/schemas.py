"""Request and response bodies of the family-proxy API (kiosk and staff desk)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import Field

from server.api.schemas import RequestBody, ResponseBody

Scope = Literal["view", "book", "cancel"]
RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
"""A database id: a 32-bit positive integer (a larger one could not be stored, so it cannot exist)."""
RowIdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]


class ConsentIn(RequestBody):
    """The elder agrees at the kiosk; by default a family member may view, book and cancel."""

    scopes: list[Scope] = Field(default=["view", "book", "cancel"], min_length=1, max_length=3)


class StaffConsentIn(RequestBody):
    """The elder agrees at the desk; staff check who they are by phone and birth year."""

    phone: str = Field(min_length=3, max_length=40, examples=["138 0013 8000"])
    birth_year: int = Field(ge=1900, le=2100, examples=[1948])
    scopes: list[Scope] = Field(default=["view", "book", "cancel"], min_length=1, max_length=3)
    proxy_until: dt.date | None = Field(default=None, description="Last local day of the permission.")


class ConsentOut(ResponseBody):
    consent_id: int
    code: str | None = Field(
        description="Six digits to read out digit by digit; only in the answer that made the code.",
        examples=["482913"],
    )
    expires_at: dt.datetime
    extensions_left: int
    scopes: list[Scope] | None = None
    proxy_until: dt.datetime | None = None


class ProxyOut(ResponseBody):
    id: int
    name: str = Field(description="How the family member asked to be named, e.g. 女儿小红.")
    phone_tail: str = Field(description="Last four digits of their phone, to tell two relatives apart.")
    scopes: list[Scope]
    valid_until: dt.datetime | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class StaffProxyOut(ProxyOut):
    resident: str = Field(description="The elder's name.")


class RevokeIn(RequestBody):
    reason: str | None = Field(default=None, max_length=200)


class StaffRevokeIn(RequestBody):
    reason: str = Field(min_length=1, max_length=200)


class ProxyNewsOut(ResponseBody):
    id: int
    action: Literal["booked", "cancelled"]
    proxy_name: str
    phone_tail: str
    code: str
    service_id: str
    date: dt.date
    time: str
    at: dt.datetime


class NewsToldIn(RequestBody):
    ids: list[RowId] = Field(min_length=1, max_length=100)
