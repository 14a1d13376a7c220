"""Static checks of the staff console's data: its words, the shipped regression sentences,
catalogue edits that keep the file as written, and number masking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from intents import demo_catalogue_path, parse_catalogue
from intents.number_masking import mask_numbers
from server.catalogue.editing import CatalogueDocument, days_for_yaml, hours_for_yaml, yaml_safe_string
from server.catalogue.regression_check import regression_sentences
from server.console.text import CONSOLE_LANGUAGES, ConsoleText, console_strings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "server" / "templates" / "staff"
CONSOLE_CODE = [*ROOT.glob("server/console/routers/*.py"), ROOT / "server" / "console" / "deps.py"]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.]*)["']\s*[,)]""")
PREFIX_KEY = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.]*)["']\s*~""")


def test_every_word_a_page_asks_for_exists_in_both_languages() -> None:
    zh, en = (console_strings().words(lang) for lang in CONSOLE_LANGUAGES)
    strings = {key: {"zh": zh[key], "en": en[key]} for key in zh}
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), ROOT / "server" / "templates" / "base.html", *CONSOLE_CODE]:
        text = path.read_text(encoding="utf-8")
        used |= set(LITERAL_KEY.findall(text))
        prefixes |= set(PREFIX_KEY.findall(text))
    assert used - set(strings) == set()
    for prefix in prefixes:  # t("status." ~ a.status): at least one key under it
        assert any(key.startswith(prefix) for key in strings), prefix
    for key, texts in strings.items():
        assert all(texts[lang].strip() for lang in CONSOLE_LANGUAGES), key
        # The same placeholders in both languages, or one of them would fail to format.
        assert set(re.findall(r"{(\w+)}", texts["zh"])) == set(re.findall(r"{(\w+)}", texts["en"])), key


def test_words_for_every_status_and_kind_the_database_allows() -> None:
    from server.db.models import (
        ALERT_KINDS,
        APPOINTMENT_STATUSES,
        CATALOGUE_VERSION_KINDS,
        GAP_STATUSES,
        PROGRESS_STATUSES,
        STAFF_ROLES,
    )

    t = ConsoleText("en")
    for prefix, values in (("status.", APPOINTMENT_STATUSES), ("progress.status.", PROGRESS_STATUSES),
                           ("alerts.kind.", ALERT_KINDS), ("versions.kind.", CATALOGUE_VERSION_KINDS),
                           ("gaps.status.", GAP_STATUSES), ("role.", STAFF_ROLES)):  # fmt: skip
        for value in values:
            assert t.has(prefix + value), prefix + value


def test_regression_sentences_ship_with_the_package() -> None:
    """The pre-publish check needs them on a server without the source tree."""
    assert len(regression_sentences()) >= 300


def test_an_untouched_catalogue_comes_back_byte_for_byte() -> None:
    text = demo_catalogue_path().read_text(encoding="utf-8")
    assert CatalogueDocument(text).text() == text


def test_an_added_example_changes_one_line_and_keeps_the_comments() -> None:
    text = demo_catalogue_path().read_text(encoding="utf-8")
    document = CatalogueDocument(text)
    assert document.add_example("dialog.yes", "en", "on")  # YAML 1.1 would read a bare on as True
    assert not document.add_example("dialog.yes", "en", "on")
    document.add_example("service.lookup", "zh", "{service}几点关门")
    edited = document.text()
    added = [line for line in edited.splitlines() if line not in text.splitlines()]
    assert sorted(line.strip() for line in added) == ['- "on"', '- "{service}几点关门"']
    assert edited.count("\n#") == text.count("\n#")
    catalogue = parse_catalogue(edited)
    assert "on" in catalogue.intent("dialog.yes").examples["en"]


@pytest.mark.parametrize("text", ["yes", "no", "on", "off", "12:30", "1948", "null", "~", "a: b", " padded"])
def test_strings_pyyaml_would_misread_are_quoted(text: str) -> None:
    assert isinstance(yaml_safe_string(text), DoubleQuotedScalarString)
    assert type(yaml_safe_string("体检在哪里")) is str


@pytest.mark.parametrize(
    ("weekdays", "written"),
    [((0, 1, 2, 3, 4), "mon-fri"), (range(7), "daily"), ((0, 2, 4), ["mon", "wed", "fri"]), ((5,), ["sat"])],
)
def test_days_are_written_the_way_staff_write_them(weekdays: tuple[int, ...], written: object) -> None:
    assert days_for_yaml(weekdays) == written


def test_details_copied_into_the_catalogue_read_back_the_same() -> None:
    hours = {"weekdays": [0, 1, 2, 3, 4, 5], "periods": [["08:30", "12:00"], ["13:30", "17:00"]]}
    document = CatalogueDocument(demo_catalogue_path().read_text(encoding="utf-8"))
    assert document.set_field("services", "health_check", "hours", hours_for_yaml(hours))
    assert document.set_field("services", "health_check", "capacity", 7)
    assert not document.set_field("services", "health_check", "capacity", 7)
    service = parse_catalogue(document.text()).service("health_check")
    assert service.capacity == 7 and service.hours.weekdays == (0, 1, 2, 3, 4, 5)
    assert yaml.safe_load(document.text())["services"]["health_check"]["hours"]["days"] == "mon-sat"


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("我的电话是13800138000", "我的电话是#"),
        ("幺三八 零零幺三 八零零零", "#"),
        ("一九四八年生的", "# 年生的"),
        ("my number is one three eight zero zero", "my number is #"),
        ("体检在哪里", "体检在哪里"),
        ("room 201 please", "room 201 please"),
    ],
)
def test_numbers_are_masked_before_anything_is_kept(said: str, kept: str) -> None:
    assert mask_numbers(said) == kept


def test_every_done_message_exists() -> None:
    """`console.redirect(path, "saved")` shows the words of "done.saved" after the redirect."""
    strings = console_strings().words("zh")
    keys: set[str] = set()
    for path in CONSOLE_CODE:
        for call in re.findall(r"redirect\((.*?)\)\n", path.read_text(encoding="utf-8"), re.S):
            keys |= set(re.findall(r'"([a-z_]+)"', call.split(",", 1)[1])) if "," in call else set()
    assert keys and {f"done.{key}" for key in keys} - set(strings) == set()
