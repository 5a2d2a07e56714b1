"""gunicorn's settings; gunicorn reads this file by itself when it is started in the project's folder.

The Procfile serves the site with uvicorn; gunicorn serves the WSGI application for the load
benchmark (bench/run.py), the tests that start a real web process, and any deployment that runs
``gunicorn cop_site.wsgi:application``.

``preload_app``: the master imports the application once (Django, every app, the libraries,
the URL configuration), cop_site/wsgi.py freezes what is loaded out of the collector's walks
(core.gcsettle), and then the workers are forked from it. They share those pages with the
master until they write to one, and a worker never maps the parts of the libraries it does
not run. Measured with bench/memory.py on the benchmark's data, 200 requests (issue 19): each
worker's RSS 111-112 -> 97 MiB, its own pages (USS) 85 -> 47.5 MiB, master and two workers
together (PSS) about 200 -> 166 MiB. The master opens no connection while it loads (the
database, Redis and the broker connect on first use, in each worker), so the workers share
nothing but the listening socket; tests/site/test_preload.py keeps it so. Reloading the code
then takes a restart: ``kill -HUP`` re-forks workers from the code the master loaded.
"""

preload_app = True
