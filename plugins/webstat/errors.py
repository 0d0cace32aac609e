"""The one exception type a user can act on.

Anything raised as :class:`WebstatError` is printed by the CLI as a single line
(``webstat: <message>``) with exit status 1; a traceback only with ``--verbose``.
"""


class WebstatError(Exception):
    """An error whose message tells the user what to fix."""


class BadDataError(WebstatError):
    """The input itself is bad (e.g. too many rejected lines): retrying will not help."""
