# A reference's checker (testlib's calling convention): accepts the output when it is the
# expected JSON value.
import json
import sys

with open(sys.argv[2]) as output, open(sys.argv[3]) as answer:
    sys.exit(0 if json.load(output) == json.load(answer) else 1)
