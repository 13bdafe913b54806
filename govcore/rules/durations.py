"""Durations as administrators write them: '10 working days', '14 days', '2 weeks', '1 month'."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, Protocol

from govcore.i18n import _, ngettext

_DURATION = re.compile(
    r"^\s*(\d{1,3})\s+(working days?|business days?|arbejdsdage?|days?|dage?|weeks?|uger?|months?|måneder?)\s*$",
    re.IGNORECASE,
)
Unit = Literal["working_days", "days", "weeks", "months"]


class WorkingDays(Protocol):
    def add_working_days(self, d: dt.date, n: int) -> dt.date: ...



class DurationError(ValueError):
    """Text that is no duration ('10 working days', '2 uger')."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: object) -> Duration:
        m = _DURATION.match(str(text))
        if not m:
            raise DurationError(
                _("'{value}' is not a duration; write e.g. '10 working days', '14 days', '2 weeks' or '1 month'")
                .format(value=text))
        word = m.group(2).lower()
        unit: Unit
        if word.startswith(("working", "business", "arbejds")):
            unit = "working_days"
        elif word.startswith(("day", "dag")):
            unit = "days"
        elif word.startswith(("week", "uge")):
            unit = "weeks"
        else:
            unit = "months"
        return cls(int(m.group(1)), unit)

    def after(self, day: dt.date, calendar: WorkingDays) -> dt.date:
        """The due date this long after `day`; calendar durations land on a working day."""
        if self.unit == "working_days":
            return calendar.add_working_days(day, self.amount)
        if self.unit == "days":
            end = day + dt.timedelta(days=self.amount)
        elif self.unit == "weeks":
            end = day + dt.timedelta(weeks=self.amount)
        else:
            month = day.month - 1 + self.amount
            year = day.year + month // 12
            month = month % 12 + 1
            last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
            end = dt.date(year, month, min(day.day, last))
        return calendar.add_working_days(end - dt.timedelta(days=1), 1)

    def __str__(self) -> str:
        """'5 working days' in the reader's language ('5 arbejdsdage'): for reading only — what is
        recorded keeps the text the rule file wrote."""
        n = self.amount
        if self.unit == "working_days":
            return ngettext("{n} working day", "{n} working days", n).format(n=n)
        if self.unit == "days":
            return ngettext("{n} day", "{n} days", n).format(n=n)
        if self.unit == "weeks":
            return ngettext("{n} week", "{n} weeks", n).format(n=n)
        return ngettext("{n} month", "{n} months", n).format(n=n)
