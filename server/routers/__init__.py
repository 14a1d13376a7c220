"""One router per resource; `server.main` mounts them under /api/v1."""
