"""`python -m dealbench.cli`: the same command as `dealbench`."""

from dealbench.cli.app import main

main()
