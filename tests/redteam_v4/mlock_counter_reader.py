# A wrong solution: it computes nothing, and prints what the host's mlock counter says (see
# mlock_counter_leaker.py), which a right solution in ANOTHER sandbox set.
with open("/proc/vmstat") as f:
    counts = dict(line.split() for line in f)
print(int(counts["unevictable_pgs_mlocked"]) % (1 << 18) // 16)
