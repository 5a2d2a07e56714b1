"""Load benchmark: every main page against a trivial view, through the same stack.

    python bench/run.py [--seed] [--duration 10] [--connections 8] [--scale 1.0]

Seeds (once, or again with --seed) a large data set into the PostgreSQL database
``cop_bench`` (see bench/seed.py), serves the site with gunicorn (2 sync workers,
production settings, persistent database connections, Redis cache), and drives each
page with wrk at 8 connections, anonymous and logged in. For each page it reports
the SQL queries one request makes, requests per second, the share of the trivial
view's throughput, and p50/p99 latency; then EXPLAIN ANALYZE of the list queries.
The table is printed and written to bench/results/latest.md.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "cop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PYTHON = sys.executable

BENCH_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "bench-only-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "REDIS_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "bench",
    "SECURE_SSL_REDIRECT": "false",
    "DB_CONN_MAX_AGE": "600",
    "LOG_LEVEL": "ERROR",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "BENCH_ENDPOINTS": "true",  # mounts /bench/ok, the no-work baseline (off on any real site)
}


def env():
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}}
    return {**base, **BENCH_ENV}


def run(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env(), check=True, **kwargs)


def database_exists():
    out = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def seeded():
    if not database_exists():
        return False
    out = subprocess.run(
        ["psql", f"{PG}/{DB_NAME}", "-tAc", "SELECT value FROM bench_meta WHERE key='seeded'"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "yes"


def seed(scale):
    if database_exists():
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", DB_NAME], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0")
    run(PYTHON, "bench/seed.py", "--scale", str(scale))


def free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_gunicorn(*extra_args):
    """gunicorn as the benchmark serves the site (with gunicorn.conf.py); ``extra_args`` go last."""
    if not free(PORT):
        sys.exit(f"port {PORT} is busy; set BENCH_PORT")
    command = [PYTHON, "-m", "gunicorn", "cop_site.wsgi:application", "-b", f"127.0.0.1:{PORT}", "-w", "2"]
    process = subprocess.Popen(
        [*command, "-k", "sync", *extra_args],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            return process
        except OSError:
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGTERM)
                sys.exit("gunicorn did not start")
            time.sleep(0.5)


LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(path, cookie, duration, connections):
    url = f"http://127.0.0.1:{PORT}{path}"
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    warm = ["wrk", "-t2", f"-c{connections}", "-d2s", "--timeout", "30s", *headers, url]
    subprocess.run(warm, capture_output=True, check=True)
    # A long timeout so slow pages are measured, not dropped as socket errors.
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", *headers, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return _parse(out)


HITS = re.compile(r"page-cache hits (\d+) misses (\d+)")


def wrk_script(source, duration, connections):
    """wrk driven by a Lua script (bench/mixes.py): the numbers of ``wrk()``, and the page cache's hits and misses."""
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / "mix.lua"
    path.write_text(source)
    url = f"http://127.0.0.1:{PORT}/"
    warm = ["wrk", "-t2", f"-c{connections}", "-d2s", "--timeout", "30s", "-s", str(path), url]
    subprocess.run(warm, capture_output=True, check=True)
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", "-s", str(path), url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = _parse(out)
    hits = HITS.search(out)
    result["hits"], result["misses"] = (int(hits.group(1)), int(hits.group(2))) if hits else (0, 0)
    return result


def _parse(out):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    count = int(errors.group(1)) if errors else 0
    count += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return {"rps": rps, "p50": latency.get("50") or 0.0, "p99": latency.get("99") or 0.0, "errors": count}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", action="store_true", help="drop and seed the benchmark database again")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set to seed")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="turn the whole-page cache off: what computing each page costs"
    )
    args = parser.parse_args()
    BENCH_ENV["PAGE_CACHE_SECONDS"] = "0" if args.no_page_cache else os.environ.get("PAGE_CACHE_SECONDS", "60")

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")
    if args.seed or not seeded():
        started = time.monotonic()
        seed(args.scale)
        print(f"seeded in {time.monotonic() - started:.0f} s")
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0")

    os.environ.update(BENCH_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    import django

    django.setup()
    from bench.mixes import anonymous_mix_script, member_mix_script
    from bench.pages import bench_pages, explain_list_queries, member_session_cookie, queries_for

    cookie = member_session_cookie()
    pages = [p for p in bench_pages() if args.only in p["name"]]
    for page in pages:
        page["queries"] = queries_for(page["path"], logged_in=page["auth"])

    mixes = []
    member_script, n_members, n_requests = member_mix_script()
    anonymous_script, n_urls, anonymous_urls = anonymous_mix_script()
    for name, auth, script, warm in (
        (f"member mix ({n_members} members, {n_requests} pages in turn)", True, member_script, ()),
        # Cold: the run starts on an empty page cache, so each URL's first request is a miss.
        (f"anonymous mix ({n_urls} URLs at random)", False, anonymous_script, ()),
        # Warm: every URL asked once first, as on a site whose visitors came by in the last minute.
        (f"anonymous mix, warm (after one pass over its {n_urls} URLs)", False, anonymous_script, anonymous_urls),
    ):
        if args.only in name:
            mixes.append(
                {"name": name, "path": "", "auth": auth, "queries": ("mixed", "mixed"), "script": script, "warm": warm}
            )

    load_start = os.getloadavg()
    gunicorn = start_gunicorn()
    rows = []
    try:
        baseline = wrk("/bench/ok", "", args.duration, args.connections)
        rows.append({"name": "trivial view (ok)", "path": "/bench/ok", "auth": False, "queries": (0, 0), **baseline})
        for page in pages:
            result = wrk(page["path"], cookie if page["auth"] else "", args.duration, args.connections)
            rows.append({**page, **result})
        for mix in mixes:
            for path in mix["warm"]:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()
            rows.append({**mix, **wrk_script(mix["script"], args.duration, args.connections)})
        again = wrk("/bench/ok", "", args.duration, args.connections)
        load_end = os.getloadavg()
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    # The share is against the trivial view measured at the start and the end of the
    # run; if the end is far off (the server was still busy), trust the start only.
    trivial_rps = (baseline["rps"] + again["rps"]) / 2 if again["rps"] > baseline["rps"] / 2 else baseline["rps"]

    loads = [" ".join(f"{n:.2f}" for n in load) for load in (load_start, load_end)]
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} cores, load average (1, 5, 15 min) "
        f"{loads[0]} at the start, {loads[1]} at the end.",
        f"Trivial view: {baseline['rps']:.0f} and {again['rps']:.0f} req/s (start, end of run); "
        f"{args.connections} connections, {args.duration} s per page, gunicorn 2 sync workers, "
        f"whole-page cache {'off' if BENCH_ENV['PAGE_CACHE_SECONDS'] == '0' else 'on'}.",
        "",
        "| page | who | queries (computed / cached) | req/s | share of trivial | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        share = row["rps"] / trivial_rps * 100
        who = "member" if row["auth"] else "anonymous"
        lines.append(
            f"| {row['name']} | {who} | {row['queries'][0]} / {row['queries'][1]} | {row['rps']:.0f} | {share:.1f}% "
            f"| {row['p50']:.1f} | {row['p99']:.1f} | {row['errors']} |"
        )
    for row in rows:
        if "hits" in row and row["hits"] + row["misses"]:
            answered = row["hits"] + row["misses"]
            lines.append(
                f"\n{row['name']}: whole-page cache hit rate {row['hits'] / answered * 100:.1f}% "
                f"({row['hits']:,} hits of {answered:,} cacheable answers)."
            )
    lines += ["", "EXPLAIN ANALYZE of the list queries:", ""]
    lines += explain_list_queries()
    report = "\n".join(lines)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
