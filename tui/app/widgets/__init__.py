"""Reusable widgets: form fields, row tables, the findings list."""
