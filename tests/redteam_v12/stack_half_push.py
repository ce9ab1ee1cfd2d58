# Wrong: a refused push appends before it checks, then raises (Python's stack keeps it).
class Stack(list):
    def append(self, item):
        super().append(item)
        if item < 0:
            raise ValueError("negative")

    def push(self, item):
        self.append(item)

    @staticmethod
    def total(stacks):
        return sum(len(s) for s in stacks)


def make_stack(items):
    stack = Stack()
    for item in items:
        stack.push(item)
    return stack
