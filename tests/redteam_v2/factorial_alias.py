# The same work, but the name under test IS a stdlib function: the tester takes its own copy
# of it, so the work runs in the tester's process, outside the solution's measured CPU.
from math import factorial as fact  # noqa: F401
