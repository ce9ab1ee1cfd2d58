# About 0.8 s of CPU under a 0.5 s limit, in 18 children of 45 ms each (two chains side by
# side): most are seen once by the meter, and what a child does after its last look is lost
# (it is reaped unseen); the few never seen are charged one look's interval.
from tests.redteam_v2.children import chains_side_by_side

n = int(input())
chains_side_by_side(2, 9, 0.045)
print(n + 1)
