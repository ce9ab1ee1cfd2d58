class Stack(list):
    def append(self, item):
        if item < 0:
            raise ValueError("negative")
        super().append(item)

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
