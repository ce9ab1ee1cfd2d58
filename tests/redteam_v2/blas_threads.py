# The sci image: about 1.5 s of CPU under a 1 s limit, most of it in OpenBLAS's own threads
# (four of them, asked for through ctypes, past the image's OPENBLAS_NUM_THREADS=1), while
# the solution's own thread waits in the matrix product.
import ctypes
import glob
import os
import time

import numpy

BLAS = glob.glob(os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "*openblas*"))
if BLAS:
    library = ctypes.CDLL(BLAS[0])
    for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_"):
        if hasattr(library, name):
            getattr(library, name)(4)
            break
matrix = numpy.ones((500, 500))
while time.process_time() < 1.5:  # the whole process's CPU, its threads' included
    matrix @ matrix
print(int(input()) + 1)
