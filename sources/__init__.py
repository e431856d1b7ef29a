"""Watchers that turn Jekyll folders, git repositories and feeds into `Post`s."""
