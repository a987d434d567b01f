import sys

from cspbroker.sandbox.mailcatcher.server import main

raise SystemExit(main(sys.argv[1:]))
