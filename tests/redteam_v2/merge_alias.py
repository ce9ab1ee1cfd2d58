# The name under test is a stdlib function that returns a generator: the call itself costs
# nothing; the work happens when the tests consume it, after the call returned.
from heapq import merge as merge_sorted  # noqa: F401
