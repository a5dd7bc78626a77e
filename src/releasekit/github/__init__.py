"""GitHub's REST API: client, remotes, releases, Actions secrets. Imports system/ only."""
