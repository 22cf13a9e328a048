"""The worker's per-settings services cache closes what it pushes out, never under a job."""

import threading

from modelyard.worker.tasks import ClosingCache


class _Resource:
    def __init__(self, key):
        self.key, self.is_closed = key, False

    def close(self):
        self.is_closed = True


def test_values_are_built_once_per_key_and_reused():
    built = []
    cache = ClosingCache(lambda key: built.append(key) or _Resource(key), size=2)
    with cache.hold("a") as first, cache.hold("a") as again:
        assert first is again
    assert built == ["a"]


def test_the_least_recently_used_value_is_closed_when_pushed_out():
    cache = ClosingCache(_Resource, size=2)
    with cache.hold("a") as a:
        pass
    with cache.hold("b") as b, cache.hold("a"):
        pass  # "a" used again: "b" is now the oldest
    with cache.hold("c") as c:
        assert b.is_closed and not a.is_closed and not c.is_closed
    with cache.hold("b") as rebuilt:
        assert rebuilt is not b and not rebuilt.is_closed


def test_a_value_pushed_out_while_held_closes_when_the_last_holder_ends():
    cache = ClosingCache(_Resource, size=1)
    with cache.hold("a") as a:
        with cache.hold("a"), cache.hold("b") as b:
            assert not a.is_closed  # a job still runs with it
        assert not a.is_closed  # one holder left
    assert a.is_closed and not b.is_closed


def test_concurrent_holders_share_one_value():
    built = []
    cache = ClosingCache(lambda key: built.append(key) or _Resource(key), size=1)
    seen = []
    barrier = threading.Barrier(4)

    def use():
        with cache.hold("a") as value:
            barrier.wait()
            seen.append(value)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["a"] and len({id(v) for v in seen}) == 1 and not seen[0].is_closed


def test_a_value_that_fails_to_close_does_not_fail_the_caller():
    class _Broken(_Resource):
        def close(self):
            raise RuntimeError("cannot close")

    cache = ClosingCache(_Broken, size=1)
    with cache.hold("a"):
        pass
    with cache.hold("b") as b:
        assert b.key == "b"
    with cache.hold("b") as again:
        assert again is b  # still cached and held counts balanced
