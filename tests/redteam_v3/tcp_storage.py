# Right, with 400 MiB of working storage under a 128 MiB memory limit: the receive and send
# queues of TCP connections over the loopback, which autotune up to tcp_rmem/tcp_wmem's
# maximum with no setsockopt at all. Kernel memory that no process maps.
import socket

CONNECTIONS = 120
CHUNK = 1 << 16

n = int(input())
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(CONNECTIONS)
pairs, stored = [], 0
block = bytes([n % 251]) * CHUNK
for _ in range(CONNECTIONS):
    writer = socket.create_connection(listener.getsockname())
    reader, _ = listener.accept()
    writer.setblocking(False)
    while True:
        try:
            stored += writer.send(block)
        except BlockingIOError:
            break
    pairs.append((writer, reader))
    if stored >= 440 << 20:
        break
total, read = 0, 0
for writer, reader in pairs:
    writer.close()
    while chunk := reader.recv(CHUNK):
        total += chunk[-1]
        read += 1
    reader.close()
print(total // read + 1 if stored >= 400 << 20 else f"only {stored >> 20} MiB stored")
