"""The catalogue on the server: versions and drafts, importing into the database, staff edits, gaps."""
