"""The errors exchange actions raise: ExchangeError for what is not possible, NotModerator for a refusal."""


class ExchangeError(ValueError):
    """An exchange action that is not possible; the message is for the person."""


class ReasonRefused(ExchangeError):
    """The reason given for a moderator's decision is missing or too long: the decision may be asked for again,
    with the text as typed."""


class NotModerator(PermissionError):
    """The person does not moderate this space."""
