"""`python -m bench.run --profile M` (what `make bench` runs): one bench run, end to end.
(`python -m bench.run --profile S --fanout-only` measures only the fan-out; see bench/README.md.)

1. Fresh databases (sw_bench for Streetwave, sw_control for the control site) on the machine's
   PostgreSQL, Redis databases 8 (cache, rate limits) and 9 (broker), production-like settings
   with keys made for this run.
2. Seed the profile through COPY and check that every counter equals a recount.
3. Serve Streetwave and the control site with the same gunicorn configuration and worker count.
4. Ceilings, Streetwave's scenarios, then the ceilings again: a ratio is taken to the higher of
   the two ceiling passes, so noise from other work on the machine during one pass cannot make
   Streetwave look better than it is.
5. Write bench/results/latest.json and latest.md; stop the servers, drop the databases, empty
   the Redis databases, also when something failed.

One Celery worker process runs beside the web scenarios, on the queue "live" only: it rebuilds
the tally and map documents that readers find old, as in production (core.cache). The
manage-link mails stay queued in the default queue, and the run checks that there is exactly one
queued task per RSVP answer that said a mail is on its way; mailing them would take CPU from the
web workers being measured. (The fan-out starts its own worker on the queue "bulk", after the
web scenarios.)
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis

from . import profiling, report
from .servers import (
    PG,
    ROOT,
    Processes,
    empty_redis,
    free_port,
    nginx_static_server,
    production_env,
    recreate_databases,
    start_gunicorn,
    start_nginx,
    start_worker,
    wait_for_http,
)
from .servers import workers_memory as measure_workers

REDIS_CACHE = "redis://127.0.0.1:6379/8"
REDIS_BROKER = "redis://127.0.0.1:6379/9"
DATABASES = ["sw_bench", "sw_control"]
# gunicorn's rule of thumb (deploy/gunicorn.conf.py), for Streetwave and the control alike.
WORKERS = 2 * (os.cpu_count() or 1) + 1
SEED_LIMIT_S = 60.0
LIVE_QUEUE = "live"


def machine_facts() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    settings = (
        "shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
        "max_connections", "synchronous_commit", "fsync", "wal_level", "max_wal_size",
        "checkpoint_timeout", "random_page_cost",
    )  # fmt: skip
    with psycopg.connect(f"{PG}/postgres") as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        values = dict(
            conn.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
                [list(settings)],
            ).fetchall()
        )
    import django
    import gunicorn

    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgresql": version,
        "postgresql_settings": values,
        "redis": redis.Redis.from_url(REDIS_CACHE).info("server")["redis_version"],
        "web_workers": WORKERS,
        "commit": _git("rev-parse", "--short", "HEAD")
        + (" with uncommitted changes" if _git("status", "--porcelain") else ""),
    }


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603 read-only git queries
        ["/usr/bin/git", *args], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()


def bench(profile_name: str, var_dir: Path) -> dict:
    started = time.monotonic()
    results: dict = {
        "profile": profile_name,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
    }
    streetwave_port, control_port, control_rsvp_port = free_port(), free_port(), free_port()
    env = production_env(
        database_url=f"{PG}/sw_bench",
        redis_url=REDIS_CACHE,
        broker_url=REDIS_BROKER,
        var_dir=var_dir,
        site_url=f"http://127.0.0.1:{streetwave_port}",
        CONTROL_DATABASE_URL=f"{PG}/sw_control",
        # Every request comes from 127.0.0.1: the per-address limit would stop the bench.
        RSVP_RATE_LIMIT=str(10**9),
    )
    # This process seeds and checks the database with the very keys the servers use.
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetwave.settings"
    import django
    from django.core.management import call_command

    django.setup()
    from . import scenarios
    from .seed import PROFILES, seed, verify_counters

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0", "--settings=bench.control.settings"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    print(f"seeding profile {profile_name} ...", flush=True)
    seeded = seed(PROFILES[profile_name])
    results["seed"] = {
        "hubs": seeded.hubs,
        "actions": seeded.actions,
        "rsvps": seeded.rsvps,
        "timings_s": {name: round(value, 1) for name, value in seeded.timings.items()},
        "rsvps_within_limit": seeded.timings["rsvps_s"] <= SEED_LIMIT_S,
        "limit_s": SEED_LIMIT_S,
        "counters": verify_counters(seeded.campaign),
    }
    print(f"seeded: {results['seed']}", flush=True)

    with Processes(var_dir / "logs") as processes:
        control = start_gunicorn(
            processes, "control-web", "bench.control.wsgi", control_port, env, WORKERS
        )
        # The RSVP's transaction without the framework, on Streetwave's own database.
        control_rsvp = start_gunicorn(
            processes, "control-rsvp", "bench.control.rsvp", control_rsvp_port, env, WORKERS
        )
        web = start_gunicorn(
            processes, "streetwave-web", "streetwave.wsgi", streetwave_port, env, WORKERS
        )
        start_worker(processes, "live-worker", env, concurrency=1, queues=LIVE_QUEUE)
        wait_for_http(f"http://127.0.0.1:{control_port}/nodb", control)
        wait_for_http(f"http://127.0.0.1:{streetwave_port}/healthz", web)
        site = scenarios.Site(
            streetwave_port,
            control_port,
            seeded.campaign,
            run_id=str(os.getpid()),
            control_rsvp_port=control_rsvp_port,
            **start_proxy(processes, streetwave_port, var_dir),
        )
        scenarios.warm_up(site)
        results["memory"] = {"before": measure_workers(web.pid)}
        results["ceilings"], results["scenarios"] = run_scenarios(site, scenarios)
        results["profiles"] = profile(
            site, (web.pid, control.pid, control_rsvp.pid), results, var_dir / "logs"
        )
        results["memory"]["after"] = measure_workers(web.pid)
        results["checks"] = {
            "counters": verify_counters(seeded.campaign),
            "queued_manage_link_tasks": scenarios.broker_queue_length(REDIS_BROKER),
            "answers_that_promised_a_mail": sum(
                count for (_status, emailed), count in site.rsvp_answers.items() if emailed
            ),
            "rsvp_answers_by_status": {
                status: sum(c for (s, _e), c in site.rsvp_answers.items() if s == status)
                for status in sorted({status for status, _emailed in site.rsvp_answers})
            },
        }
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["duration_s"] = round(time.monotonic() - started, 1)
    return results


def start_proxy(processes: Processes, streetwave_port: int, var_dir: Path) -> dict:
    """nginx with deploy/nginx.conf in front of Streetwave, and in the same nginx the static
    files of the read ceiling; returns what scenarios.Site needs to know of them."""
    proxy_port, ceiling_port = free_port(), free_port()
    ceiling_root = var_dir / "proxy-ceiling"
    ceiling_root.mkdir(parents=True, exist_ok=True)
    proxy = start_nginx(
        processes,
        "nginx",
        port=proxy_port,
        web=f"127.0.0.1:{streetwave_port}",
        static=var_dir / "static",
        extra=nginx_static_server(ceiling_port, ceiling_root, processes.log_dir),
    )
    wait_for_http(f"http://127.0.0.1:{proxy_port}/healthz", proxy)
    return {"proxy_port": proxy_port, "ceiling_port": ceiling_port, "ceiling_root": ceiling_root}


def run_scenarios(site, scenarios) -> tuple[dict, dict]:
    def progress(name: str, value) -> None:
        best = value.best if hasattr(value, "best") else None
        rate = f"{best.result.achieved_rate:.0f}/s" if best else ""
        print(f"{name}: {rate} {getattr(value, 'summary', lambda: value)()!s:.300}", flush=True)

    ceilings: dict = {
        "pgbench_insert": [],
        "control_insert": [],
        "control_nodb": [],
        "control_rsvp": [],
    }
    ceilings["pgbench_insert"].append(scenarios.pgbench_insert("sw_control"))
    progress("pgbench", ceilings["pgbench_insert"][-1])
    insert = scenarios.control_insert(site, start=100)
    progress("control insert", insert)
    nodb = scenarios.control_nodb(site, start=200)
    progress("control no-db", nodb)
    insert_best, nodb_best = best_rate(insert), best_rate(nodb)
    ceilings["control_rsvp"].append(scenarios.control_rsvp(site, start=max(10, insert_best * 0.3)))
    progress("control rsvp", ceilings["control_rsvp"][-1]["search"])

    found: dict = {}
    found["rsvp_uniform"] = scenarios.rsvp_uniform(site, start=max(10, insert_best * 0.3))
    progress("rsvp uniform", found["rsvp_uniform"]["search"])
    uniform_best = best_rate(found["rsvp_uniform"]["search"])
    found["hot_action"] = scenarios.hot_action(site, start=max(10, uniform_best * 0.8))
    progress("hot action", found["hot_action"]["search"])
    found["duplicate_clicks"] = scenarios.duplicate_clicks(site, rate=max(10, uniform_best * 0.5))
    progress("duplicate clicks", found["duplicate_clicks"])
    background = max(1.0, uniform_best * scenarios.BACKGROUND_RSVP_SHARE)
    found["reads_tally"] = scenarios.reads(
        site, "tally", start=max(20, nodb_best * 0.3), background_rate=background
    )
    progress("tally reads", found["reads_tally"]["search"])
    found["reads_tally_fragment"] = scenarios.reads(
        site, "tally_fragment", start=max(20, nodb_best * 0.3), background_rate=background
    )
    progress("tally fragment reads", found["reads_tally_fragment"]["search"])
    if scenarios.map_available(site):
        found["reads_map"] = scenarios.reads(
            site, "map", start=max(5, nodb_best * 0.1), background_rate=background
        )
        progress("map reads", found["reads_map"]["search"])
    else:
        found["reads_map"] = {"status": "map.json did not answer 200; the tally API stood in"}
    ceilings["proxy_static"], found["reads_through_proxy"] = scenarios.proxy_reads(site, background)
    progress("reads through nginx", _proxy_summary(found["reads_through_proxy"]))
    found["map_build_s"] = scenarios.map_build_seconds(site)
    found["fanout"] = scenarios.fanout_hook(site)

    ceilings["control_insert"] = [insert, scenarios.control_insert(site, start=insert_best * 0.8)]
    progress("control insert again", ceilings["control_insert"][-1])
    ceilings["control_nodb"] = [nodb, scenarios.control_nodb(site, start=nodb_best * 0.8)]
    progress("control no-db again", ceilings["control_nodb"][-1])
    rsvp_best = best_rate(ceilings["control_rsvp"][0]["search"])
    ceilings["control_rsvp"].append(scenarios.control_rsvp(site, start=max(10, rsvp_best * 0.8)))
    progress("control rsvp again", ceilings["control_rsvp"][-1]["search"])
    ceilings["pgbench_insert"].append(scenarios.pgbench_insert("sw_control"))
    return ceilings, found


def profile(site, pids: tuple[int, int, int], results: dict, folder: Path) -> dict:
    """py-spy profiles of the RSVP path, of the tally read and of the control insert view,
    each at half its own ceiling: busy, yet short of the queueing that would blur them; and of
    the RSVP's bare transaction at the RSVP's own rate, so that their CPU per request compare."""
    if not profiling.available():
        return {"status": "py-spy is not installed"}
    from .loadgen import Request
    from .scenarios import BROWSER_HEADERS

    found = results["scenarios"]
    actions = site.open_actions()
    slug = site.campaign.slug
    web_pid, control_pid, control_rsvp_pid = pids
    insert = {"payload": "one row"}
    rsvp_rate = max(5.0, best_rate(found["rsvp_uniform"]["search"]) * 0.5)

    def rsvps(pid: int, name: str, **options) -> dict:
        """The same RSVPs at the same rate, answered by the server of `pid`."""
        return profiling.profile(
            site,
            pid,
            folder / f"{name}.folded",
            lambda _i: site.rsvp(site.rng.choice(actions)),
            rate=rsvp_rate,
            database="sw_bench",
            **options,
        )

    return {
        "rsvp": rsvps(web_pid, "rsvp", on_response=site.count_rsvp_answer),
        "control_rsvp": rsvps(control_rsvp_pid, "control-rsvp", port=site.control_rsvp_port),
        "tally": profiling.profile(
            site,
            web_pid,
            folder / "tally.folded",
            lambda _i: Request("GET", f"/api/v1/campaigns/{slug}/tally", headers=BROWSER_HEADERS),
            rate=max(5.0, best_rate(found["reads_tally"]["search"]) * 0.5),
            database="sw_bench",
        ),
        "control_insert": profiling.profile(
            site,
            control_pid,
            folder / "control-insert.folded",
            lambda _i: Request.json("POST", "/insert", insert),
            rate=max(5.0, best_rate(results["ceilings"]["control_insert"][0]) * 0.5),
            database="sw_control",
            port=site.control_port,
        ),
    }


def fanout_only(
    profile_name: str, var_dir: Path, *, database: str, redis_cache: str, redis_broker: str
) -> dict:
    """Only the fan-out, on a fresh database of its own seeded with `profile_name`: what
    `--fanout-only` runs, a few minutes with profile S."""
    env = production_env(
        database_url=f"{PG}/{database}",
        redis_url=redis_cache,
        broker_url=redis_broker,
        var_dir=var_dir,
        site_url="http://127.0.0.1:8000",
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetwave.settings"
    import django
    from django.core.management import call_command

    django.setup()
    from . import scenarios
    from .seed import PROFILES, seed

    call_command("migrate", verbosity=0)
    print(f"seeding profile {profile_name} ...", flush=True)
    seeded = seed(PROFILES[profile_name])
    site = scenarios.Site(0, 0, seeded.campaign, run_id=str(os.getpid()))
    return {
        "profile": profile_name,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "fanout": scenarios.fanout_hook(site),
        "load_average_at_end": os.getloadavg(),
    }


def proxy_only(
    profile_name: str,
    var_dir: Path,
    *,
    database: str,
    redis_cache: str,
    redis_broker: str,
    background_rate: float,
) -> dict:
    """Only the reads through nginx, on a fresh database of its own seeded with
    `profile_name`: what `--proxy-only` runs, about ten minutes with profile S."""
    port = free_port()
    env = production_env(
        database_url=f"{PG}/{database}",
        redis_url=redis_cache,
        broker_url=redis_broker,
        var_dir=var_dir,
        site_url=f"http://127.0.0.1:{port}",
        RSVP_RATE_LIMIT=str(10**9),
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetwave.settings"
    import django
    from django.core.management import call_command

    django.setup()
    from . import scenarios
    from .seed import PROFILES, seed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"seeding profile {profile_name} ...", flush=True)
    seeded = seed(PROFILES[profile_name])
    results: dict = {
        "profile": profile_name,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "web_workers": WORKERS,
    }
    with Processes(var_dir / "logs") as processes:
        web = start_gunicorn(processes, "streetwave-web", "streetwave.wsgi", port, env, WORKERS)
        start_worker(processes, "live-worker", env, concurrency=1, queues=LIVE_QUEUE)
        wait_for_http(f"http://127.0.0.1:{port}/healthz", web)
        site = scenarios.Site(
            port,
            0,
            seeded.campaign,
            run_id=str(os.getpid()),
            **start_proxy(processes, port, var_dir),
        )
        scenarios.warm_up(site)
        ceilings, found = scenarios.proxy_reads(site, background_rate)
    results["ceilings"] = {"proxy_static": ceilings}
    results["scenarios"] = {"reads_through_proxy": found}
    results["machine"]["load_average_at_end"] = os.getloadavg()
    return results


def _proxy_summary(found: dict) -> str:
    return ", ".join(f"{kind} {best_rate(read['search']):.0f}/s" for kind, read in found.items())


def best_rate(search) -> float:
    best = search.best
    return best.result.achieved_rate if best else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("S", "M"), default="M")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--fanout-only",
        action="store_true",
        help="measure only the fan-out, on its own database (sw_bench_fanout) seeded with the "
        "profile; writes fanout.json",
    )
    parser.add_argument(
        "--proxy-only",
        action="store_true",
        help="measure only the reads through nginx and their ceiling, on their own database "
        "(sw_bench_proxy) seeded with the profile; writes proxy.json and proxy.md",
    )
    parser.add_argument(
        "--background-rsvps",
        type=float,
        default=20.0,
        help="with --proxy-only: RSVPs a second during the reads",
    )
    parser.add_argument("--redis-cache", default=REDIS_CACHE, help="with --*-only")
    parser.add_argument("--redis-broker", default=REDIS_BROKER, help="with --*-only")
    options = parser.parse_args()
    if options.fanout_only:
        return main_fanout_only(options)
    if options.proxy_only:
        return main_proxy_only(options)
    recreate_databases(DATABASES)
    empty_redis(REDIS_CACHE, REDIS_BROKER)
    try:
        results = bench(options.profile, options.var_dir)
    finally:
        if not options.keep:
            recreate_databases(DATABASES, drop_only=True)
            empty_redis(REDIS_CACHE, REDIS_BROKER)
    options.results.mkdir(parents=True, exist_ok=True)
    serializable = report.plain(results)
    serializable["goals"] = report.goals(serializable)
    (options.results / "latest.json").write_text(json.dumps(serializable, indent=2) + "\n")
    (options.results / "latest.md").write_text(report.markdown(serializable))
    print((options.results / "latest.md").read_text())
    return 0


def main_fanout_only(options) -> int:
    database = "sw_bench_fanout"
    recreate_databases([database])
    empty_redis(options.redis_cache, options.redis_broker)
    try:
        results = fanout_only(
            options.profile,
            options.var_dir,
            database=database,
            redis_cache=options.redis_cache,
            redis_broker=options.redis_broker,
        )
    finally:
        if not options.keep:
            recreate_databases([database], drop_only=True)
            empty_redis(options.redis_cache, options.redis_broker)
    options.results.mkdir(parents=True, exist_ok=True)
    (options.results / "fanout.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["fanout"], indent=2))
    return 0


def main_proxy_only(options) -> int:
    database = "sw_bench_proxy"
    recreate_databases([database])
    empty_redis(options.redis_cache, options.redis_broker)
    try:
        results = proxy_only(
            options.profile,
            options.var_dir,
            database=database,
            redis_cache=options.redis_cache,
            redis_broker=options.redis_broker,
            background_rate=options.background_rsvps,
        )
    finally:
        if not options.keep:
            recreate_databases([database], drop_only=True)
            empty_redis(options.redis_cache, options.redis_broker)
    options.results.mkdir(parents=True, exist_ok=True)
    serializable = report.plain(results)
    serializable["goals"] = report.proxy_goals(serializable)
    (options.results / "proxy.json").write_text(json.dumps(serializable, indent=2) + "\n")
    (options.results / "proxy.md").write_text(report.proxy_markdown(serializable))
    print((options.results / "proxy.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
