# A wrong solution: it computes nothing, asks for one socket cookie, and prints what the
# host's cookie counter says (see socket_cookie_leaker.py), which a right solution in
# ANOTHER sandbox set.
import socket
import struct

with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    cookie = struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 57, 8))[0]
print(cookie % (1 << 16) // 4)
