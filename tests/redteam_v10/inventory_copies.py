class Inventory:
    def __init__(self):
        self._items = []

    def add(self, item):
        self._items.append(item)

    def get_items(self):
        return list(self._items)
