"""The employment minister's yearly national goals (ministermål) as a govcore plugin.

One YAML file per year in ``data/`` (``ministermaal-YYYY.yaml``); adding a year is dropping in a
file. See ``README.md`` for the file format.
"""

from govcore_ministermaal.loader import Announcement, GoalSet, available_years, load_file, load_year

__all__ = ["Announcement", "GoalSet", "available_years", "load_file", "load_year"]
