# Run as a judge job: prints the sandbox's own cgroup figures (memory in bytes, CPU in
# seconds, from cgroup v1's files or v2's) where the runner shows a judge the cgroup, then
# whether a write to its memory limit was refused.
import os

ROOT = os.environ["REWARDD_CGROUP_ROOT"]
if os.path.exists(f"{ROOT}/memory/memory.usage_in_bytes"):
    with open(f"{ROOT}/memory/memory.usage_in_bytes") as f:
        memory = int(f.read())
    with open(f"{ROOT}/cpuacct/cpuacct.usage") as f:
        cpu = int(f.read()) / 1e9
    limit = f"{ROOT}/memory/memory.limit_in_bytes"
else:
    with open(f"{ROOT}/memory.current") as f:
        memory = int(f.read())
    with open(f"{ROOT}/cpu.stat") as f:
        cpu = int(f.read().split("usage_usec")[1].split()[0]) / 1e6
    limit = f"{ROOT}/memory.max"
try:
    with open(limit, "w") as f:
        f.write("1")
    written = "written"
except OSError:
    written = "refused"
print(memory, cpu, written)
