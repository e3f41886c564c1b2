"""Each platform's fake server and its own tests, beside the platform's folder in bot/platforms/."""
