class PushersServlet(RestServlet):
    PATTERNS = client_patterns("/pushers$", v1=True)

    async def on_GET(self, request):
        pass


def register_servlets(hs, http_server):
    PushersServlet(hs).register(http_server)
