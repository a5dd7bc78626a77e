"""`releasekit doctor`: the check model, its runner, the check groups. Imports setup/ and below."""
