"""Errors from recognition and model handling, worded for the staff member who must fix them."""

from __future__ import annotations


class RecognitionError(Exception):
    """Base class: something stops the kiosk from listening."""


class ModelError(RecognitionError):
    """A speech model is missing, incomplete or will not load."""


class ModelInstallError(ModelError):
    """`kiosk models add` cannot install what it was given (bad zip, not a Vosk model…)."""


class AudioFileError(RecognitionError):
    """A recording cannot be read as audio the kiosk can transcribe."""
