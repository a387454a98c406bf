"""``AnswerCache``: one read-model version at a time, LRU by entries and by bytes, TTL."""

from __future__ import annotations

import time

from listings.answer_cache import AnswerCache


def test_a_new_version_empties_it_and_a_stale_answer_is_not_kept() -> None:
    cache: AnswerCache[bytes] = AnswerCache(size=4, ttl=60)
    assert cache.get("v1", "q") is None
    cache.put("v1", "q", b"answer")
    assert cache.get("v1", "q") == b"answer"
    assert cache.get("v2", "q") is None
    cache.put("v1", "q", b"computed from v1")  # v2 is current now
    assert cache.get("v2", "q") is None


def test_least_recently_used_goes_first_by_count_and_by_bytes() -> None:
    cache: AnswerCache[bytes] = AnswerCache(size=2, ttl=60, max_bytes=10)
    cache.get("v", "-")
    cache.put("v", "a", b"aaaa", nbytes=4)
    cache.put("v", "b", b"bbbb", nbytes=4)
    assert cache.get("v", "a") == b"aaaa"  # a is now the most recent
    cache.put("v", "c", b"cccc", nbytes=4)  # over 2 entries: b goes
    assert cache.get("v", "b") is None and cache.get("v", "a") == b"aaaa"
    cache.put("v", "c", b"cccccc", nbytes=6)  # replacing c: 4 + 6 bytes, within 10
    assert cache.get("v", "a") == b"aaaa" and cache.get("v", "c") == b"cccccc"
    cache.put("v", "d", b"d" * 7, nbytes=7)  # 6 + 7 > 10: a and c go
    assert cache.get("v", "a") is None and cache.get("v", "c") is None
    cache.put("v", "e", b"e" * 11, nbytes=11)  # over the whole bound: never kept
    assert cache.get("v", "e") is None and cache.get("v", "d") == b"d" * 7


def test_entries_expire() -> None:
    cache: AnswerCache[bytes] = AnswerCache(size=2, ttl=0.05)
    cache.get("v", "-")
    cache.put("v", "a", b"x")
    time.sleep(0.1)
    assert cache.get("v", "a") is None
