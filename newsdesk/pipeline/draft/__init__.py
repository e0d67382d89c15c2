"""Drafting items in house style from a story's stored articles, and checking every
quote, figure, name and sentence of a draft against those articles.

Modules: `types` (what goes in and out), `sentences` (splitting), `backends` (the
registry), `extractive` (the default backend), `openai_chat` (an OpenAI-compatible
endpoint), `verify` and `lint` (the checks), `writer` (backend + checks + fallback),
`chains` (order and chain suggestions for an issue's items).
"""
