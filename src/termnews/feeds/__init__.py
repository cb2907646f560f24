"""Feeds: fetching, parsing, cleaning and converting what the network gives."""
