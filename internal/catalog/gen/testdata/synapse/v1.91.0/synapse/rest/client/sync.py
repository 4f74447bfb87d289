class SyncRestServlet(RestServlet):
    PATTERNS = client_patterns("/sync$")

    async def on_GET(self, request):
        pass


class SlidingSyncRestServlet(RestServlet):
    PATTERNS = client_patterns(
        "/org.example.sliding/sync$", releases=[], v1=False, unstable=True
    )

    async def on_POST(self, request):
        pass


class MainOnlyServlet(RestServlet):
    PATTERNS = client_patterns("/main_only$")

    async def on_GET(self, request):
        pass


def register_servlets(hs, http_server):
    SyncRestServlet(hs).register(http_server)
    SlidingSyncRestServlet(hs).register(http_server)
    if hs.config.worker.worker_app is None:
        MainOnlyServlet(hs).register(http_server)
