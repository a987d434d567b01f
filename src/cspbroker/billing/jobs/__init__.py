"""The billing work the worker (and the CLI) runs: billing runs, their records, closing cycles."""
