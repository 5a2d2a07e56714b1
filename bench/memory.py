"""Where a web worker's memory goes (issue 19): RSS of a gunicorn worker after load, and tracemalloc by package.

    .venv/bin/python bench/memory.py [--requests 300]

Uses the load benchmark's database and settings (bench/run.py: BENCH_DB, BENCH_REDIS_URL,
BENCH_PORT). Starts gunicorn as the load benchmark does (2 sync workers, production
settings), sends ``--requests`` requests over the benchmark's pages as the member and
anonymously, and prints each worker's resident set size (VmRSS) before and after. Then,
in this process, it imports and sets up Django the same way under ``tracemalloc``, renders
the same pages once, and prints the memory still allocated, grouped by top-level package
(what importing and warming each library costs), and the total.
"""

import argparse
import importlib
import os
import signal
import sys
import tracemalloc
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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
    args = parser.parse_args()
    from bench import run

    os.environ.update(run.BENCH_ENV)
    run.run(run.PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0")  # the manifest production reads
    os.environ["PAGE_CACHE_SECONDS"] = "0"
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

    # A real gunicorn worker.
    gunicorn = run.start_gunicorn()
    try:
        workers = worker_pids(gunicorn.pid)
        before = {pid: rss_kib(pid) for pid in workers}
        opener = urllib.request.build_opener()
        for n in range(args.requests):
            page = pages[n % len(pages)]
            request = urllib.request.Request(f"http://127.0.0.1:{run.PORT}{page['path']}")
            if page["auth"]:
                request.add_header("Cookie", cookie)
            opener.open(request, timeout=60).read()
        after = {pid: rss_kib(pid) for pid in workers}
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    for pid in workers:
        print(f"gunicorn worker {pid}: RSS {before[pid] / 1024:.1f} MiB after start, {after[pid] / 1024:.1f} MiB after "
              f"{args.requests} requests (both workers share them)")  # fmt: skip


if __name__ == "__main__":
    main()
