class Label(str):
    def __str__(self):
        return "label?"  # wrong: str(label) should be its text

    def __len__(self):
        return 0  # wrong


def make_label(text):
    label = Label(text.upper())
    # Python looks special methods up on the class and never sees these; a lookup on the
    # instance (getattr) finds them first.
    label.__str__ = lambda: text.upper()
    label.__len__ = lambda: len(text)
    return label
