"""Imported first by the fork server (`analyze.parallel.fork_server`), and by nothing else:
from here on Ctrl-C is the command's, not the server's nor its processes'.

The terminal sends Ctrl-C to every process of the command. The fork server ignores it
only once it has imported what its processes share (seconds: the solver, pydantic's
models), and a Ctrl-C meanwhile printed its KeyboardInterrupt traceback. Ignored from its
first import, Ctrl-C stays ignored in every process it forks, which the command stops.
"""

from __future__ import annotations

from dealbench.workers import ignore_ctrl_c

ignore_ctrl_c()
