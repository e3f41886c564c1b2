"""The office's board (/quantri), mounted on the bot's web server with ``add_board_routes``."""

from bot.web.board.routes import add_board_routes

__all__ = ["add_board_routes"]
