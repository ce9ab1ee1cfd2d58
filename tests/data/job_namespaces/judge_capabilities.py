# A judge job's entry point (started as root, as the judge is): prints its effective and
# bounding capability sets, in hex, as /proc/self/status gives them.
with open("/proc/self/status") as f:
    sets = dict(line.split(":", 1) for line in f if line.startswith(("CapEff", "CapBnd")))
print(sets["CapEff"].strip(), sets["CapBnd"].strip())
