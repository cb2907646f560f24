"""Reading on several machines: sync with a feed server (Miniflux, Google Reader API).

A service beside refresh. ``SyncService`` (``service``) pushes the profile's journaled
local changes (``store.sync_state``) and pulls the server's, incrementally, matching
entries to articles by feed URL + guid (``match``); one module per server API
(``miniflux``, ``greader``) behind the small interface of ``remote``. With
``source = "server"`` the pull also stores the server's entries as articles, so a
refresh needs one incremental call instead of a request per feed.
"""
