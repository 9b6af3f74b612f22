"""Moderated exchange: spaces, threads, posts, moderation, pseudonyms and the minutes of exchange sessions."""
