class Money:
    def __init__(self, amount, currency):
        self.amount = amount
        self.currency = currency

    def __eq__(self, other):
        return isinstance(other, Money) and self.amount == other.amount  # currency ignored

    def __hash__(self):
        return hash(self.amount)
