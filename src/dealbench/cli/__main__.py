"""`python -m dealbench.cli`: the same command as `dealbench`."""

from dealbench.cli.app import main

if __name__ == "__main__":  # not when a worker process re-imports the main module
    main()
