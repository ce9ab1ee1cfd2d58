# A wrong solution, as cgroup_peak_reader.py, that looks for the sandbox's memory high-water
# mark wherever a cgroup file system is mounted in its mount namespace (/proc/self/mountinfo
# lists the judge's own view of it too), and prints it in MiB modulo 64; "none" when no
# mount lets it read one.
import os

NAMES = ("memory.max_usage_in_bytes", "memory/memory.max_usage_in_bytes", "memory.peak")


def mount_points():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            kind = fields[fields.index("-") + 1]
            if kind in ("cgroup", "cgroup2"):
                yield fields[4]


def peak():
    for point in mount_points():
        for name in NAMES:
            try:
                with open(os.path.join(point, name)) as f:
                    return int(f.read())
            except (OSError, ValueError):
                continue
    return None


found = peak()
print("none" if found is None else found // (1 << 20) % 64)
