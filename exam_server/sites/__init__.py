"""Sites and a hub (CONTRACT section 6): a site runs its halls alone and sends everything to the hub.

- ``role``: the server's role, chosen once at ``init``.
- ``envelope``: signing and checking link messages (pure).
- ``outbox``: the site's durable queue of attempt events, written with each event.
- ``hub``: what the hub does (sites, enrollment, ingest, commands).
- ``site``: what a site does (enroll, sync, carry out commands).
- ``web``: the hub's ``/api/v1/link/...`` endpoints.
"""
