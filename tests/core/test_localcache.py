"""core.localcache: the most recently used entries stay, up to a number of characters."""

from core.localcache import LocalCache


def test_the_least_recently_used_entries_go_first_beyond_the_bound():
    local = LocalCache(max_chars=10)
    local.set_many({"a": "1234", "b": ("12", "34")})
    assert local.get_many(["a", "b", "c"]) == {"a": "1234", "b": ("12", "34")}
    local.get_many(["a"])  # a is now the most recently used
    local.set_many({"c": "123"})  # 11 characters: b goes
    assert local.get_many(["a", "b", "c"]) == {"a": "1234", "c": "123"}
    local.set_many({"a": "12"})  # a new value replaces the old and its size
    local.set_many({"d": "1234"})
    assert local.get_many(["a", "c", "d"]) == {"a": "12", "c": "123", "d": "1234"}


def test_an_entry_larger_than_the_cache_is_not_kept():
    local = LocalCache(max_chars=10)
    local.set_many({"a": "1234"})
    local.set_many({"big": "x" * 11})
    assert local.get_many(["a", "big"]) == {"a": "1234"}
    local.clear()
    assert local.get_many(["a"]) == {}
