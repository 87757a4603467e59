"""The refusals cases services raise; their messages are meant for the person who asked."""


class CaseError(Exception):
    """A refused change, with a message meant for the person who asked."""


class CaseTaken(CaseError):
    def __init__(self, message, holder=None):
        super().__init__(message)
        self.holder = holder
