class WriterLocations:
    events: list[str] = attr.ib(default=["master"])
    typing: list[str] = attr.ib(default=["master"])
    receipts: list[str] = attr.ib(default=["master"])


class WorkerConfig:
    def read_config(self, config):
        if "worker_replication_port" in config:
            raise ConfigError(SOME_MESSAGE, ("worker_replication_port",))
        instance_map = config.get("instance_map", {})
        if self.instance_name is not MAIN:
            main_host = config.get("worker_replication_host", None)
            if main_host:
                raise ConfigError(
                    DEPRECATED % ("worker_replication_host", main_host)
                )
            if "main" in instance_map:
                pass
            else:
                raise ConfigError(_MISSING_MAIN_PROCESS_INSTANCE_MAP_DATA % "main")
        writers = config.get("stream_writers") or {}
        for stream in (
            "events",
            "typing",
        ):
            for instance in writers:
                raise ConfigError("Instance %r ... does not appear in `instance_map` config.")
        if len(self.writers.typing) != 1:
            raise ConfigError("one typing writer")
        if len(self.writers.receipts) != 1:
            raise ConfigError("one receipts writer")
        if len(self.writers.events) == 0:
            raise ConfigError("events writer")
