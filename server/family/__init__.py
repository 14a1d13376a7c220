"""Family members acting for an elder: consents, proxies and the family page (docs/family.md)."""
