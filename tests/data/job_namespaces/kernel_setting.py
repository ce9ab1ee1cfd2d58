# Tries to change a kernel setting of its namespace; prints the error it gets, or "written".
try:
    with open("/proc/sys/kernel/hostname", "w") as f:
        f.write("x")
    print("written")
except OSError as exc:
    print(type(exc).__name__)
