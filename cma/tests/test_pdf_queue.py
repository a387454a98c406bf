"""Report PDFs go to a queue of their own, and a worker started as production starts it (no
``--queues``) consumes both: a backlog of renders never holds a sync or an alert behind it."""

from __future__ import annotations

from config.celery import app


def test_pdf_renders_have_their_own_queue_and_workers_consume_both() -> None:
    assert app.amqp.router.route({}, "cma.render_pdf")["queue"].name == "reports"
    assert app.amqp.router.route({}, "mls_sync.sync")["queue"].name == "celery"
    assert app.amqp.router.route({}, "listings.alerts_on_changed")["queue"].name == "celery"
    assert {q.name for q in app.amqp.queues.consume_from.values()} == {"celery", "reports"}
