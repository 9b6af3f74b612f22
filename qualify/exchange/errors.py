"""The errors exchange actions raise: ExchangeError for what is not possible, NotModerator for a refusal."""


class ExchangeError(ValueError):
    """An exchange action that is not possible; the message is for the person."""


class NotModerator(PermissionError):
    """The person does not moderate this space."""
