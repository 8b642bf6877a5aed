"""Errors a person can cause. Each message names the file and says what to do."""

from __future__ import annotations


class ColorizerError(Exception):
    """Base of every error the CLI prints in one line and the GUI shows beside a photo."""


class ImageLoadError(ColorizerError):
    """A photo could not be read: missing, empty, truncated, not an image, or too large."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ImageSaveError(ColorizerError):
    """A colorized copy could not be written (disk full, no permission, would overwrite)."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ModelError(ColorizerError):
    """A model file is missing, corrupt, of the wrong format, or its weights are unavailable."""


class TrainingError(ColorizerError):
    """Training cannot start or cannot go on (too few photos, NaN loss, ...)."""


class TrainingCancelled(TrainingError):
    """The person asked training to stop (while scanning, reading with the classifiers, or
    between steps); nothing was saved."""
