"""Shared test support: the persona world and the browser harness."""
