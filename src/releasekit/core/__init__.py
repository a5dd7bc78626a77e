"""The release: config, versions, changelog, snapshot, plan, apply, verbs. Imports system/."""
