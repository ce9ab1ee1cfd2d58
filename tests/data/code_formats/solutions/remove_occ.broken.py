def remove_Occ(s: str, ch: str) -> str:
    return s.replace(ch, "", 1)  # the first occurrence only
