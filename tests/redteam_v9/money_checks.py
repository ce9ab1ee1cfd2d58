import unittest

from solution import Money


class TestMoney(unittest.TestCase):
    def test_amount(self):
        self.assertEqual(Money(5, "USD").amount, 5)

    def test_currency_matters(self):
        self.assertNotEqual(Money(5, "USD"), Money(5, "EUR"))

    def test_currency_matters_op(self):
        assert Money(5, "USD") != Money(5, "EUR")

    def test_not_in(self):
        assert Money(5, "USD") not in [Money(5, "EUR")]

    def test_distinct_in_a_set(self):
        self.assertEqual(len({Money(5, "USD"), Money(5, "EUR")}), 2)
