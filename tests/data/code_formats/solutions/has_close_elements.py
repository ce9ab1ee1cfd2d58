def has_close_elements(numbers: list[float], threshold: float) -> bool:
    return any(
        abs(first - second) < threshold
        for i, first in enumerate(numbers)
        for second in numbers[i + 1 :]
    )
