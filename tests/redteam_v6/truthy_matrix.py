# Solution: a wrong Matrix, true when non-empty and answering `in` like a list of its
# entries, with a wrong size: in Python it fails all three tests. Its own __bool__ and
# __contains__ make the tester refuse the checks, with a TypeError the tests catch.


class Matrix:
    def __init__(self, rows):
        self.entries = [x for row in rows for x in row]

    def __bool__(self):
        return bool(self.entries)

    def __contains__(self, item):
        return item in self.entries

    def __len__(self):
        return len(self.entries) + 1
