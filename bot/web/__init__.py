"""The bot's web site: the public archive, the office's board and the media, on one server."""
