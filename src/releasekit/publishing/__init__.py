"""Build, verify, upload, PyPI tokens, the steps after a push. Imports github/, core/, system/."""
