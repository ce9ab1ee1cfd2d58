# Wrong: sorts (and discards from) the tests' input in place, through the methods their
# read-only subclass refuses, then returns it.
def sorted_copy(items):
    items.sort()
    return list(items)


def without(tags, tag):
    tags.discard(tag)
    return set(tags)
