"""govcore-budget: budget control per budget area from a finance export (CSV or .xlsx).

The plugin object is `govcore_budget.plugin` (entry point ``budget`` in the group ``govcore``).
"""

__version__ = "0.1.0"
