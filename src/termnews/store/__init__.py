"""Storage: cache.db (what the network gave) and state.db (what each profile did)."""
