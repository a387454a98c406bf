"""Small helpers every app uses: the tenancy context, the JSON error shape, the change-event
channel and the configured MLS sources.

It imports nothing from the project's apps (tests/test_architecture.py checks), so any app can
import it without making a cycle; it is a plain package, not a Django app.
"""
