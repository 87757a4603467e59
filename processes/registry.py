"""Models that processes may read and write, and start on ("registered models").

Data tasks (Add / Modify / Read / Delete data) and record-trigger start events
name a model by its label ("crm.Contact"). Only registered models are
reachable, and only their registered fields can be written.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class RegisteredModel:
    label: str
    fields: tuple[str, ...]

    @property
    def model(self):
        return apps.get_model(self.label)


_registry: dict[str, RegisteredModel] = {}


class UnknownModel(LookupError):
    pass


def register_model(label: str, *, fields: tuple[str, ...]) -> None:
    """Let processes read, write and start on `label` ("app.Model"), limited to `fields`."""
    _registry[label.lower()] = RegisteredModel(label, tuple(fields))


def get_model(label: str) -> RegisteredModel:
    try:
        return _registry[label.lower()]
    except KeyError:
        known = ", ".join(sorted(r.label for r in _registry.values())) or "none"
        raise UnknownModel(
            f"model '{label}' is not registered for processes (registered: {known})"
        ) from None


def is_registered(model) -> bool:
    return label_of(model).lower() in _registry


def registered() -> list[RegisteredModel]:
    return sorted(_registry.values(), key=lambda r: r.label)


def label_of(model_or_instance) -> str:
    meta = model_or_instance._meta
    return f"{meta.app_label}.{meta.object_name}"


# -- functions expressions may call ------------------------------------------

_functions: dict = {}


def register_function(name: str):
    """Make the decorated function callable by name from process expressions and scripts."""

    def decorator(fn):
        _functions[name] = fn
        return fn

    return decorator


def unregister_function(name: str) -> None:
    _functions.pop(name, None)


def functions() -> dict:
    return dict(_functions)


def record_values(record) -> dict:
    """The record's registered fields as JSON-friendly values, plus its id."""
    entry = get_model(label_of(record))
    values = {"id": record.pk}
    for name in entry.fields:
        field = record._meta.get_field(name)
        value = getattr(record, field.attname)
        plain = isinstance(value, int | float | str | bool | type(None))
        values[name] = value if plain else str(value)
    return values
