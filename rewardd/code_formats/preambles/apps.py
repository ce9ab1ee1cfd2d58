# ruff: noqa
# The names APPS's harness (hendrycks/apps eval/testing_util.py, `sol`) and TACO's put before
# every solution, call-based and stdin alike. Its `import numpy as np` is added by the
# converter when the reference runs on the "sci" image.
import sys
import time
import itertools
from itertools import accumulate, product, permutations, combinations
import collections
from collections import Counter, OrderedDict, deque, defaultdict, ChainMap
from functools import lru_cache
import math
from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2
import fractions
from typing import List, Tuple
import random
import heapq
from heapq import *
