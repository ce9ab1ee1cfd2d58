class Solution:
    def occurrencesOfElement(self, nums: list, queries: list, x: int) -> list:
        where = [i for i, value in enumerate(nums) if value == x]
        return [where[k - 1] if k <= len(where) else -1 for k in queries]
