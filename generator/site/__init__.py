"""The site: MkDocs (the only stage that imports it), search, publishing and serving."""
