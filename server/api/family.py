"""The kiosk's side of family proxies, always for the resident identified at this kiosk.

The elder asks for a consent code (and more time for it), hears what family members did
for them since last time, and revokes a family member's permission — all scoped to the
`X-Resident-Session` resident: another resident's consent or proxy id answers 404.
"""

from __future__ import annotations

from datetime import time

from fastapi import APIRouter, Response, status

from protocol.bodies import ConsentIn, ConsentOut, NewsToldIn, ProxyNewsOut, ProxyOut, RevokeIn
from server.booking.centre_time import utc_now
from server.deps import ResidentDep, RowIdPath
from server.errors import error_responses
from server.family.consents import extend_consent, issue_consent, withdraw_consent
from server.family.proxies import ProxyView, mark_told, proxies_of, revoke_proxy, untold_news
from server.settings import ServerSettings

router = APIRouter(prefix="/family", tags=["family"], responses=error_responses(401, 422))

KIOSK_REVOKE_REASON = "the resident withdrew it at a kiosk"


def proxy_out(view: ProxyView, settings: ServerSettings) -> ProxyOut:
    zone = settings.timezone
    return ProxyOut(
        id=view.id,
        name=view.name,
        phone_tail=view.phone_tail,
        scopes=list(view.scopes),
        valid_until=view.valid_until.astimezone(zone) if view.valid_until else None,
        created_at=view.created_at.astimezone(zone),
        revoked_at=view.revoked_at.astimezone(zone) if view.revoked_at else None,
    )


@router.post("/consents", response_model=ConsentOut, status_code=status.HTTP_201_CREATED)
async def grant_consent(ctx: ResidentDep, body: ConsentIn | None = None) -> ConsentOut:
    """ "让我女儿帮我预约": a six-digit code for the family page, valid 10 minutes.

    Any earlier code of this resident that was not used stops working.
    """
    scopes = tuple(body.scopes) if body else ("view", "book", "cancel")

    def work() -> ConsentOut:
        with ctx.db.write() as conn:
            issued = issue_consent(
                conn,
                ctx.settings.phone_key,
                resident_id=ctx.resident.resident_id,
                granted_by=f"kiosk:{ctx.device.id}",
                scopes=scopes,
                now=utc_now(),
            )
        return ConsentOut(
            consent_id=issued.consent_id,
            code=issued.code,
            expires_at=issued.expires_at.astimezone(ctx.settings.timezone),
            extensions_left=issued.extensions_left,
            scopes=list(issued.scopes),
        )

    return await ctx.db.run(work)


@router.post("/consents/{consent_id}/extend", response_model=ConsentOut, responses=error_responses(404, 409))
async def extend(consent_id: RowIdPath, ctx: ResidentDep) -> ConsentOut:
    """Ten more minutes ("再延长一下"), at most three times."""

    def work() -> ConsentOut:
        with ctx.db.write() as conn:
            extended = extend_consent(
                conn,
                consent_id=consent_id,
                resident_id=ctx.resident.resident_id,
                actor=f"kiosk:{ctx.device.id}",
                now=utc_now(),
            )
        return ConsentOut(
            consent_id=extended.consent_id,
            code=None,
            expires_at=extended.expires_at.astimezone(ctx.settings.timezone),
            extensions_left=extended.extensions_left,
        )

    return await ctx.db.run(work)


@router.post("/consents/{consent_id}/withdraw", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404))
async def withdraw(consent_id: RowIdPath, ctx: ResidentDep) -> Response:
    """The elder changed their mind before the code was used."""

    def work() -> None:
        with ctx.db.write() as conn:
            withdraw_consent(
                conn,
                consent_id=consent_id,
                resident_id=ctx.resident.resident_id,
                actor=f"kiosk:{ctx.device.id}",
                now=utc_now(),
            )

    await ctx.db.run(work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/proxies", response_model=list[ProxyOut])
async def list_proxies(ctx: ResidentDep) -> list[ProxyOut]:
    """Family members who may act for this resident now (to choose whom to revoke)."""

    def work() -> list[ProxyOut]:
        with ctx.db.read() as conn:
            views = proxies_of(conn, ctx.settings.data_keys, ctx.resident.resident_id)
        return [proxy_out(v, ctx.settings) for v in views]

    return await ctx.db.run(work)


@router.post("/proxies/{proxy_id}/revoke", response_model=ProxyOut, responses=error_responses(404))
async def revoke(proxy_id: RowIdPath, ctx: ResidentDep, body: RevokeIn | None = None) -> ProxyOut:
    """ "不让我女儿帮我预约了": the permission ends at once; repeating it answers the same."""
    reason = (body.reason if body and body.reason else None) or KIOSK_REVOKE_REASON

    def work() -> ProxyOut:
        with ctx.db.write() as conn:
            view = revoke_proxy(
                conn,
                ctx.settings.data_keys,
                proxy_id=proxy_id,
                resident_id=ctx.resident.resident_id,
                actor=f"kiosk:{ctx.device.id}",
                reason=reason,
            )
        return proxy_out(view, ctx.settings)

    return await ctx.db.run(work)


@router.get("/news", response_model=list[ProxyNewsOut])
async def news(ctx: ResidentDep) -> list[ProxyNewsOut]:
    """What family members booked or cancelled for this resident that they have not heard yet."""

    def work() -> list[ProxyNewsOut]:
        zone = ctx.settings.timezone
        with ctx.db.read() as conn:
            items = untold_news(conn, ctx.settings.data_keys, zone, ctx.resident.resident_id)
        return [
            ProxyNewsOut(
                id=n.id, action=n.action, proxy_name=n.proxy_name, phone_tail=n.phone_tail, code=n.code,
                service_id=n.service_id, date=n.date, time=time.fromisoformat(n.time), at=n.at.astimezone(zone),
            )
            for n in items
        ]  # fmt: skip

    return await ctx.db.run(work)


@router.post("/news/told", status_code=status.HTTP_204_NO_CONTENT)
async def news_told(body: NewsToldIn, ctx: ResidentDep) -> Response:
    """The kiosk said them: they are not said again (ids of other residents are ignored)."""

    def work() -> None:
        with ctx.db.write() as conn:
            mark_told(conn, resident_id=ctx.resident.resident_id, ids=body.ids, actor=f"kiosk:{ctx.device.id}")

    await ctx.db.run(work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
