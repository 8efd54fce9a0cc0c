"""The versioned REST API (django-ninja): assembly, auth, errors, idempotency, pagination.

Resource routers live in each app's `api.py`; this package only wires them up.
"""
