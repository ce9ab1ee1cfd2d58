# As LeetCode writes it: `List` is not imported; LiveCodeBench's preamble brings it.
class Solution:
    def occurrencesOfElement(self, nums: List[int], queries: List[int], x: int) -> List[int]:  # noqa: F821
        where = [i for i, value in enumerate(nums) if value == x]
        return [where[k - 1] if k <= len(where) else -1 for k in queries]
