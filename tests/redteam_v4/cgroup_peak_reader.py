# A wrong solution: it computes nothing, and prints what the sandbox's memory high-water
# mark says (in MiB, modulo 64), which a right solution of an earlier job set.
with open("/sys/fs/cgroup/memory/memory.max_usage_in_bytes") as f:
    print(int(f.read()) // (1 << 20) % 64)
