"""Label collections built once at import and read in the reader's language.

A module-level table of labels (a goal status → its words, the months) cannot hold translated text:
it is built before anyone chooses a language, and the server answers readers in different languages
from one process. These collections keep the English message ids (marked with `N_`) and translate
each label when it is read, so code that indexes them (`STATUS_LABELS[status]`, `MONTHS[m]`) gets the
reader's words without knowing about languages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import overload

from govcore.i18n import N_, _

__all__ = ["MONTHS", "Labels", "Words"]


class Labels(Mapping[str, str]):
    """Labels by key (English message ids), each translated when it is read."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)

    def __getitem__(self, key: str) -> str:
        return _(self._labels[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


class Words(Sequence[str]):
    """A fixed sequence of words (the months), each translated when it is read."""

    def __init__(self, words: Sequence[str]) -> None:
        self._words = tuple(words)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return tuple(_(w) for w in self._words[index])
        return _(self._words[index])

    def __len__(self) -> int:
        return len(self._words)


MONTHS = Words((N_("january"), N_("february"), N_("march"), N_("april"), N_("may"), N_("june"), N_("july"),
                N_("august"), N_("september"), N_("october"), N_("november"), N_("december")))
