# STAND-IN for matrixdotorg/synapse in the Docker tests: NOT Synapse. Synapse cannot be built
# here (no PyPI, no crates.io), so tools/synapse-standin is installed as `python`: it takes the
# same command line and mounts as the real image, loads every config file it is given and fails
# loudly on a missing or invalid one, serves the configured listeners (/health, and the
# X-Synapse-Worker header on every response) and connects to the configured Redis.
ARG RUNTIME
FROM ${RUNTIME}
COPY synapse-standin /usr/local/bin/python
# Like the real image: no USER (root); the docker-host module drops to run_as with setpriv.
WORKDIR /data
