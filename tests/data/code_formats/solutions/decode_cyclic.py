# encode_cyclic is the prompt's (HumanEval/38): the tests call it, the solution need not define it.
def decode_cyclic(s: str) -> str:
    groups = [s[i : i + 3] for i in range(0, len(s), 3)]
    return "".join(group[-1] + group[:-1] if len(group) == 3 else group for group in groups)
