# The tests import only the functions under test; Python's sum and pow make the expected
# values.
import unittest

from solution import power_sum, total


class TotalTests(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total([1, 2, 3]), sum([1, 2, 3]))

    def test_total_large(self):
        self.assertEqual(total(list(range(100))), sum(range(100)))

    def test_power_sum(self):
        self.assertEqual(power_sum(2, 10), sum([pow(2, k) for k in range(10)]))


if __name__ == "__main__":
    unittest.main()
