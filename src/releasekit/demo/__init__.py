"""The demo: sample projects, a local index, both release paths run. Imports setup/ and below."""
