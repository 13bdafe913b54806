"""govcore-statbank: KPIs from Danmarks Statistik's Statbank API (no key; CC BY 4.0).

The plugin object is `govcore_statbank.plugin` (entry point ``statbank`` in the group ``govcore``).
"""

__version__ = "0.1.0"
