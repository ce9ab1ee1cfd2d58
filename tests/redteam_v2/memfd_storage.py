# Right, with 600 MiB of working storage under a 128 MiB memory limit: 75 memfds of 8 MiB
# (each under the file-size limit) it never maps, written and read with pwrite and pread:
# no process's address space or resident memory, yet memory all the same.
import os

CHUNK = 1 << 20
FILES, CHUNKS = 75, 8  # chunks per file

n = int(input())
block = bytes([n % 251]) * CHUNK
files = [os.memfd_create(f"storage{i}") for i in range(FILES)]
for fd in files:
    for i in range(CHUNKS):
        os.pwrite(fd, block, i * CHUNK)
total = sum(os.pread(fd, 1, i * CHUNK)[0] for fd in files for i in range(CHUNKS))
print(total // (FILES * CHUNKS) + 1)
