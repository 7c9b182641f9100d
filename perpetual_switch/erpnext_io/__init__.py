"""The only code that reads ERPNext tables and writes ERPNext documents."""
