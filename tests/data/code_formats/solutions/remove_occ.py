def remove_Occ(s: str, ch: str) -> str:
    first = s.find(ch)
    if first == -1:
        return s
    s = s[:first] + s[first + 1 :]
    last = s.rfind(ch)
    return s if last == -1 else s[:last] + s[last + 1 :]
