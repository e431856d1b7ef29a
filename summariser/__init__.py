"""Clean a post's body, summarise it, tag it: `Post` in, `Article` out."""
