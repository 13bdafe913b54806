"""The plugin's messages in the reader's language: English ids in the code, Danish from the plugin's own
catalog (locale/da/LC_MESSAGES/govcore_surveys.po beside this file), the language govcore's reader chose
(`--lang`, `GOVCORE_LANG`, the browser). See docs/plugins.md."""

from __future__ import annotations

from pathlib import Path

from govcore import N_, translations

MESSAGES = translations("govcore_surveys", Path(__file__).resolve().parent / "locale")
_ = MESSAGES.gettext
ngettext = MESSAGES.ngettext

__all__ = ["N_", "_", "ngettext"]
