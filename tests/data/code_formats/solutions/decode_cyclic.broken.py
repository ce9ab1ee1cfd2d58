def decode_cyclic(s: str) -> str:
    # Rotates the same way as the encoder instead of back.
    groups = [s[i : i + 3] for i in range(0, len(s), 3)]
    return "".join(group[1:] + group[0] if len(group) == 3 else group for group in groups)
