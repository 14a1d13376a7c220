"""What kiosks exchange with the staff console: the live catalogue, and how well they understood.

`GET /api/v1/catalogue` gives the live catalogue file. Kiosks poll it with
`If-None-Match`; while the version is unchanged the answer is an empty `304`, so a poll
costs one small query. `POST /api/v1/understanding/turns` counts one turn and, when the
kiosk did not understand, keeps its text for the understanding-gaps page.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Response, status
from pydantic import Field

from protocol.bodies import RequestBody
from protocol.error_codes import ErrorCode
from server.booking.centre_time import local_today
from server.catalogue.understanding_gaps import record_gap, record_turn
from server.catalogue.versions import live_version, version_text
from server.db.database import Database
from server.deps import KioskDep
from server.errors import NotFound, error_responses

router = APIRouter(tags=["catalogue"], responses=error_responses(401))

CATALOGUE_MEDIA_TYPE = "application/yaml; charset=utf-8"


class CatalogueNotPublished(NotFound):
    code = ErrorCode.CATALOGUE_NOT_PUBLISHED


def catalogue_etag(number: int, sha256: str) -> str:
    """The number says which version; the hash makes a tag from another server never match."""
    return f'"v{number}-{sha256[:16]}"'


@router.get(
    "/catalogue",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}, "description": "The live catalogue file."},
               304: {"description": "The kiosk already has this version."}, **error_responses(404)},
)  # fmt: skip
async def live_catalogue(
    ctx: KioskDep, if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None
) -> Response:
    """The live catalogue; `X-Catalogue-Version` and the `ETag` give its number."""
    number, etag, text = await ctx.db.run(_live, ctx.db, if_none_match)
    headers = {"ETag": etag, "X-Catalogue-Version": str(number), "Cache-Control": "no-cache"}
    if text is None:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(text.encode("utf-8"), media_type=CATALOGUE_MEDIA_TYPE, headers=headers)


def _live(db: Database, if_none_match: str | None) -> tuple[int, str, str | None]:
    with db.read() as conn:
        live = live_version(conn)
        if live is None:
            raise CatalogueNotPublished("no catalogue has been published on this server yet")
        etag = catalogue_etag(live.number, live.sha256)
        if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return live.number, etag, None
        return live.number, etag, version_text(conn, live.number)


class TurnIn(RequestBody):
    lang: Literal["zh", "en"]
    intent: str | None = Field(default=None, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$",
                               description="The intent understood, if any.")  # fmt: skip
    outcome: Literal["understood", "not_understood", "out_of_scope"]
    text: str | None = Field(
        default=None, max_length=500,
        description="Only for a turn that was not understood: what the recogniser heard. Never sent otherwise.",
    )  # fmt: skip


@router.post("/understanding/turns", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(422))
async def report_turn(body: TurnIn, ctx: KioskDep) -> Response:
    """Count one turn of a kiosk; a not-understood text goes to the staff's understanding gaps."""
    await ctx.db.run(_record, ctx.db, body, ctx.settings.timezone)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _record(db: Database, body: TurnIn, zone) -> None:  # type: ignore[no-untyped-def]
    with db.write() as conn:
        record_turn(conn, day=local_today(zone), intent=body.intent, outcome=body.outcome)
        if body.outcome != "understood" and body.text:
            record_gap(conn, lang=body.lang, text=body.text, out_of_scope=body.outcome == "out_of_scope")
