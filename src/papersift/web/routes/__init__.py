"""The web routes: the JSON API under /api and the HTML pages; app.py mounts both."""
