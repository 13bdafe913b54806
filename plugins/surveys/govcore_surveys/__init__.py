"""govcore-surveys: user satisfaction surveys (brugertilfredshed) with a baseline and a significance test.

The plugin object is `govcore_surveys.plugin` (entry point ``surveys`` in the group ``govcore``).
"""

__version__ = "0.1.0"
