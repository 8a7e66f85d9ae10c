"""The control: the least a Django site on this machine does for one insert and for one answer
without the database, served exactly like Streetwave (gunicorn, the same worker count, the same
PostgreSQL, persistent connections with health checks). Its rates are the ceilings that the
Streetwave figures are divided by."""
