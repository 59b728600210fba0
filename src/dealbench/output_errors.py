"""The errors of writing an output folder: a file dealbench may not replace, a folder it
cannot write into, a target that cannot be an output folder."""

from __future__ import annotations

from dealbench.errors import ArgumentError, DealbenchError


class OutputExistsError(DealbenchError):
    """An output would overwrite a file dealbench did not write (or that was edited)."""

    exit_code = 2


class OutputError(DealbenchError):
    """The output folder cannot be written (read-only, full, not a folder, a link inside)."""

    exit_code = 1


class OutputTargetError(ArgumentError, OutputError):
    """The folder given (`root`, the CLI's `--out`) cannot be an output folder: bad input."""

    exit_code = 2
