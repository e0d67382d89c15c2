"""What an article says: the places it is about, its quotations with speakers, its figures.

Places: `countries` (ISO country and region names, `place_code`, `is_place`,
`display_name`), `gazetteer` (the `Gazetteer` of data/gazetteer.tsv and its
matcher), `places` (mentions and per-place evidence), `place_model` (which
places an article is about), `place_training` (learning that model),
`reuters_places` (Reuters-21578 codes). Quotes: `quotes` (`find_quotes`,
`verify_quote`) over `quote_spans`, `quote_speakers` and `speaker_names`.
Figures: `figures` (`find_figures`, `verify_figure`) with `figure_words`.
"""
