"""The project's own exception types: everything a user can cause raises one of these."""


class PlaygroundError(Exception):
    """Base class of every error the playground raises on purpose.

    The message is written for a learner: it says what is wrong and how to fix it. It is given as
    a message id (the English text, a plain string literal with ``{name}`` fields) and parameters,
    so the engine stays language-free and the page shows it translated
    (``playground.i18n.error_text``); ``str(err)`` is the English text.
    """

    def __init__(self, message: str, /, **params: object):
        self.msgid = message
        self.params = params
        super().__init__(message.format(**params) if params else message)


class ConfigError(PlaygroundError, ValueError):
    """A network, training or optimizer setting is invalid (unknown name, out of range)."""


class DataError(PlaygroundError, ValueError):
    """A dataset cannot be built or an uploaded file cannot be used.

    ``row`` and ``column`` (1-based, as a spreadsheet shows them) name where the defect is, when it
    has a place.
    """

    def __init__(
        self, message: str, /, *, row: int | None = None, column: str | int | None = None, **params: object
    ):
        super().__init__(message, **params)
        self.row = row
        self.column = column
