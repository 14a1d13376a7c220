"""The kiosk screen as a small local web app: one page, a JSON API for touches, and
Server-Sent Events so the page follows the conversation as it happens.

It runs inside the kiosk process (see `screen_server.py`) on loopback, next to the voice
loop, and talks to the same `Conversation`, so a touch and a spoken answer are the same
turn of the same dialogue. The page is static HTML/CSS/JS — no build step, nothing
fetched from the internet — shown full-screen by a browser in kiosk mode.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from kiosk.conversation import Conversation
from kiosk.screen.booking_calendar import BookingCalendar, CalendarUnavailable
from kiosk.screen.screen_content import ScreenContent

EVENT_WAIT_SECONDS = 15.0
"""An event stream with nothing new sends a comment this often, so proxies and the browser
keep the connection open and a dead page is noticed."""

STATIC = Path(str(resources.files("kiosk.screen") / "static"))


class ChooseIn(BaseModel):
    option: str = Field(max_length=200, description='An option id: "dialog.yes", "service:health_check", …')
    label: str = Field("", max_length=500, description="The button's text, to mirror on screen.")


class PickIn(BaseModel):
    slot: str = Field(description='"date" or "time".')
    value: str = Field(max_length=10, description='"2026-12-03" or "09:30".')
    label: str = Field("", max_length=200)


class TypedIn(BaseModel):
    text: str = Field(min_length=1, max_length=40, description="Digits from the number pad.")


class LanguageIn(BaseModel):
    lang: str


def screen_app(
    conversation: Conversation,
    content: ScreenContent,
    calendar: BookingCalendar | None,
    on_talk: Callable[[], None] | None = None,
) -> FastAPI:
    """The screen's app. `calendar` lists free days and times (None: no pickers);
    `on_talk` is the push-to-talk button (None: hands-free or touch only)."""
    app = FastAPI(title="Kiosk screen", docs_url=None, redoc_url=None, openapi_url=None)
    state = conversation.screen
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def screen_json() -> dict[str, Any]:
        snapshot = state.snapshot
        return {"state": snapshot.to_json(), "content": content.for_language(snapshot.lang)}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/api/screen")
    def current() -> dict[str, Any]:
        return screen_json()

    @app.get("/api/events")
    async def events(request: Request) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            version = -1
            while not state.closed and not await request.is_disconnected():
                snapshot = await anyio.to_thread.run_sync(state.wait_for_change, version, EVENT_WAIT_SECONDS)
                if state.closed:
                    return
                if snapshot.version == version:
                    yield ": still here\n\n"
                    continue
                version = snapshot.version
                yield f"data: {json.dumps(screen_json(), ensure_ascii=False)}\n\n"

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    @app.post("/api/choose")
    def choose(body: ChooseIn) -> dict[str, Any]:
        conversation.touched(body.option, body.label)
        return screen_json()

    @app.post("/api/pick")
    def pick(body: PickIn) -> dict[str, Any]:
        try:
            conversation.picked(body.slot, body.value, body.label)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return screen_json()

    @app.post("/api/type")
    def typed(body: TypedIn) -> dict[str, Any]:
        conversation.typed(body.text)
        return screen_json()

    @app.post("/api/language")
    def language(body: LanguageIn) -> dict[str, Any]:
        try:
            conversation.set_language(body.lang)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return screen_json()

    @app.post("/api/talk")
    def talk() -> dict[str, Any]:
        conversation.stop_speaking()
        if on_talk is not None:
            on_talk()
        return screen_json()

    @app.post("/api/stop")
    def stop() -> dict[str, Any]:
        conversation.stop_speaking()
        return screen_json()

    @app.get("/api/dates")
    def dates(service: str) -> list[dict[str, str]]:
        if calendar is None:
            return []
        try:
            return [asdict(c) for c in calendar.days(service, state.snapshot.lang)]
        except CalendarUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc

    @app.get("/api/times")
    def times(service: str, day: date) -> list[dict[str, str]]:
        if calendar is None:
            return []
        try:
            return [asdict(c) for c in calendar.times(service, day, state.snapshot.lang)]
        except CalendarUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc

    return app
