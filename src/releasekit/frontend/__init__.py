"""What both fronts share: flags, dispatch, printing verbs. May import every layer below."""
