"""Operating tools that run outside the web process (``python -m ops.<tool>``)."""
