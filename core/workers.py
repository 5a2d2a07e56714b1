"""Who is doing a piece of work, so a restarted worker can take back what its dead self claimed.

A claim (a digest or an email being sent) records ``identity()``: host, process id and a
token drawn when the process first claims. On the same host, a claim whose process is
gone, or whose pid is ours but whose token is not (a restarted worker got the old pid), is
dead for certain and may be taken again at once; others wait for the claim timeout.
"""

import os
import socket
import uuid

_mine = {"pid": None, "identity": ""}


def identity():
    """``host:pid:token`` of this process (a forked child gets its own)."""
    pid = os.getpid()
    if _mine["pid"] != pid:
        _mine.update(pid=pid, identity=f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:12]}")
    return _mine["identity"]


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return True


def is_dead(claimed_by):
    """True if ``claimed_by`` names a process of this host that is no longer running."""
    host, _, rest = (claimed_by or "").partition(":")
    pid, _, _token = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return claimed_by != identity()
    return not _running(int(pid))


def dead_among(identities):
    """The identities in ``identities`` whose process is dead for certain."""
    return sorted({claimer for claimer in identities if is_dead(claimer)})
