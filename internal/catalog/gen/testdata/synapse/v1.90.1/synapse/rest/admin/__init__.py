def register_servlets(hs, http_server):
    RoomAdminServlet(hs).register(http_server)
    if hs.config.worker.worker_app is not None:
        return
    EverythingElseServlet(hs).register(http_server)
