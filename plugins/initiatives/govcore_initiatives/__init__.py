"""govcore-initiatives: initiatives (indsatser) with business cases, effektøkonomi and flows.

The plugin object is `govcore_initiatives.plugin` (entry point ``initiatives`` in the group ``govcore``).
"""

__version__ = "0.1.0"
