# The test runtime image: Debian bookworm (the debootstrap base, passed as BASE) with the
# reverse proxies, Redis and curl (the docker-host module's healthcheck) from Debian's packages.
# Built locally by scripts/docker-setup.sh; no registry is involved.
ARG BASE
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps the packages' maintainer scripts from starting services during the build.
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl redis-server redis-tools nginx haproxy caddy apache2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd -r -g 991 synapse && useradd -r -u 991 -g 991 -d /data -s /usr/sbin/nologin synapse
