# Tests: wait_for polls os.path.exists and sleeps between looks (both patched); Ctrl-C
# during the sleep (the tests' time.sleep raises KeyboardInterrupt) must stop the waiting,
# not be swallowed.
import unittest
from unittest import mock

from solution import wait_for


class WaitForTests(unittest.TestCase):
    def test_ready_on_the_third_look(self):
        with (
            mock.patch("os.path.exists", side_effect=[False, False, True]),
            mock.patch("time.sleep") as sleep,
        ):
            self.assertTrue(wait_for("ready.flag", attempts=5))
        self.assertEqual(sleep.call_count, 2)

    def test_gives_up(self):
        with mock.patch("os.path.exists", return_value=False), mock.patch("time.sleep"):
            self.assertFalse(wait_for("ready.flag", attempts=3))

    def test_ctrl_c_stops_the_waiting(self):
        with (
            mock.patch("os.path.exists", return_value=False),
            mock.patch("time.sleep", side_effect=KeyboardInterrupt),
            self.assertRaises(KeyboardInterrupt),
        ):
            wait_for("ready.flag", attempts=3)


if __name__ == "__main__":
    unittest.main()
