from crm import sections


def frame(request):
    """What the shared frame needs: the sections this user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": sections.visible_to(user)}
