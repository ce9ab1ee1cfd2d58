class Label(str):
    def __repr__(self):
        return "Label(?)"


def make_label(text):
    return Label(text.upper())
