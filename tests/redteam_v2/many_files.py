# Wrong, and each case leaves 25,000 empty files in /dev/shm (a tmpfs whose inodes only the
# container's memory bounds): removing them is the judge's work, after the case, as the case's
# uid, one at a time.
import os

FILES = 25_000

a, b = map(int, input().split())
directory = os.open("/dev/shm", os.O_RDONLY | os.O_DIRECTORY)
for i in range(FILES):
    try:
        os.close(os.open(f"f{a}-{b}-{i}", os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=directory))
    except OSError:
        break
print(0)
