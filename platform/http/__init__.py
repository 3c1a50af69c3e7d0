"""The web shell: errors, languages, logs, health, and the base layout."""
