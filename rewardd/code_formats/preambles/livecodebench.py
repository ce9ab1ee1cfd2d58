# ruff: noqa
# The names LiveCodeBench's harness (lcb_runner/evaluation/testing_util.py, `import_string`)
# puts before every solution, functional and stdin alike.
from string import *
from re import *
from datetime import *
from collections import *
from heapq import *
from bisect import *
from copy import *
from math import *
from random import *
from statistics import *
from itertools import *
from functools import *
from operator import *
from io import *
from sys import *
from json import *
from builtins import *
from typing import *
import string
import re
import datetime
import collections
import heapq
import bisect
import copy
import math
import random
import statistics
import itertools
import functools
import operator
import io
import sys
import json

sys.setrecursionlimit(50000)
