# Honest numpy under the cases' syscall filter (the sci image): linear algebra, FFT, random.
import numpy as np

n = int(input())
rng = np.random.default_rng(n)
matrix = rng.random((n, n)) + n * np.eye(n)
identity = matrix @ np.linalg.inv(matrix)
spectrum = np.fft.rfft(np.arange(n, dtype=float))
print(bool(np.allclose(identity, np.eye(n))), round(float(spectrum[0].real)))
