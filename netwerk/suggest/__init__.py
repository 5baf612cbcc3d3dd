"""Suggestions and network activation (DESIGN.md 5): whom to connect, who introduces them,
whom to activate for a question, and learning from feedback.

Modules: :mod:`.linkpred` (the classical link-prediction indices, pure), :mod:`.feasibility`
(link-prediction score learned from the network's own ties, with reasons for many pairs at
once), :mod:`.context` (per-snapshot building blocks, cached), :mod:`.value` (the value
terms and the score), :mod:`.paths` (introducers and chains), :mod:`.suggestions`
(per-actor suggestions), :mod:`.efficiency` (global efficiency and its change),
:mod:`.weave` (network weaving), :mod:`.activation` (activation plans), :mod:`.learning`
(weights learned from outcomes), :mod:`.impressions` (what was shown), :mod:`.exclusions`
(do-not-suggest and cool-downs), :mod:`.feedback` (decisions, outcomes, rates),
:mod:`.codes` (reason codes and sentences) and :mod:`.service` (the facade the API and the
CLI call).
"""
