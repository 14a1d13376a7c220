"""Personal data: field encryption, phone lookup, passwords and tokens, the audit log, retention."""
