"""`python -m dealbench`: the command line, as the `dealbench` script runs it."""

from dealbench.cli import main

main()
