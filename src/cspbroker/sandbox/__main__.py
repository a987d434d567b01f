"""`python -m cspbroker.sandbox`: run the sandboxes (see `serve.main`)."""

from .serve import main

raise SystemExit(main())
