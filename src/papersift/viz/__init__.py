"""Drawing a window of papers as a map."""
