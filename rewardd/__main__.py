import sys

from rewardd.cli import main

sys.exit(main())
