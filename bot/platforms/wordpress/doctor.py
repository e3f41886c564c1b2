"""What ``python -m bot doctor`` asks each WordPress site of PUBLISH_TARGETS: who its
application password signs in as (``GET /wp-json/wp/v2/users/me``)."""

from __future__ import annotations

from bot.platforms.protocol import Finding
from bot.platforms.wordpress.client import NeverLeft, WordPressClient, WordPressError
from bot.settings import Settings

NAME = "wordpress"
TIMEOUT = 20.0


async def check(settings: Settings) -> list[Finding]:
    found: list[Finding] = []
    for site in sorted({t.id for t in settings.publish_targets if t.platform == NAME}):
        login = settings.wordpress_credentials[site]
        client = WordPressClient(
            settings.wordpress_sites[site],
            login.user,
            login.password.get_secret_value(),
            timeout=min(TIMEOUT, settings.wordpress_timeout_seconds),
        )
        context: dict[str, object] = {"site": site}
        try:
            me = await client.me()
        except WordPressError as error:
            found.append(
                Finding(False, "wordpress/site_refused", context | {"status": error.status})
            )
        except (NeverLeft, OSError, TimeoutError) as error:
            detail = str(error)[:200] or type(error).__name__
            away = {"platform": NAME, "variable": "WORDPRESS_SITES", "detail": detail}
            found.append(Finding(False, "unreachable", context | away))
        else:
            found.append(
                Finding(True, "wordpress/site_ok", context | {"user": me.get("name") or login.user})
            )
        finally:
            await client.close()
    return found
