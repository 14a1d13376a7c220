"""The database: its handle, the schema (`models`), the migrations, and the demo centre's data."""
