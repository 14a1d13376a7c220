"""The family page's words in both languages, from `server/data/family_page.yaml`.

Checked when loaded: both languages must have the same entries, so a sentence added in
one language only fails at start-up (and in the tests), not in front of a family member.
"""

from __future__ import annotations

import functools
from datetime import date
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("zh", "en")


class FamilyTextError(ValueError):
    """The family page's word file is incomplete; the message names the missing entries."""


@functools.cache
def family_text() -> dict[str, dict[str, Any]]:
    text = (resources.files("server") / "data" / "family_page.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    zh, en = (data.get(lang) or {} for lang in LANGUAGES)
    for key in sorted(set(zh) ^ set(en)) + sorted(set(zh.get("errors", {})) ^ set(en.get("errors", {}))):
        raise FamilyTextError(f"server/data/family_page.yaml: '{key}' is not written in both zh and en")
    return data


def words(lang: str) -> dict[str, Any]:
    return family_text()[lang if lang in LANGUAGES else "zh"]


def error_text(lang: str, code: str, **values: Any) -> str:
    errors = words(lang)["errors"]
    template = errors.get(code, errors["other"])
    try:
        return str(template).format(**values)
    except (KeyError, IndexError):
        return str(errors["other"])


def local_date_text(day: date, lang: str) -> str:
    w = words(lang)
    return str(w["date_format"]).format(
        month=day.month,
        day=day.day,
        weekday=w["weekdays"][day.weekday()],
        month_name=w["months"][day.month - 1],
    )
