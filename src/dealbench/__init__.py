"""dealbench: a workbench for negotiating bilateral AI-compute deals."""

__version__ = "0.1.0"
