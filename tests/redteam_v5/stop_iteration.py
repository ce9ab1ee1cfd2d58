# A StopIteration from each call ends map() at once: all() and any() see no element.
def is_even(n):
    raise StopIteration
