# Solution: wrong on Ctrl-C at the prompt (a bare except swallows the KeyboardInterrupt).
def ask_name():
    try:
        return input("name? ")
    except:  # noqa: E722
        return ""
