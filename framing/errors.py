"""The one exception type users see for bad input, bad config or a bad checkpoint.

The CLI prints its message on one line and exits non-zero; Python callers can catch it.
Messages name the file, row, column and value at fault.
"""


class FramingError(Exception):
    """A problem with the user's input (data, config, checkpoint), not a bug in framing."""
