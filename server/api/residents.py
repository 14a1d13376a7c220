"""Resident identification at a kiosk: start and end a resident session."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from protocol.bodies import IdentifyIn, ResidentOut, ResidentSessionOut
from server.deps import KioskDep, ResidentDep
from server.errors import error_responses
from server.identity.residents import end_session, identify

router = APIRouter(prefix="/residents", tags=["residents"], responses=error_responses(401))


@router.post("/identify", response_model=ResidentSessionOut, responses=error_responses(409, 422, 429))
async def identify_resident(body: IdentifyIn, ctx: KioskDep) -> ResidentSessionOut:
    """Phone number + birth year → a session token for this kiosk only.

    Wrong data → 401 `identification_failed` (with `attempts_left`), the same whichever
    fact was wrong; too many failures at this kiosk → 429 `too_many_attempts`.
    """
    session = await ctx.db.run(identify, ctx.db, ctx.settings, ctx.device.id, body.phone, body.birth_year)
    return ResidentSessionOut(
        session_token=session.token,
        expires_at=session.expires_at.astimezone(ctx.settings.timezone),
        resident=ResidentOut(name=session.resident_name),
    )


@router.get("/me", response_model=ResidentOut)
async def who_is_identified(ctx: ResidentDep) -> ResidentOut:
    """Check the session is still live (e.g. before reading back a booking)."""
    return ResidentOut(name=ctx.resident.name)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
async def end_resident_session(ctx: ResidentDep) -> Response:
    """The conversation is over: the token stops working at once."""
    await ctx.db.run(end_session, ctx.db, ctx.resident.session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
