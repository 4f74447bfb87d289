class RoomAdminServlet(RestServlet):
    PATTERNS = admin_patterns("/rooms/(?P<room_id>[^/]+)$")

    async def on_GET(self, request, room_id):
        pass


class EverythingElseServlet(RestServlet):
    PATTERNS = admin_patterns("/everything$", "v2")
