# A right, fast solution: prefix sums in C (itertools.accumulate). Returning 200,000 ints,
# its process then spends most of its CPU in the judge's snapshot of the list (values.encode,
# pure Python per item), which the judge charges to it.
from itertools import accumulate


def prefix_sums(n):
    return list(accumulate(range(n)))
