"""`python -m dealbench`: the command line, as the `dealbench` script runs it."""

from dealbench.command import main

main()
