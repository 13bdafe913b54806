"""govcore-jobindsats: KPIs from Jobindsats (Styrelsen for Arbejdsmarked og Rekruttering).

The plugin object is `govcore_jobindsats.plugin` (entry point ``jobindsats`` in the group ``govcore``).
"""

__version__ = "0.1.0"
