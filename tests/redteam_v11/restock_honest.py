def restock(stock, item):
    stock[item] += 10
