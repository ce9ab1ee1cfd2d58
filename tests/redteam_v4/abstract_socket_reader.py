# A wrong solution: it computes nothing, and prints the number of the abstract socket an
# earlier job's right solution left ("none" when there is none).
import socket

found = "none"
for value in range(64):
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.sendto(b"?", b"\0rt-answer-%d" % value)
        found = str(value)
        break
    except OSError:
        pass
    stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        stream.connect(b"\0rt-listen-%d" % value)
        found = str(value)
        break
    except OSError:
        pass
print(found)
