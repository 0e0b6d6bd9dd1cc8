"""Errors that are the user's to fix: the command line prints their message, never a traceback."""


class UserError(Exception):
    """A mistake in input or call: the message says what is wrong and where (file, row, column)."""

    exit_code = 2


class FileRefused(UserError):
    """A whole file was refused: nothing of it was loaded."""
