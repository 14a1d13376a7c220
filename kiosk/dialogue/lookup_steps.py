"""Look-up tasks: service details (then "shall I book it?"), hotline numbers, notices, progress.

A look-up asked in the middle of another task ("where is the health check?" while
booking) is a side question: answered, then the pending question is asked again.
"""

from __future__ import annotations

from datetime import date

from kiosk.centre.errors import CentreError
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.states import ASK_STEP, TASKS, Retry, Step, Task, missing_slot
from kiosk.dialogue.talk import Talk


class LookupSteps:
    """Service, hotline, notice and progress look-ups."""

    def __init__(self, talk: Talk) -> None:
        self.talk = talk
        talk.questions[Task.SERVICE] = self.offer_question

    def offer_question(self) -> Said:
        service = self.talk.state.lookup.get("service", "")
        return self.talk.say("service.lookup", "offer_booking", service=self.talk.service_name(service))

    def lookup(self, task: Task, slots: dict[str, str], side: bool = False) -> Reply:
        """Answer the look-up; `side`: in the middle of a task, whose question is asked again."""
        talk = self.talk
        s = talk.state
        lang = s.lang
        missing = missing_slot(task, slots)
        if missing is not None:
            if side:
                return talk.reply(talk.join(talk.say(TASKS[task].owner, ASK_STEP[missing]), talk.question()))
            s.start(task, ASK_STEP[missing])
            return talk.reply(talk.question())
        try:
            if task is Task.SERVICE:
                s.memory.note_service(slots["service"])
                answer = talk.lookups.service(slots["service"], lang)
                said = answer.said
                if answer.bookable and not side:
                    s.start(Task.SERVICE, Step.OFFER_BOOKING)
                    s.lookup = {"service": slots["service"]}
                    s.memory.offer = slots["service"]
                    return talk.reply(talk.join(said, talk.question()))
            elif task is Task.HOTLINE:
                said = talk.lookups.hotline(slots["hotline"], lang)
            elif task is Task.NOTICE:
                day = date.fromisoformat(slots["date"]) if "date" in slots else None
                said = talk.lookups.notices(lang, day, talk.today(), talk.now().tzinfo)
            else:
                said = talk.lookups.progress(slots["reference"].upper(), lang)
        except CentreError as exc:
            if side:
                return talk.reply(talk.join(talk.say(None, "server_unavailable"), talk.question()))
            s.start(task)
            s.lookup = dict(slots)
            return talk.centre_failed(exc, Retry.LOOKUP)
        if side:
            return talk.reply(talk.join(said, talk.question()))
        s.drop_task()
        return talk.reply(said)
