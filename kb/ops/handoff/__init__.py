"""Hand-off of contact requests to the shop's helpdesk: e-mail over SMTP and/or a signed JSON webhook.

:mod:`.settings` reads where to deliver (site.yml ``helpdesk:`` and environment),
:mod:`.payload` builds what is delivered, :mod:`.outbox` keeps every delivery
in the database until it went through (at-least-once, retries with
exponential backoff), :mod:`.channels` talks SMTP and HTTP, and
:mod:`.worker` delivers what is due (a thread in ``kb serve``, or
``kb outbox deliver`` from cron). Imports only :mod:`kb.ops.database`.
"""
