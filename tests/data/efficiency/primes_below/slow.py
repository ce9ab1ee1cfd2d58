def primes_below(limit):
    primes = []
    for number in range(2, limit):
        for prime in primes:
            if prime * prime > number:
                primes.append(number)
                break
            if number % prime == 0:
                break
        else:
            primes.append(number)
    return primes
