"""Version 1 of the JSON API, served under /api/v1/ (no language prefix; Accept-Language picks
the language of texts and error messages)."""
