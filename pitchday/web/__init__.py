"""Blueprints per audience: live screens (pages) and the organiser area."""
