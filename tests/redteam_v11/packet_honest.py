class Packet(bytearray):
    """A buffer whose bytes() is its own contents (as bytearray's is)."""

    def __bytes__(self):
        return bytes(bytearray(self))


def make(text):
    return Packet(text.encode())
