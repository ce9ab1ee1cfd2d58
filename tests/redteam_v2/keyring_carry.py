# Each case looks for a kernel key an earlier case left (in /proc/keys, readable by any uid
# once its permissions say so), then adds its own to its uid's user keyring, open to all.
# Prints "fresh" when nothing of an earlier case is there, else what it found.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SYS_ADD_KEY, SYS_KEYCTL = 248, 250  # x86_64
KEY_SPEC_USER_KEYRING = -4
KEYCTL_SETPERM, KEYCTL_READ = 5, 11
EVERYONE_ALL = 0x3F3F3F3F
DESCRIPTION = b"rewardd-redteam-carry"


def found() -> str | None:
    try:
        with open("/proc/keys") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        if DESCRIPTION.decode() in line:
            serial = int(line.split()[0], 16)
            buf = ctypes.create_string_buffer(64)
            size = libc.syscall(SYS_KEYCTL, KEYCTL_READ, serial, buf, 64)
            return buf.raw[: max(size, 0)].decode() or "a key"
    return None


def leave(value: bytes) -> None:
    serial = libc.syscall(
        SYS_ADD_KEY, b"user", DESCRIPTION, value, len(value), KEY_SPEC_USER_KEYRING
    )
    if serial > 0:
        libc.syscall(SYS_KEYCTL, KEYCTL_SETPERM, serial, EVERYONE_ALL)


case = input().strip()
earlier = found()
leave(f"left by case {case}".encode())
print("fresh" if earlier is None else f"stale: {earlier}")
