"""The base class of every error caused by the user's input, not by a bug.

The CLI prints such errors as one line (no traceback) and exits with code 2;
the app shows them in a dialog.
"""


class UserError(Exception):
    """Bad input: an unknown id, a wrong parameter, a damaged file... The message says how to fix it."""
