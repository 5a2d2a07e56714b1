"""A small cache in this process's memory in front of Redis, for content-addressed fragments (issue 19).

A fragment kept under a digest of everything it shows (discussions.fragments) never goes stale:
its key changes when anything it shows does. So a copy of it in the process's own memory is as
good as the one in Redis, and reading it costs a dictionary lookup instead of a round trip, the
cache API's key checks and unpickling: for the 200 replies of a thread that was about 3.5 ms of
CPU a page. ``LocalCache`` keeps the most recently used entries up to ``max_chars`` characters of
text (about as many bytes), and forgets the least recently used beyond that. Nothing is shared
between processes; Redis stays the shared copy that a new or another process reads first.
"""

import threading
from collections import OrderedDict


def _size(value) -> int:
    if isinstance(value, str):
        return len(value)
    return sum(len(part) for part in value)


class LocalCache:
    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self._entries: OrderedDict[str, object] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # pages may be drawn on several threads (ASGI)

    def get_many(self, keys) -> dict:
        found = {}
        entries = self._entries
        with self._lock:
            for key in keys:
                value = entries.get(key)
                if value is not None:
                    entries.move_to_end(key)
                    found[key] = value
        return found

    def set_many(self, values: dict) -> None:
        """Keep ``values`` (strings, or tuples of strings); an entry larger than the whole cache is not kept."""
        entries = self._entries
        with self._lock:
            for key, value in values.items():
                size = _size(value)
                if size > self.max_chars:
                    continue
                old = entries.pop(key, None)
                if old is not None:
                    self._chars -= _size(old)
                entries[key] = value
                self._chars += size
            while self._chars > self.max_chars:
                _key, dropped = entries.popitem(last=False)
                self._chars -= _size(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0
