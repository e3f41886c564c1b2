"""``GET /metrics`` in Prometheus' text format, only with ``METRICS_TOKEN`` set and sent as
``Authorization: Bearer <token>`` (404 unset, 401 wrong). Counts and ages only: no member,
no chat but the publish targets of PUBLISH_TARGETS (public channels and pages).

Each application has its own registry (a test starts many; the global one would mix them).
What the database knows is read at each scrape by a few grouped queries over indexed columns
(outbox status, inbox handled_at, the month's usage row), so every worker reports the same
queue and nothing is kept in memory but this process's count of updates handled."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterator
from datetime import datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from bot.runtime.app import App
from bot.runtime.health import HEALTH, Health, State
from storage import usage
from storage.models import Inbox, Outbox, OutboxKind, OutboxStatus

QUERY_SECONDS = 5.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNSENT = [s.value for s in OutboxStatus if s != OutboxStatus.SENT]
FAILED = (OutboxStatus.FAILED.value, OutboxStatus.NEEDS_CHECK.value)


class Snapshot(Collector):
    """The families of the last scrape, computed before it (the database is async, a
    collector is not)."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


async def gather(app: App, health: Health) -> list[Metric]:
    deps = app.core.deps
    now = deps.clock()
    targets = {f"{platform}:{chat}" for platform, chat in deps.targets}
    handled = CounterMetricFamily(
        "tintot_updates_handled", "Updates handled by this process", labels=["platform"]
    )
    for platform, count in sorted(app.core.handled.items()):
        handled.add_metric([platform], count)
    up = GaugeMetricFamily("tintot_platform_up", "1 while the platform serves", labels=["platform"])
    for name, state in sorted(health.platforms.items()):
        up.add_metric([name], 1.0 if state.state == State.SERVING else 0.0)
    lag = GaugeMetricFamily(
        "tintot_inbox_lag_seconds", "Age of the oldest stored update not yet handled",
        labels=["platform"],
    )  # fmt: skip
    waiting = GaugeMetricFamily(
        "tintot_inbox_waiting", "Stored updates not yet handled", labels=["platform"]
    )
    outbox = GaugeMetricFamily(
        "tintot_outbox_depth", "Outbox rows not sent, by target and status",
        labels=["platform", "kind", "target", "status"],
    )  # fmt: skip
    failures = GaugeMetricFamily(
        "tintot_publish_failures", "Posts that failed or need an editor's check",
        labels=["target"],
    )  # fmt: skip
    sent = GaugeMetricFamily(
        "tintot_messages_sent_month", "Messages sent this month (platform quotas)",
        labels=["platform"],
    )  # fmt: skip
    async with asyncio.timeout(QUERY_SECONDS), app.sessions() as session:
        inbox_rows = await session.exec(
            select(Inbox.platform, func.count(), func.min(Inbox.created_at))
            .where(col(Inbox.handled_at).is_(None))
            .group_by(Inbox.platform)
        )
        for platform, count, oldest in inbox_rows.all():
            waiting.add_metric([platform], float(count))
            lag.add_metric([platform], _age(now, oldest))
        outbox_rows = await session.exec(
            select(Outbox.platform, Outbox.kind, Outbox.chat_id, Outbox.status, func.count())  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
            .where(col(Outbox.status).in_(UNSENT))
            .group_by(Outbox.platform, Outbox.kind, Outbox.chat_id, Outbox.status)
        )
        depth: dict[tuple[str, str, str, str], int] = {}
        failed: dict[str, int] = {}
        for platform, kind, chat, status, count in outbox_rows.all():
            # Only a publish target is named: any other chat is a person or the editors.
            named = f"{platform}:{chat}"
            target = named if kind == OutboxKind.POST and named in targets else ""
            key = (platform, kind, target, status)
            depth[key] = depth.get(key, 0) + count
            if kind == OutboxKind.POST and status in FAILED:
                failed[target or platform] = failed.get(target or platform, 0) + count
        for labels, count in sorted(depth.items()):
            outbox.add_metric(list(labels), float(count))
        for target, count in sorted(failed.items()):
            failures.add_metric([target], float(count))
        for row in await usage.of_month(session, month=usage.month_of(now, deps.tz)):
            sent.add_metric([row.platform], float(row.sent))
    return [handled, up, lag, waiting, outbox, failures, sent]


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite gives naive UTC back
        then = then.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - then).total_seconds())


def add_metrics_route(web_app: web.Application, app: App) -> None:
    token = app.settings.metrics_token
    registry = CollectorRegistry(auto_describe=False)
    snapshot = Snapshot()
    registry.register(snapshot)

    async def metrics(request: web.Request) -> web.Response:
        if token is None:
            raise web.HTTPNotFound
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
        families = await gather(app, web_app.get(HEALTH) or Health())
        snapshot.families = families  # no await from here to the text: one scrape's numbers
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    web_app.router.add_get("/metrics", metrics)
