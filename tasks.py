"""releasekit releases itself with its own tasks: `invoke release --part minor`."""

from releasekit.tasks import *  # noqa: F403
