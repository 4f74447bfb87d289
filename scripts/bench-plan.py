#!/usr/bin/env python3
"""Plan-time, plan-size and state-size benchmark of the synapse provider (issue 9).

Builds this checkout's provider and the no-op floor provider (tools/floorprovider), then, in one
run and interleaved round by round:

  floor   N `floor_thing` resources: one string in, one computed string set in ModifyPlan;
  direct  N `synapse_worker` (for_each over names) + 10 `synapse_stream_writer`, one
          `synapse_shared_config` and one `synapse_routing_table` rendering nginx;
  module  the same mix through modules/fleet;

and times `terraform plan -refresh=false` from empty state (wall and CPU of terraform and its
provider processes; median of the rounds). Then it measures plan output: the lines of a
100-worker direct create plan, and, on a 31-worker modules/fleet fleet applied to a local state,
the plan that grows its synchrotron pool from 4 to 6 workers (all lines, and the lines of the
routing table's block), and that state's size in bytes.

Prints a markdown report on stdout; writes nothing into the repository (OUT=path to also write
the report there: `make bench-docs` writes docs/benchmarks.md's plan section through it).

Environment: SIZES (default "100 500 1000"), ROUNDS (default 3), WARMUP=0 (time the first pass
as round 1 instead of a discarded warm-up), SKIP_OUTPUT=1 (timings only),
KEEP=1 (keep the work directory), SYNAPSE_PROVIDER_BIN (time that provider binary instead of
building this checkout's), BENCH_WORKERS_SHARED / BENCH_WORKERS_ROUTING / BENCH_STREAM_WRITERS /
BENCH_PROXIES (the direct fleet's input expressions, e.g. `values(synapse_stream_writer.s)` to
time a provider from before `stream_writers` became a map).
"""
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import datetime

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [int(x) for x in os.environ.get("SIZES", "100 500 1000").split()]
ROUNDS = int(os.environ.get("ROUNDS", "3"))
# WARMUP=0 times the first (sanity) pass as round 1 instead of discarding it: for a loaded machine
# where one pass over N=1000 takes many minutes.
WARMUP = os.environ.get("WARMUP", "1") != "0"
STREAMS_SINGLE = ["typing", "to_device", "account_data", "presence", "push_rules"]
STREAMS_MULTI = ["receipts", "device_lists", "thread_subscriptions", "quarantined_media_changes"]
# Streams whose writers must include the main process (catalogue data: the overlay's
# `main_must_write`; on Synapse 1.152-1.157, the release this benchmark plans for).
MAIN_WRITES = {name for name, s in json.load(open(os.path.join(REPO, "internal/catalog/data/overlay.json")))["streams"].items()
               if s.get("main_must_write")}


def log(msg):
    print(f"bench-plan: {msg}", file=sys.stderr, flush=True)


def run(cmd, cwd, env, out=subprocess.DEVNULL):
    """Runs cmd; returns (wall seconds, CPU seconds of the children, returncode)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.returncode


def mix(n):
    """Worker pools of an N-worker fleet: 40% sync, 30% client readers, 20% federation readers,
    10% stream writers: event persisters, one worker writing the other eight streams and one
    media worker writing quarantined_media_changes. Pool => (roles, count, streams)."""
    writers = max(3, n // 10)
    fed = n * 2 // 10
    client = n * 3 // 10
    sync = n - writers - fed - client
    return {"sync": (["synchrotron"], sync, []), "client": (["client_reader"], client, []),
            "federation-reader": (["federation_reader"], fed, []),
            "persister": ([], writers - 2, ["events"]),
            "stream": ([], 1, STREAMS_SINGLE + STREAMS_MULTI[:3]),
            "media": (["media_repository"], 1, STREAMS_MULTI[3:])}


def stream_writers(pools):
    """The ten stream assignments: each stream to every worker of the pool that writes it."""
    out = {}
    for pool, (_, count, streams) in pools.items():
        for s in streams:
            # Synapse 1.152-1.157 need the main process among these writers.
            out[s] = (["main"] if s in MAIN_WRITES else []) + [f"{pool}-{i}" for i in range(1, count + 1)]
    return dict(sorted(out.items()))


def hcl_list(xs):
    return "[" + ", ".join(f'"{x}"' for x in xs) + "]"


def direct_config(n):
    workers, port = [], {}
    for pool, (roles, count, streams) in mix(n).items():
        for i in range(1, count + 1):
            name = f"{pool}-{i}"
            host = f"10.0.{len(workers) // 100 + 1}.10"
            port[host] = port.get(host, 8100) + 1
            repl = 9100 + (port[host] - 8100) if streams else None
            w = f'    "{name}" = {{ roles = {hcl_list(roles)}, host = "{host}", http_port = {port[host]}'
            w += f", replication_port = {repl} }}" if repl else ", replication_port = null }"
            workers.append(w)
    sw = stream_writers(mix(n))
    sw_hcl = "\n".join(f'    {s} = {hcl_list(ws)}' for s, ws in sw.items())
    return f"""terraform {{
  required_providers {{
    synapse = {{ source = "synapse-fleet/synapse" }}
  }}
}}

provider "synapse" {{
  synapse_version = "1.157"
}}

locals {{
  workers = {{
{chr(10).join(workers)}
  }}
  stream_writers = {{
{sw_hcl}
  }}
  # for_each over a map of the names only: Terraform evaluates the for_each expression once per
  # instance, and a set costs far more per evaluation than a map (docs/benchmarks.md).
  worker_names = {{ for k in keys(local.workers) : k => k }}
  stream_names = {{ for k in keys(local.stream_writers) : k => k }}
}}

resource "synapse_worker" "w" {{
  for_each = local.worker_names

  name             = each.key
  roles            = local.workers[each.key].roles
  host             = local.workers[each.key].host
  http_port        = local.workers[each.key].http_port
  replication_port = local.workers[each.key].replication_port
}}

resource "synapse_stream_writer" "s" {{
  for_each = local.stream_names

  stream  = each.key
  writers = [for w in local.stream_writers[each.key] : w == "main" ? w : synapse_worker.w[w].name]
}}

resource "synapse_shared_config" "shared" {{
  main           = {{ host = "10.0.1.5", http_port = 8008, replication_port = 9093 }}
  workers        = @WORKERS_SHARED@
  stream_writers = @STREAM_WRITERS@
  redis          = {{ host = "10.0.1.5", port = 6379 }}
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
}}

resource "synapse_routing_table" "proxy" {{
  main           = {{ host = "10.0.1.5", port = 8008 }}
  workers        = @WORKERS_ROUTING@
  stream_writers = @STREAM_WRITERS@
  @PROXIES@
  listen         = {{ port = 443, server_name = "example.org" }}
}}
"""


def module_config(n, pools=None, hosts=None):
    pools = pools or {k: v for k, v in mix(n).items()}
    hosts = hosts or max(2, (n + 99) // 100)
    host_map = "\n".join(f'    hs{i} = "10.0.{i}.10"' for i in range(1, hosts + 1))
    lines = []
    for slot, (pool, (roles, count, streams)) in enumerate(pools.items()):
        # A pool larger than the module's automatic port block (20 workers) takes its own port
        # ranges, one block of 1,000 ports per pool.
        ports = (f", ports = {{ http = {10000 + 1000 * slot}, replication = {20000 + 1000 * slot} }}"
                 if count > 20 else "")
        lines.append(f'    {pool} = {{ roles = {hcl_list(roles)}, count = {count}'
                     + (f", streams = {hcl_list(streams)}" if streams else "") + ports + " }")
    return f"""module "fleet" {{
  source          = "{REPO}/modules/fleet"
  synapse_version = "1.157"
  hosts = {{
{host_map}
  }}
  main                    = {{ host = "hs1" }}
  redis                   = {{ host = "hs1" }}
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  proxy                   = {{ kind = "nginx", host = "hs1", listen = {{ port = 443, server_name = "example.org" }} }}
  workers = {{
{chr(10).join(lines)}
  }}
}}
"""


def floor_config(n):
    return f"""terraform {{
  required_providers {{
    floor = {{ source = "bench/floor" }}
  }}
}}

# The names in a local map, the direct fleet's form: Terraform evaluates a for_each expression
# once per instance, so a floor that builds its names in the for_each itself (or iterates over a
# set) is quadratic in Terraform core and not a floor.
locals {{
  names = {{ for i in range({n}) : "w-${{i}}" => "w-${{i}}" }}
}}

resource "floor_thing" "w" {{
  for_each = local.names
  input    = each.key
}}
"""


def main():
    work = tempfile.mkdtemp(prefix="bench-plan.")
    try:
        return bench(work)
    finally:
        if os.environ.get("KEEP"):
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def direct_forms():
    """The synapse_routing_table/synapse_shared_config input forms of this checkout's schema."""
    return {"WORKERS_SHARED": os.environ.get("BENCH_WORKERS_SHARED", "synapse_worker.w"),
            "WORKERS_ROUTING": os.environ.get("BENCH_WORKERS_ROUTING", "synapse_worker.w"),
            "STREAM_WRITERS": os.environ.get("BENCH_STREAM_WRITERS", "synapse_stream_writer.s"),
            "PROXIES": os.environ.get("BENCH_PROXIES", 'proxies        = ["nginx"]\n  forms          = ["config"]')}


def render(tmpl):
    for k, v in direct_forms().items():
        tmpl = tmpl.replace("@" + k + "@", v)
    return tmpl


def bench(work):
    bindir = os.path.join(work, "bin")
    floordir = os.path.join(work, "floor-bin")
    os.makedirs(bindir)
    os.makedirs(floordir)
    src = os.environ.get("SYNAPSE_PROVIDER_BIN")
    if src:
        shutil.copy(src, os.path.join(bindir, "terraform-provider-synapse"))
    else:
        subprocess.run(["go", "build", "-o", os.path.join(bindir, "terraform-provider-synapse"), "."], cwd=REPO, check=True)
    subprocess.run(["go", "build", "-o", os.path.join(floordir, "terraform-provider-floor"), "./tools/floorprovider"],
                   cwd=REPO, check=True)
    rc = os.path.join(work, "terraformrc")
    with open(rc, "w") as f:
        f.write(f"""disable_checkpoint = true
provider_installation {{
  dev_overrides {{
    "registry.terraform.io/synapse-fleet/synapse" = "{bindir}"
    "registry.terraform.io/bench/floor" = "{floordir}"
  }}
  direct {{}}
}}
""")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=rc, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")

    cases = []
    for n in SIZES:
        for kind, text in (("floor", floor_config(n)), ("direct", render(direct_config(n))), ("module", module_config(n))):
            d = os.path.join(work, f"{kind}-{n}")
            os.makedirs(d)
            with open(os.path.join(d, "main.tf"), "w") as f:
                f.write(text)
            if kind == "module":
                subprocess.run(["terraform", "get", "-no-color"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL)
            cases.append((n, kind, d))
    plan = ["terraform", "plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"]
    times = {(n, kind): [] for n, kind, _ in cases}
    load_before = open("/proc/loadavg").read().split()[:3]
    for n, kind, d in cases:  # sanity (and warm-up): every plan succeeds
        with open(os.path.join(d, "plan.txt"), "w") as out:
            w, c, code = run(plan, d, env, out)
        if code != 0:
            sys.stderr.write("".join(open(os.path.join(d, "plan.txt")).readlines()[-40:]))
            raise SystemExit(f"bench-plan: plan of {kind} N={n} failed")
        if not WARMUP:
            times[(n, kind)].append((w, c))
        log(f"{kind} N={n}: {'warm-up' if WARMUP else 'round 1'} {w:.1f} s wall, {c:.1f} s CPU; {grep_plan(d)}")
    if WARMUP:
        load_before = open("/proc/loadavg").read().split()[:3]
    for r in range(ROUNDS - (0 if WARMUP else 1)):
        for n, kind, d in cases:
            w, c, code = run(plan, d, env)
            if code != 0:
                raise SystemExit(f"bench-plan: plan of {kind} N={n} failed in round {r + (1 if WARMUP else 2)}")
            times[(n, kind)].append((w, c))
        log(f"round {r + (1 if WARMUP else 2)}/{ROUNDS} done")
    load_after = open("/proc/loadavg").read().split()[:3]

    out = []
    tf = subprocess.run(["terraform", "version"], capture_output=True, text=True, env=env).stdout.splitlines()[0]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    out.append(f"Measured {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} with {tf}, "
               f"{os.cpu_count()} CPUs ({cpu}); load average {' '.join(load_before)} before the timed rounds and "
               f"{' '.join(load_after)} after. Median of {ROUNDS} interleaved rounds"
               f"{'' if WARMUP else ' (no warm-up pass: the first pass is round 1)'} of "
               "`terraform plan -refresh=false` from empty state; CPU is user + system of terraform and its providers.\n")
    out.append("| N workers | floor wall (s) | direct wall (s) | direct / floor | module wall (s) | module / floor | module / direct | floor CPU (s) | direct CPU (s) | module CPU (s) |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in times.items()}
    for n in SIZES:
        fl, di, mo = med[(n, "floor")], med[(n, "direct")], med[(n, "module")]
        out.append(f"| {n} | {fl[0]:.2f} | {di[0]:.2f} | {di[0] / fl[0]:.2f}× | {mo[0]:.2f} | {mo[0] / fl[0]:.2f}× | "
                   f"{mo[0] / di[0]:.2f}× | {fl[1]:.2f} | {di[1]:.2f} | {mo[1]:.2f} |")
    if 500 in SIZES and 1000 in SIZES:
        g = lambda k, i=0: med[(1000, k)][i] / med[(500, k)][i]
        out.append(f"\nGrowth from 500 to 1000 workers (wall): floor ×{g('floor'):.2f}, direct ×{g('direct'):.2f}, module ×{g('module'):.2f}.")
    out.append("\nEvery round, raw (wall s / CPU s):\n")
    for (n, kind), v in sorted(times.items()):
        out.append(f"- {kind} N={n}: " + ", ".join(f"{w:.2f}/{c:.2f}" for w, c in v))

    if not os.environ.get("SKIP_OUTPUT"):
        out.append("")
        out.extend(plan_output(work, env, plan))
    report = "\n".join(out) + "\n"
    print(report)
    if os.environ.get("OUT"):
        write_section(os.environ["OUT"], report)


def grep_plan(d):
    text = open(os.path.join(d, "plan.txt")).read()
    m = re.search(r"^Plan: .*$", text, re.M)
    return m.group(0) if m else "no Plan: line"


def blocks(text):
    """Splits a plan's text into {resource address: lines of its block}."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^  # (\S+) (will|must) be ", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif re.match(r"^(Plan:|Changes to Outputs:)", line):
            cur = None
        if cur:
            out[cur].append(line)
    return out


def plan_output(work, env, plan):
    res = ["Plan output and state:\n"]
    d = os.path.join(work, "direct-100-lines")
    os.makedirs(d)
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write(render(direct_config(100)))
    p = subprocess.run(plan, cwd=d, env=env, capture_output=True, text=True, check=True)
    res.append(f"- 100-worker direct create plan: {len(p.stdout.splitlines())} lines, {len(p.stdout.encode())} bytes.")

    d = os.path.join(work, "grow-31")
    os.makedirs(d)
    pools = {"sync": (["synchrotron"], 4, []), "client": (["client_reader"], 8, []),
             "federation-reader": (["federation_reader"], 6, []), "federation-inbound": (["federation_inbound"], 2, []),
             "persister": ([], 9, ["events"]), "stream": ([], 1, STREAMS_SINGLE + STREAMS_MULTI[:3]),
             "media": (["media_repository"], 1, STREAMS_MULTI[3:])}
    assert sum(c for _, c, _ in pools.values()) == 31
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write(module_config(31, pools, hosts=3))
    subprocess.run(["terraform", "get", "-no-color"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["terraform", "apply", "-auto-approve", "-input=false", "-no-color"], cwd=d, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    state = os.path.getsize(os.path.join(d, "terraform.tfstate"))
    again = subprocess.run(plan + ["-detailed-exitcode"], cwd=d, env=env, capture_output=True, text=True)
    pools["sync"] = (["synchrotron"], 6, [])
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write(module_config(33, pools, hosts=3))
    p = subprocess.run(plan, cwd=d, env=env, capture_output=True, text=True, check=True)
    b = blocks(p.stdout)
    rt = sum(len(v) for k, v in b.items() if "synapse_routing_table" in k)
    res.append(f"- 31-worker modules/fleet fleet: state {state} bytes; second plan "
               f"{'empty' if again.returncode == 0 else 'NOT empty (exit %d)' % again.returncode}.")
    res.append(f"- Growing its synchrotron pool from 4 to 6: {len(p.stdout.splitlines())} plan lines, {rt} of them in the "
               f"routing table's block; per resource: " + ", ".join(f"{k} {len(v)}" for k, v in b.items()) + ".")
    if os.environ.get("KEEP"):
        with open(os.path.join(d, "grow.plan.txt"), "w") as f:
            f.write(p.stdout)
    return res


def write_section(path, report):
    marker = "<!-- Everything below is written by `make bench-docs` (scripts/bench-plan.py). -->"
    head = ""
    if os.path.exists(path):
        text = open(path).read()
        head = (text.split(marker, 1)[0] if marker in text else text).rstrip("\n") + "\n\n"
    with open(path, "w") as f:
        f.write(head + marker + "\n\n## Plan time, plan size and state (scripts/bench-plan.py)\n\n" + report)


if __name__ == "__main__":
    main()
