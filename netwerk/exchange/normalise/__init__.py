"""From raw rows of any file format to validated actor and tie columns.

Readers yield :class:`Header`, :class:`RawActor` and :class:`RawTie` items with the file's own
column names and values. :class:`Builder` maps columns to fields (explicit ``mapping`` first,
then the aliases below, case-insensitive), validates every value with the rules of
:mod:`netwerk.model`, and collects *every* error with its row or line (the first
:data:`MAX_ERRORS` are listed, the rest counted) instead of stopping at the first.

Actor kinds accept common synonyms (English and Dutch), so spreadsheets from Kumu or a
broker's own Excel import without editing:

========================  ==================================================================
kind                      also accepted (case-insensitive, ``_``/``-``/space alike)
========================  ==================================================================
``resident``              person, persoon, bewoner, buurtbewoner, inwoner, people, individual
``key_figure``            key figure, sleutelfiguur, sleutelpersoon
``professional``          hulpverlener, medewerker, staff, employee, social worker, ...
``organisation``          organization, organisatie, instelling, company, bedrijf, agency, ...
``initiative``            initiatief, bewonersinitiatief, project, group, groep, activity, ...
``place``                 plek, plaats, locatie, location, venue, buurthuis, meeting place
========================  ==================================================================

Kumu's default element type ``Person`` becomes ``resident``: the most protected kind
(consent ``unknown`` unless the file says otherwise). Anything else is an error naming the row.

The package, by seam: :mod:`.items` (what readers yield, the error list), :mod:`.vocab`
(synonyms and column aliases), :mod:`.values` (reading one cell), :mod:`.builder` (columns to
fields), :mod:`.actor_rows` and :mod:`.tie_rows` (one row each).
"""

from __future__ import annotations

from .builder import Builder, ImportData
from .items import MAX_ERRORS, ErrorList, Header, Item, RawActor, RawError, RawTie
from .values import infer_scalar
from .vocab import ACTOR_KIND_SYNONYMS, MAPPING_FIELDS, TIE_KIND_SYNONYMS, _norm

__all__ = [
    "ACTOR_KIND_SYNONYMS",
    "MAPPING_FIELDS",
    "MAX_ERRORS",
    "TIE_KIND_SYNONYMS",
    "Builder",
    "ErrorList",
    "Header",
    "ImportData",
    "Item",
    "RawActor",
    "RawError",
    "RawTie",
    "_norm",
    "infer_scalar",
]
