"""Stop-word and noise-word lists, one folded word a line (package data)."""
