def primes_below(limit):
    return [2] + [number for number in range(3, limit, 2) if number % 3 or number == 3]
