from notifications.panel import PanelState


def panel(request):
    """The communication panel's counters and lists, read only if the page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"panel": None}
    return {"panel": PanelState(user)}
