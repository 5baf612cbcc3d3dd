"""Suggestions and network activation (DESIGN.md 5): whom to connect, who introduces them,
whom to activate for a question, and learning from feedback.

Modules: :mod:`.feasibility` (link-prediction score learned from the network's own ties),
:mod:`.context` (per-snapshot building blocks, cached), :mod:`.explain` (feasibility reasons
for many pairs at once), :mod:`.paths` (introducers and chains), :mod:`.suggestions`
(per-actor suggestions), :mod:`.weave` (network weaving), :mod:`.activation` (activation
plans), :mod:`.exclusions` (do-not-suggest and cool-downs), :mod:`.feedback` (decisions,
outcomes, rates), :mod:`.codes` (reason codes and sentences) and :mod:`.service` (the facade
the API and the CLI call).
"""
