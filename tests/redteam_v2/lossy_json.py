# Wrong values that JSON writes like the right ones: a dict with the int key 1 beside the
# string key "1" (JSON keeps the last of two equal keys), and a set for a list.
def solve(case):
    if case == "dict":
        return {1: 4, "1": 5}
    return {2, 1}
