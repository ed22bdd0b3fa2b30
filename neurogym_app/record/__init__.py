"""The session record: its schema, the recorder that writes it, the reader, export (CSV, BIDS) and verify."""
