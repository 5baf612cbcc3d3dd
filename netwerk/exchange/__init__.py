"""Import and export: GraphML, GEXF 1.3, node-link and Cytoscape.js JSON, CSV (Gephi),
Kumu workbooks, Pajek; pseudonymised research exports. See :mod:`.export` and :mod:`.service`
for the API."""

from .formats import EXPORT_FORMATS, FORMATS, IMPORT_FORMATS, FormatInfo, export_filename
from .pseudonym import PseudonymKey, PseudonymKeyMissing
from .service import Export, ImportReport, export_network, import_network, load_records

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "IMPORT_FORMATS",
    "Export",
    "FormatInfo",
    "ImportReport",
    "PseudonymKey",
    "PseudonymKeyMissing",
    "export_filename",
    "export_network",
    "import_network",
    "load_records",
]
