# Redis for the Docker tests: the runtime image (Debian's redis-server) started in the foreground,
# listening on the container's network (the test networks only; nothing is published elsewhere).
ARG RUNTIME
FROM ${RUNTIME}
USER redis
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
