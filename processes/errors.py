"""Refusals of process writes, with messages meant for the person who asked."""


class ProcessError(Exception):
    """A refused operation, with a message meant for the person who asked."""


class ProcessNotActive(ProcessError):
    pass


class StepNotAvailable(ProcessError):
    pass
