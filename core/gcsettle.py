"""Garbage collection for a long-lived web process (issue 19).

A web worker loads Django, the URLconf, templates and the libraries once and keeps them
for its whole life. Python's cyclic collector does not know that: every full collection
walks all of those objects again, which stalls a request for tens of milliseconds
(measured on the 200-reply thread: about 110 ms now and then), and the frequent young
collections promote a request's short-lived objects into older generations, which brings
the next full collection sooner.

``settle()`` runs once a worker has loaded the application:

- ``gc.freeze()`` moves everything alive into the permanent generation, which collections
  skip. It is the documented way for a process that forks workers, and equally useful for
  one that simply lives long (objects that are later freed are still freed by reference
  counting; only cycles among them wait).
- The young generation's threshold goes from 700 to ``GC_YOUNG_THRESHOLD`` (an
  environment variable, 5,000 by default; 0 keeps Python's own). A page allocates and frees
  hundreds of thousands of objects; with a higher threshold most of them are gone by
  reference counting before a collection looks at them, so fewer young collections run and
  fewer objects reach the older generations. The other two thresholds stay as Python sets
  them.

``bench/pages_inproc.py --gc`` measures both (collections and milliseconds per request).
"""

import gc
import os

DEFAULT_YOUNG_THRESHOLD = 5_000


def settle(young_threshold: int | None = None) -> None:
    """Freeze what the process has loaded and raise the young generation's threshold."""
    if young_threshold is None:
        young_threshold = int(os.environ.get("GC_YOUNG_THRESHOLD", DEFAULT_YOUNG_THRESHOLD))
    gc.collect()
    gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
