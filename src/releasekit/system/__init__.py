"""The world outside, wrapped once: processes (runner), git, redaction. Imports errors only."""
