"""docker's output formats, for the CLI and the notebooks: Go templates (:mod:`.gotemplate`),
Go's JSON marshalling (:mod:`.gojson`), tabwriter tables (:mod:`.tabwriter`, :mod:`.textfmt`)
and the per-command formatters (:mod:`.formatter`).
"""
