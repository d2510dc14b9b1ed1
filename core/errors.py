"""Twintrack's exception hierarchy.

Every error a user can provoke derives from :class:`TwintrackError` and carries a
message written for that user (no traceback needed to understand it).  Code that
catches errors at a boundary (CLI, GUI worker) catches ``TwintrackError`` only;
anything else is a bug and is allowed to surface as one.
"""

from __future__ import annotations

__all__ = [
    "TwintrackError",
    "AudioError",
    "UnreadableAudioError",
    "EmptyAudioError",
    "TooShortError",
    "NonFiniteAudioError",
    "FormatError",
    "Cancelled",
]


class TwintrackError(Exception):
    """Root of all errors Twintrack reports to a user."""


class AudioError(TwintrackError):
    """An audio file cannot be used for analysis or playback."""


class UnreadableAudioError(AudioError):
    """No decoder could read the file (not audio, damaged, or unsupported)."""


class EmptyAudioError(AudioError):
    """The file decodes but holds no samples."""


class TooShortError(AudioError):
    """The audio is too short to analyse."""


class NonFiniteAudioError(AudioError):
    """The decoded samples contain NaN or infinite values."""


class FormatError(TwintrackError):
    """A document (analysis, timeline, reference) does not have the expected shape.

    The message names the offending location in the document, e.g. ``$.segments[3].end``.
    """


class Cancelled(TwintrackError):
    """Long work stopped because its caller asked it to."""
