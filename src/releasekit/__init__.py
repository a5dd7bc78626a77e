"""releasekit: one library of release tasks for Python projects.

Kept empty on purpose: `invoke --list` imports `releasekit.tasks`, and nothing
here may slow that down.
"""

__version__ = "0.1.0"
