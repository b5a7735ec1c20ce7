"""Reading: role files (YAML written by people) to validated ``Role`` objects.

Every value keeps where it was written, so each finding names file, line, column and
field; nothing here knows of checking across roles, rendering or publishing.
"""
