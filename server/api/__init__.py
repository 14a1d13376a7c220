"""The kiosks' and staff desks' JSON API: one router per resource, mounted by `server.main` under /api/v1."""
