def sorted_copy(items):
    return sorted(items)


def without(tags, tag):
    return {t for t in tags if t != tag}
