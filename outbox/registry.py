"""Who carries out each kind of effect: apps register a handler in AppConfig.ready().

A handler takes the effect's payload and either finishes or raises (the effect is
then retried with backoff). It runs in the transaction that marks the effect done,
so a database-only handler takes effect exactly once; one that talks to the
outside (SMTP) runs at least once and checks its own key first.
"""

from collections.abc import Callable

Handler = Callable[[dict], None]

_handlers: dict[str, Handler] = {}


class NoHandler(LookupError):
    pass


def register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise NoHandler(f"no handler is registered for effects of kind '{kind}'") from None
