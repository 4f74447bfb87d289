CLIENT_SERVLET_FUNCTIONS: tuple[Func, ...] = (
    sync.register_servlets,
    pusher.register_servlets,
)


class ClientRestResource:
    def register_servlets(client_resource, hs):
        for servletfunc in SERVLET_GROUPS[servlet_group]:
            if not is_main_process and servletfunc in [
                pusher.register_servlets,
            ]:
                continue
