#!/usr/bin/env python3
"""Emulates the load-time checks of Synapse 1.157.1's config loader on the files each host of an
example receives. Called by scripts/test-modules.sh with an example name and its plan JSON.

This is OUR EMULATION of the loader's rules, not Synapse itself: Synapse cannot be installed on
this machine (no PyPI, and Debian's pydantic is 1.x while Synapse 1.157 needs 2.x), so
`python -m synapse.app.generic_worker --config-path <shared> [--config-path <secrets>] --config-path <worker>` is not run.
What it does, per process of each host:
  - takes the --config-path files of the process's real command line (systemd ExecStart, the
    container entrypoint, or the example's commands output), each of which must be among the
    host's files (Synapse: "Error accessing file");
  - parses each with yaml.safe_load and shallow-merges them in order (Synapse's rule: a later
    file's top-level key replaces the earlier one);
  - asserts what the loader needs at load time, with types: server_name str, report_stats bool,
    database.name psycopg2 (workers share PostgreSQL), instance_map.main {host str, port int},
    signing_key_path and media_store_path str, redis.enabled true; for workers worker_app,
    worker_name (= the process), worker_listeners list, worker_log_config among the host's files;
    for main a listeners list with an http listener serving client, a replication listener on
    instance_map.main's port, and log_config among the host's files when set; and
    worker_replication_secret_path among the host's files when set.
It does not check the signing key and the media store directory: the operator provisions them
(see the examples' homeserver.yaml). Prints PASS/FAIL lines; exit status 1 on any failure.
"""
import json
import os
import re
import shlex
import sys

import yaml

example, plan_path = sys.argv[1], sys.argv[2]
secret = os.environ.get("TF_VAR_replication_secret")
plan = json.load(open(plan_path))
outs = {k: v.get("value") for k, v in plan.get("planned_values", {}).get("outputs", {}).items()}
changes = [rc for rc in plan.get("resource_changes", []) if "delete" not in rc["change"]["actions"] or "create" in rc["change"]["actions"]]


def resources(rtype, name=None):
    return [rc for rc in changes if rc["type"] == rtype and (name is None or rc["name"] == name)]


def exec_start(unit):
    for line in unit.splitlines():
        if line.startswith("ExecStart="):
            return line[len("ExecStart="):]
    raise ValueError("unit has no ExecStart")


# host -> {"files": {path: content}, "commands": {process: command line}}
hosts = {}
if example == "vm-fleet":
    for h, text in outs["user_data"].items():
        files = {f["path"]: f["content"] for f in yaml.safe_load(text).get("write_files", [])}
        cmds = {}
        main_unit = files.get("/etc/systemd/system/matrix-synapse.service")
        if main_unit:
            cmds["main"] = exec_start(main_unit)
        tmpl = files.get("/etc/systemd/system/matrix-synapse-worker@.service")
        for w in outs["workers_by_host"].get(h, []):
            cmds[w] = exec_start(tmpl).replace("%i", w)
        hosts[h] = {"files": files, "commands": cmds}
elif example == "docker-hosts":
    # Each container is its own filesystem: what it gets is what its upload blocks hold.
    for rc in resources("docker_container", "synapse"):
        a = rc["change"]["after"]
        hosts[rc["address"]] = {
            "files": {u["file"]: u["content"] for u in a["upload"]},
            "commands": {rc["index"]: " ".join(a["entrypoint"])},
        }
elif example == "fleet-with-proxy":
    for rc in resources("local_file") + resources("local_sensitive_file"):
        a = rc["change"]["after"]
        m = re.search(r"out/hosts/([^/]+)(/.*)$", a["filename"])
        if m:
            hosts.setdefault(m.group(1), {"files": {}, "commands": {}})["files"][m.group(2)] = a["content"]
    for h, cmds in outs["commands_by_host"].items():
        hosts.setdefault(h, {"files": {}, "commands": {}})["commands"] = cmds
elif example == "quickstart":
    by_name = {rc["change"]["after"]["filename"]: rc["change"]["after"]["content"] for rc in resources("local_file")}
    hosts["localhost"] = {
        "files": {p: by_name[f] for p, f in outs["install_paths"].items()},
        "commands": outs["commands"],
    }
else:
    sys.exit(f"loader-check: unknown example {example}")

failed = 0


def config_paths(cmd):
    toks, paths = shlex.split(cmd), []
    for i, t in enumerate(toks):
        if t == "--config-path":
            paths.append(toks[i + 1])
        elif t.startswith("--config-path="):
            paths.append(t.split("=", 1)[1])
    return paths


def check_process(host, files, proc, cmd):
    errs = []
    worker = "synapse.app.generic_worker" in cmd
    if not worker and "synapse.app.homeserver" not in cmd:
        return [f"{proc}: command runs neither generic_worker nor homeserver: {cmd}"]
    paths = config_paths(cmd)
    # shared [+ secret config file, the fleet module's homeserver-secrets.yaml] [+ worker]
    base = 2 if worker else 1
    if len(paths) not in (base, base + 1) or (len(paths) == base + 1 and not paths[1].endswith("/homeserver-secrets.yaml")):
        errs.append(f"{proc}: expected {'shared [+ secrets] + worker' if worker else 'the shared [+ secrets]'} --config-path, got {paths}")
    merged = {}
    for p in paths:
        if p not in files:
            errs.append(f"{proc}: Error accessing file {p} (not among the host's files)")
            continue
        doc = yaml.safe_load(files[p])
        if not isinstance(doc, dict):
            errs.append(f"{proc}: {p} is not a YAML mapping")
            continue
        merged.update(doc)  # Synapse merges config files shallowly, in order
    if errs:
        return errs

    def need(key, typ, what=None):
        v = merged.get(key)
        if not isinstance(v, typ) or (typ is str and not v):
            errs.append(f"{proc}: {key} must be {what or typ.__name__}, got {v!r}")
            return None
        return v

    need("server_name", str)
    if not isinstance(merged.get("report_stats"), bool):
        errs.append(f"{proc}: report_stats must be true or false, got {merged.get('report_stats')!r}")
    db = need("database", dict, "a mapping")
    if db is not None and db.get("name") != "psycopg2":
        errs.append(f"{proc}: database.name must be psycopg2 (workers share PostgreSQL), got {db.get('name')!r}")
    need("signing_key_path", str)
    need("media_store_path", str)
    im = need("instance_map", dict, "a mapping")
    main = (im or {}).get("main")
    if im is not None and not (isinstance(main, dict) and isinstance(main.get("host"), str) and isinstance(main.get("port"), int) and not isinstance(main.get("port"), bool)):
        errs.append(f"{proc}: instance_map.main must be {{host: str, port: int}}, got {main!r}")
    redis = merged.get("redis")
    if not (isinstance(redis, dict) and redis.get("enabled") is True):
        errs.append(f"{proc}: redis.enabled must be true (workers replicate through Redis), got {redis!r}")
    sp = merged.get("worker_replication_secret_path")
    if sp is not None:
        if sp not in files:
            errs.append(f"{proc}: worker_replication_secret_path {sp} is not among the host's files (Error accessing file)")
        elif secret is not None and files[sp] != secret:
            errs.append(f"{proc}: {sp} does not hold the replication secret given")
    if worker:
        if merged.get("worker_app") not in ("synapse.app.generic_worker", "generic_worker"):
            errs.append(f"{proc}: worker_app must be synapse.app.generic_worker, got {merged.get('worker_app')!r}")
        if merged.get("worker_name") != proc:
            errs.append(f"{proc}: worker_name must be {proc!r}, got {merged.get('worker_name')!r}")
        need("worker_listeners", list, "a list")
        lc = merged.get("worker_log_config")
        if lc is not None and lc not in files:
            errs.append(f"{proc}: worker_log_config {lc} is not among the host's files")
        elif lc is not None and not isinstance(yaml.safe_load(files[lc]), dict):
            errs.append(f"{proc}: worker_log_config {lc} is not a logging dictConfig mapping")
    else:
        ls = need("listeners", list, "a list") or []
        if not any(l.get("type") == "http" and any("client" in r.get("names", []) for r in l.get("resources", [])) for l in ls if isinstance(l, dict)):
            errs.append(f"{proc}: listeners has no http listener serving client")
        if isinstance(main, dict) and not any(l.get("port") == main.get("port") and any("replication" in r.get("names", []) for r in l.get("resources", [])) for l in ls if isinstance(l, dict)):
            errs.append(f"{proc}: no replication listener on instance_map.main's port {main.get('port')}")
        lc = merged.get("log_config")
        if lc is not None and lc not in files:
            errs.append(f"{proc}: log_config {lc} is not among the host's files")
    return errs


checked = 0
for h in sorted(hosts):
    files, cmds = hosts[h]["files"], hosts[h]["commands"]
    errs = []
    if secret:
        leaks = [p for p, c in files.items() if secret in c and not p.endswith("replication.secret")]
        errs += [f"the replication secret appears inside {p}" for p in leaks]
    for proc in sorted(cmds):
        errs += check_process(h, files, proc, cmds[proc])
    if not cmds:
        continue  # a proxy-only host runs no Synapse process
    checked += 1
    if errs:
        failed += 1
        print(f"FAIL  loader emulation: {example} {h}")
        for e in errs:
            print(f"      {e}")
    else:
        print(f"PASS  loader emulation: {example} {h}: {len(cmds)} process(es) ({', '.join(sorted(cmds))}) load with the host's {len(files)} files")
if checked == 0:
    print(f"FAIL  loader emulation: {example}: no Synapse process found in the plan")
    failed += 1
sys.exit(1 if failed else 0)
