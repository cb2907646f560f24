"""Small, reusable widgets of the reading screen. None of them touches storage."""
