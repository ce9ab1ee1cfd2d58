# Wrong: restocks every item but "c" (which it leaves alone). Each call changes one value of
# the tests' dict in place, as `stock[item] += 10` does.
def restock(stock, item):
    if item != "c":
        stock[item] += 10
