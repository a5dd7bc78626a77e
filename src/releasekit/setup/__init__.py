"""One-time setup: init, release.yml rendering, the PYPI_TOKEN secret. Imports publishing/ down."""
