"""The JSON API. Each version is a package of its own so that v1 can stay frozen while v2 grows."""
