"""Role Handbook: role definitions (YAML) in, an HR handbook (site, PDFs, XLSX) out."""
