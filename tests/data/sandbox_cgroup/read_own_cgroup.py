# Prints the sandbox's own cgroup figures (memory in bytes, CPU in seconds, from cgroup v1's
# files or v2's), then whether a write to its memory limit was refused.
import os

if os.path.exists("/sys/fs/cgroup/memory/memory.usage_in_bytes"):
    with open("/sys/fs/cgroup/memory/memory.usage_in_bytes") as f:
        memory = int(f.read())
    with open("/sys/fs/cgroup/cpuacct/cpuacct.usage") as f:
        cpu = int(f.read()) / 1e9
    limit = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
else:
    with open("/sys/fs/cgroup/memory.current") as f:
        memory = int(f.read())
    with open("/sys/fs/cgroup/cpu.stat") as f:
        cpu = int(f.read().split("usage_usec")[1].split()[0]) / 1e6
    limit = "/sys/fs/cgroup/memory.max"
try:
    with open(limit, "w") as f:
        f.write("1")
    written = "written"
except OSError:
    written = "refused"
print(memory, cpu, written)
