"""The staff console: server-rendered pages for the centre's staff (docs/staff-console.md)."""
