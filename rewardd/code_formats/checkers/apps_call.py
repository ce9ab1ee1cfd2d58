"""APPS's call-based acceptance (hendrycks/apps eval/testing_util.py), as a checker.

APPS stores each expected return value wrapped in a one-element list, and its harness passes
a result equal (Python's `==`, tuples as lists) to the stored output or to its first element.
The judge writes the returned value and the stored output as JSON (tuples become lists).

    python3 apps_call.py input.txt output.txt answer.txt    exit 0: accepted
"""

import json
import sys


def accepts(output, answer):
    if output == answer:
        return True
    return isinstance(answer, list) and len(answer) > 0 and output == answer[0]


def main(argv):
    output_path, answer_path = argv[2], argv[3]
    with open(output_path, encoding="utf-8") as output_file:
        output = json.load(output_file)
    with open(answer_path, encoding="utf-8") as answer_file:
        answer = json.load(answer_file)
    return 0 if accepts(output, answer) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
