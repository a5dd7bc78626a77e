"""Workflow and noxfile templates, read by releasekit.setup.workflow as package data.

Placeholders are printf-style `%(name)s` (so GitHub's `${{ }}` needs no escaping);
a literal percent sign would have to be written `%%`.
"""
