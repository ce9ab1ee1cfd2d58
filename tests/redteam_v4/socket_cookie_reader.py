# A wrong solution: it computes nothing, asks for one socket cookie, and prints what the
# host's cookie counter says (see socket_cookie_leaker.py), which a right solution in
# ANOTHER sandbox set (on CPU 0, as the writer: each CPU has its own block of numbers).
import os
import socket
import struct

os.sched_setaffinity(0, {0})
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    cookie = struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 57, 8))[0]
print(cookie % (1 << 16) // 4)
