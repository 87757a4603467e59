from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.push import remember_server_loop, user_group

# Closing code the page reads as "signed out": it stops reconnecting.
CLOSE_UNAUTHENTICATED = 4401


class LiveConsumer(AsyncWebsocketConsumer):
    """One open page of a signed-in user. Joins the user's group and forwards
    pushed HTML as text frames; it writes nothing itself."""

    group_name = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so the browser sees why (4401) instead of a bare 1006.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        remember_server_loop()
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Pages send nothing that matters; writes go through HTTP views.
        return

    async def push_html(self, event):
        await self.send(text_data=event["html"])
