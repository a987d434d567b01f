import sys

from cspbroker.cli import main

sys.exit(main())
