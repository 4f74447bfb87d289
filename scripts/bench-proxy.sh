#!/usr/bin/env bash
# Benchmark of the nginx configuration this provider renders (make bench).
#
# Runs wrk on loopback with a Synapse-like request mix (scripts/bench-proxy.lua) against three
# nginx configurations in front of the same stub upstreams (internal/proxy/cmd/stubupstream):
#   generated - RenderNginx of the routing table routing.Compile builds for the worker layout of
#               Synapse's docker worker generator (internal/proxy/cmd/benchconf);
#   floor     - one catch-all location to one upstream: the cost of proxying at all;
#   docker    - the nginx config Synapse's docker generator rendered for that layout
#               ($SYNAPSE_DOCKER_NGINX_CONF), adapted to loopback by sed at run time;
#   docker-keepalive - the same with upstream keepalive (HTTP/1.1 to the upstreams), as the
#               other two have, so its ratio shows the routing cost alone.
# Every configuration runs ROUNDS times, interleaved, and the median requests/sec is reported
# (loopback numbers on a small machine are noisy). Prints wrk's output and a markdown table;
# nothing is written to the repository.
#
# Environment: WRK_ARGS (default "-t2 -c32 -d10s"), ROUNDS (default 3), NGINX_WORKERS (default 1),
# BENCH_BASE (port base, default 28000), SYNAPSE_DOCKER_NGINX_CONF (default
# /work/shared/reference/synapse-docker-generator-output/etc/nginx/conf.d/matrix-synapse.conf).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WRK_ARGS=${WRK_ARGS:--t2 -c32 -d10s}
ROUNDS=${ROUNDS:-3}
WORKERS=${NGINX_WORKERS:-1}
BASE=${BENCH_BASE:-28000}
PORT=$((BASE + 1))
DOCKER_CONF=${SYNAPSE_DOCKER_NGINX_CONF:-/work/shared/reference/synapse-docker-generator-output/etc/nginx/conf.d/matrix-synapse.conf}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

for bin in wrk "$NGINX" go; do
	command -v "$bin" >/dev/null || { echo "bench-proxy: $bin is not installed (apt-get install -y nginx wrk)" >&2; exit 1; }
done
# Synapse's docker generator output is not part of this repository: without it, the docker rows
# are skipped (and said so) and the floor/generated comparison still runs.
DOCKER=1
if [ ! -r "$DOCKER_CONF" ]; then
	DOCKER=""
	echo "bench-proxy: docker, docker-keepalive: skipped ($DOCKER_CONF not found; set SYNAPSE_DOCKER_NGINX_CONF to the nginx config Synapse's docker worker generator wrote to compare with it)" >&2
fi

WORK=$(mktemp -d /tmp/bench-proxy.XXXXXX)
chmod 755 "$WORK"
STUB_PID=""
NGINX_PID=""
cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
	[ -n "$STUB_PID" ] && kill "$STUB_PID" 2>/dev/null && wait "$STUB_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT"
go build -o "$WORK/stubupstream" ./internal/proxy/cmd/stubupstream
go build -o "$WORK/benchconf" ./internal/proxy/cmd/benchconf

# Stub upstreams for every process of the layout (main on BASE+80).
# shellcheck disable=SC2046
"$WORK/stubupstream" $("$WORK/benchconf" -base "$BASE" -stubs) >"$WORK/stub.log" 2>&1 &
STUB_PID=$!

# Shared frame of the two hand-made configurations: same process settings as the generated one.
frame() { # $1 = name, $2 = file with the http{} content
	cat <<CONF
worker_processes $WORKERS;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    client_body_temp_path $WORK/$1/client_body;
    proxy_temp_path $WORK/$1/proxy;
    fastcgi_temp_path $WORK/$1/fastcgi;
    uwsgi_temp_path $WORK/$1/uwsgi;
    scgi_temp_path $WORK/$1/scgi;
    include $2;
}
CONF
}

NAMES="floor generated${DOCKER:+ docker docker-keepalive}"
for name in $NAMES; do mkdir -p "$WORK/$name"; done
"$WORK/benchconf" -base "$BASE" -port "$PORT" -dir "$WORK/generated" |
	sed "s/^worker_processes auto;/worker_processes $WORKERS;/" >"$WORK/generated/nginx.conf"

cat >"$WORK/floor/http.conf" <<CONF
upstream main {
    server 127.0.0.1:$((BASE + 80));
    keepalive 32;
}
server {
    listen 127.0.0.1:$PORT;
    location / {
        proxy_pass http://main;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_set_header X-Forwarded-Proto \$scheme;
        client_max_body_size 100M;
    }
}
CONF
frame floor "$WORK/floor/http.conf" >"$WORK/floor/nginx.conf"

# The docker generator's file, moved to loopback: workers localhost:18NNN -> 127.0.0.1:(BASE+NNN),
# main localhost:8080 -> 127.0.0.1:(BASE+80), listen 8008 -> 127.0.0.1:PORT, no IPv6 listener.
[ -z "$DOCKER" ] || sed -e "s/localhost:180\([0-9][0-9]\)/127.0.0.1:$((BASE / 1000))0\1/g" \
	-e "s/localhost:8080/127.0.0.1:$((BASE + 80))/g" \
	-e "s/^\( *\)listen 8008;/\1listen 127.0.0.1:$PORT;/" \
	-e "/listen \[::\]:8008;/d" \
	"$DOCKER_CONF" >"$WORK/docker/http.conf"
[ -z "$DOCKER" ] || frame docker "$WORK/docker/http.conf" >"$WORK/docker/nginx.conf"
[ -z "$DOCKER" ] || sed -e '/^upstream /,/^}/ s/^}$/    keepalive 32;\n}/' \
	-e 's|^\( *\)proxy_pass \(http://[^;]*\);|\1proxy_pass \2;\n\1proxy_http_version 1.1;\n\1proxy_set_header Connection "";|' \
	"$WORK/docker/http.conf" >"$WORK/docker-keepalive/http.conf"
[ -z "$DOCKER" ] || frame docker-keepalive "$WORK/docker-keepalive/http.conf" >"$WORK/docker-keepalive/nginx.conf"

# Wait for the stubs.
for _ in $(seq 1 100); do
	grep -q ready "$WORK/stub.log" 2>/dev/null && break
	sleep 0.1
done

declare -A RUNS
for round in $(seq 1 "$ROUNDS"); do
	for name in $NAMES; do
		conf="$WORK/$name/nginx.conf"
		"$NGINX" -t -q -p "$WORK/$name" -e stderr -c "$conf"
		"$NGINX" -p "$WORK/$name" -e stderr -c "$conf" -g "daemon off;" &
		NGINX_PID=$!
		for _ in $(seq 1 100); do
			curl -s -o /dev/null "http://127.0.0.1:$PORT/_matrix/client/versions" && break
			sleep 0.1
		done
		# The mix must reach a stub (no 404/502) before we measure.
		check=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer syt_dXNlcjAwMQ_x_y' "http://127.0.0.1:$PORT/_matrix/client/v3/sync?since=s1")
		[ "$check" = 200 ] || { echo "bench-proxy: $name answered $check" >&2; exit 1; }
		# shellcheck disable=SC2086
		out=$(wrk $WRK_ARGS -s "$ROOT/scripts/bench-proxy.lua" "http://127.0.0.1:$PORT")
		echo "== $name (round $round)"
		echo "$out"
		if echo "$out" | grep -q "Non-2xx"; then
			echo "bench-proxy: $name returned non-2xx answers" >&2
			exit 1
		fi
		RUNS[$name]="${RUNS[$name]:-} $(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
		kill "$NGINX_PID"
		wait "$NGINX_PID" 2>/dev/null || true
		NGINX_PID=""
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A RPS
for name in $NAMES; do RPS[$name]=$(echo "${RUNS[$name]}" | median); done

echo
echo "| configuration | requests/sec (median of $ROUNDS) | runs | ratio to floor |"
echo "|---|---:|---|---:|"
for name in $NAMES; do
	ratio=$(awk -v a="${RPS[$name]}" -v b="${RPS[floor]}" 'BEGIN { printf "%.2f", a / b }')
	echo "| $name | ${RPS[$name]} | ${RUNS[$name]# } | $ratio |"
done
[ -n "$DOCKER" ] || echo "| docker, docker-keepalive | skipped: Synapse's docker generator config not found (SYNAPSE_DOCKER_NGINX_CONF) | | |"
echo
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') with $WORKERS worker process(es), wrk $WRK_ARGS, $ROUNDS rounds, $(nproc) CPUs"
