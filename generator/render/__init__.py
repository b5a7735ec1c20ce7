"""Rendering: a checked handbook to ``{page path: Markdown}``, and the page files.

Templates and labels come from the project's ``templates/``; every value is escaped
for its format (:mod:`generator.render.escape`); a role's pages are reused while
nothing they read changed (:mod:`generator.render.cache`).
"""
