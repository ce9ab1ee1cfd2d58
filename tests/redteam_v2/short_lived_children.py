# About 1.2 s of CPU under a 0.5 s limit, in 150 children of 8 ms each (two chains side by
# side): each lives less than a meter's look apart.
from tests.redteam_v2.children import chains_side_by_side

n = int(input())
chains_side_by_side(2, 75, 0.008)
print(n + 1)
