# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: poll() must not wait when the service is already up; the tests patch
# time.sleep and check that it was never called (and, when down, called once).
import unittest
from unittest import mock


class TestPoll(unittest.TestCase):
    def test_no_wait_when_ready(self):
        with mock.patch("time.sleep") as sleep:
            self.assertEqual(poll(ready=True), "ready")
        sleep.assert_not_called()

    def test_no_wait_for_a_cached_answer(self):
        with mock.patch("time.sleep") as sleep:
            self.assertEqual(poll(ready=True, cached=True), "ready")
        self.assertEqual(sleep.call_count, 0)
