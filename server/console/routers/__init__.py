"""The staff console's routers: one per area of pages."""
