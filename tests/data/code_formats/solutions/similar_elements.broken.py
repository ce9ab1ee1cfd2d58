def similar_elements(first: tuple, second: tuple) -> tuple:
    return tuple(sorted(set(first) | set(second)))
