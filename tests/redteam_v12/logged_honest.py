def collect(out, items):
    for item in items:
        out.append(item)


def drop_all(table, keys):
    for key in keys:
        table.pop(key)
