class RedisConfig:
    def read_config(self, config):
        redis_config = config.get("redis") or {}
        self.host = redis_config.get("host", "localhost")
        self.path = redis_config.get("path", None)
