"""Where a web worker's memory goes (issue 19): RSS of a gunicorn worker after load, and tracemalloc by package.

    .venv/bin/python bench/memory.py [--requests 300] [--no-preload] [--workers-only]

Uses the load benchmark's database and settings (bench/run.py: BENCH_DB, BENCH_REDIS_URL,
BENCH_PORT). Starts gunicorn as the load benchmark does (2 sync workers, production
settings), sends ``--requests`` requests over the benchmark's pages as the member and
anonymously, and prints each worker's memory before and after, from /proc/PID/smaps_rollup:

- RSS: every page the worker has in RAM, its own and those it shares (libraries, and with
  ``--preload`` what the master loaded before forking); the figure issue 19 asks about;
- PSS: its own pages plus its share of each shared page (a page two processes map counts half);
  the workers' PSS add up to what they cost the machine together;
- USS: its own pages only (private clean and dirty), what the machine gets back when it exits.

The anonymous part of the RSS is the process's heap (Python's objects, the allocator's slack);
the rest is files mapped in, mostly shared libraries.

gunicorn reads gunicorn.conf.py, which preloads the application: the master loads it once and
the workers fork from it (cop_site/wsgi.py's gc.freeze() runs before the fork), so the master's
memory is printed too. ``--no-preload`` starts gunicorn without that file: each worker loads the
application by itself. ``--workers-only`` skips the tracemalloc part. Then, unless
``--workers-only``, in this process, it imports and sets up Django the same way under ``tracemalloc``, renders
the same pages once, and prints the memory still allocated, grouped by top-level package
(what importing and warming each library costs), and the total.
"""

import argparse
import importlib
import os
import signal
import sys
import time
import tracemalloc
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def memory_kib(pid):
    """RSS (and its anonymous part), PSS and USS of a process, in KiB (see the module's docstring)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        fields[name] = int(value.split()[0])
    return {
        "RSS": fields["Rss"],
        "of it anonymous": fields["Anonymous"],
        "PSS": fields["Pss"],
        "USS": fields["Private_Clean"] + fields["Private_Dirty"],
    }


def shown(kib):
    return " / ".join(f"{name} {value / 1024:.1f}" for name, value in kib.items()) + " MiB"


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def package_of(filename):
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    try:
        return "project: " + path.relative_to(ROOT).parts[0]
    except ValueError:
        return "python stdlib" if "python3" in filename else filename


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--no-preload", action="store_true", help="without gunicorn.conf.py: each worker loads the app")
    parser.add_argument("--workers-only", action="store_true", help="only the gunicorn workers, no tracemalloc")
    args = parser.parse_args()
    from bench import run

    os.environ.update(run.BENCH_ENV)
    run.run(run.PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0")  # the manifest production reads
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    if args.workers_only:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
        django.setup()
        from bench.pages import bench_pages, member_session_cookie

        pages, cookie = bench_pages(), member_session_cookie()
    else:
        pages, cookie = in_process()
    serve(args, pages, cookie)


def in_process():
    """Django set up and every page rendered once under tracemalloc; returns the pages and the member's cookie."""
    code_of = Counter()
    loader = importlib._bootstrap_external.SourceLoader  # type: ignore[attr-defined]
    get_code = loader.get_code

    def counted_get_code(self, fullname):
        # Code objects are unmarshalled inside the import machinery: charge them to the module's package.
        before = tracemalloc.get_traced_memory()[0]
        code = get_code(self, fullname)
        code_of[fullname.split(".")[0]] += tracemalloc.get_traced_memory()[0] - before
        return code

    loader.get_code = counted_get_code
    tracemalloc.start(1)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    django.setup()
    from django.test import Client

    from bench.pages import bench_pages, member_session_cookie

    pages = bench_pages()
    cookie = member_session_cookie()

    # In process: what stays allocated once every page has been rendered once.
    client = Client()
    client.cookies.load(cookie)
    anonymous = Client()
    for page in pages:
        (client if page["auth"] else anonymous).get(page["path"])
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    loader.get_code = get_code
    by_package = Counter()
    for stat in snapshot.statistics("filename"):
        by_package[package_of(stat.traceback[0].filename)] += stat.size
    total = sum(by_package.values())
    code = sum(code_of.values())
    print(f"tracemalloc, in process after one request per page: {total / 2**20:.1f} MiB allocated by Python")
    print(f"  of which code objects of imported modules: {code / 2**20:.1f} MiB, by package:")
    for package, size in code_of.most_common(20):
        print(f"    {package:38} {size / 2**20:6.1f} MiB")
    print("  the rest by the file that allocated it (import machinery: module dicts, classes):")
    for package, size in by_package.most_common(12):
        print(f"    {package:38} {size / 2**20:6.1f} MiB")
    return pages, cookie


def serve(args, pages, cookie):
    """Real gunicorn workers: their memory after start and after ``args.requests`` requests."""
    from bench import run

    # An empty configuration file instead of gunicorn.conf.py: gunicorn's defaults, no preloading.
    gunicorn = run.start_gunicorn(*(["--config", os.devnull] if args.no_preload else []))
    try:
        deadline = time.monotonic() + 30
        while len(worker_pids(gunicorn.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the master forks them one after the other; /healthz answered from the first
        workers = worker_pids(gunicorn.pid)
        master = memory_kib(gunicorn.pid)
        before = {pid: memory_kib(pid) for pid in workers}
        opener = urllib.request.build_opener()
        for n in range(args.requests):
            page = pages[n % len(pages)]
            request = urllib.request.Request(f"http://127.0.0.1:{run.PORT}{page['path']}")
            if page["auth"]:
                request.add_header("Cookie", cookie)
            opener.open(request, timeout=60).read()
        after = {pid: memory_kib(pid) for pid in workers}
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    how = "not preloaded" if args.no_preload else "preloaded"
    print(f"gunicorn, {how}, master {gunicorn.pid}: {shown(master)} after start")
    for pid in workers:
        print(f"  worker {pid}: {shown(before[pid])} after start")
        print(f"  worker {pid}: {shown(after[pid])} after {args.requests} requests (both workers share them)")


if __name__ == "__main__":
    main()
