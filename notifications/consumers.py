from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.push import remember_server_loop, session_group, user_group

# Closing code the page reads as "signed out": it stops reconnecting.
CLOSE_UNAUTHENTICATED = 4401


class LiveConsumer(AsyncWebsocketConsumer):
    """One open page of a signed-in user. Joins the user's group and its browser
    session's group, forwards pushed HTML as text frames, and closes when that session
    signs out; it writes nothing itself."""

    groups_joined: tuple[str, ...] = ()

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or session is None:
            # Accept first so the browser sees why (4401) instead of a bare 1006.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        remember_server_loop()
        self.groups_joined = (user_group(user.pk), session_group(session.session_key))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Pages send nothing that matters; writes go through HTTP views.
        return

    async def push_html(self, event):
        await self.send(text_data=event["html"])

    async def session_ended(self, event):
        """The session this page belongs to signed out: close as signed out."""
        await self.close(code=CLOSE_UNAUTHENTICATED)
