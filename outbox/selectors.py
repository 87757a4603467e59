from outbox.models import Effect


def effects_by_key(keys) -> dict[str, Effect]:
    """The effects named by `keys`, by key (missing keys are absent)."""
    keys = [key for key in keys if key]
    if not keys:
        return {}
    return {effect.key: effect for effect in Effect.objects.filter(key__in=keys)}
