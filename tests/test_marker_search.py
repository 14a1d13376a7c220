"""A marker search answers exactly `any(marker in text for marker in markers)`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from intents.marker_search import NOTHING, MarkerSearch

_ALPHABET = st.sampled_from(list("ab .*?|()[]\\^$了吗不"))
_WORDS = st.text(_ALPHABET, max_size=4)


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=8), st.text(_ALPHABET, max_size=20))
def test_found_in_is_any_substring(markers: list[str], text: str) -> None:
    assert MarkerSearch(markers).found_in(text) == any(m in text for m in markers)


def test_no_markers_find_nothing() -> None:
    assert not NOTHING.found_in("anything")
    assert not MarkerSearch([]).found_in("")


def test_the_first_marker_within_a_window_is_found_where_it_begins() -> None:
    search = MarkerSearch([" taxi ", " a table "])
    text = " book me a table and a taxi "
    assert search.first_in(text, 8, len(text)) == text.index(" a table ")
    assert search.first_in(text, 8, 14) == -1  # " a table " does not end inside the window
    assert search.first_in(text, 16, len(text)) == text.index(" taxi ")


def test_blanking_keeps_every_other_character_where_it_was() -> None:
    search = MarkerSearch([" years ago ", " all right now "])
    text = " a stroke two years ago he s all right now "
    blanked = search.blanked(text)
    assert len(blanked) == len(text) and "right now" not in blanked and blanked.startswith(" a stroke two ")
    assert NOTHING.blanked(text) == text
