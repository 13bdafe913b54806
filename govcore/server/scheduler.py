"""The scheduler inside the server: live runs advance to the current time without cron.

Every live run is advanced (through `govcore.store.run.tick`, which takes the run's lock) when
the server starts (a round missed while it was down), once a day at a local time
(Europe/Copenhagen by default, 02:00: after the night's data deliveries, before people start
work), and soon after data arrives for it. Data posted to the API advances its run at once (the
request does it, and tells the scheduler through `written`); data stored by another process
without advancing the run (`govcore observe`) is noticed at the next check — the run's inputs
grew and its clock is behind the current minute — and `data_arrived` lets code in the server
ask for a run to be advanced. `govcore tick` from cron stays possible beside it: both take the
same lock, and whoever comes second finds nothing due. Several servers on one PostgreSQL each
run this scheduler; the run's lock lets one advance it at a time, and the others then find
nothing due.

One municipality's failure — a configuration that no longer loads, a plugin that raises — is
logged with the municipality, the run and the reason, kept in `status` and does not keep the
other runs from advancing.

Time comes from the `clock` parameter, and the loop waits on an event rather than sleeping: it
looks at the clock every `check_every` seconds (and when woken), so tests drive it with `step()`
and a fake clock, or a server process with a clock file and a short check interval.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from govcore.config import Configuration
from govcore.store.configs import live_runs, stored_configuration
from govcore.store.db import Database
from govcore.store.run import tick
from govcore.store.tables import Run, table

log = logging.getLogger("govcore.scheduler")

Clock = Callable[[], dt.datetime]
Loader = Callable[[str, str], Configuration]
RunList = Callable[[], Sequence[tuple[str, str]]]
Progress = Mapping[tuple[str, str], tuple[int, str]]
"""Each live run's stored inputs (observations and responses) and clock, by (municipality, start)."""
RUN = table(Run)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Outcome:
    """What the last attempt to advance one run did: `error` is None when it went well."""

    municipality: str
    start: str
    at: str  # when the scheduler tried (ISO, with offset)
    reason: str  # "start", "daily" or "data"
    events: int = 0
    clock: str | None = None  # the run's clock afterwards
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Scheduler:
    """Advances live runs daily at `daily_at` (local time in `zone`) and when data arrives.

    db: the store; load(municipality, start): a run's configuration (default: the configuration
    stored with the run, `govcore.store.configs.stored_configuration`); runs(): the live runs as
    (municipality, start) pairs, asked anew each time so that a run added meanwhile is included
    (default: `govcore.store.configs.live_runs`). `start()` runs the loop in a thread, `stop()` ends it;
    `step()` does what is due now and returns what it did (what the thread does each time it wakes).
    on_outcome: called with each run's outcome as it is known (to record it elsewhere as well).
    check_every: the longest the loop waits before it looks at the clock and the runs' progress
    again (seconds). progress(): the live runs' inputs and clocks (default: read from the run table).
    """

    def __init__(self, db: Database, load: Loader | None = None, runs: RunList | None = None, *,
                 daily_at: dt.time = dt.time(2, 0),
                 zone: str = "Europe/Copenhagen", clock: Clock = utc_now,
                 on_outcome: Callable[[Outcome], None] | None = None, check_every: float = 60.0,
                 progress: Callable[[], Progress] | None = None) -> None:
        self.db, self.clock = db, clock
        self.load: Loader = load or (lambda municipality, start: stored_configuration(db, municipality, start))
        self.runs: RunList = runs or (lambda: live_runs(db))
        self.progress: Callable[[], Progress] = progress or (lambda: stored_progress(db))
        self.on_outcome = on_outcome
        self.daily_at = daily_at
        if check_every <= 0:
            raise ValueError("the scheduler's check interval must be above 0 seconds")
        self.check_every = check_every
        self._seen: Progress | None = None  # the runs' progress at the previous check
        self.zone = zoneinfo.ZoneInfo(zone)
        self.status: dict[tuple[str, str], Outcome] = {}
        self._pending: dict[tuple[str, str | None], None] = {}  # runs with new data, in arrival order
        self._guard = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.next_daily = self.daily_after(self._now())

    def _now(self) -> dt.datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the scheduler's clock must give aware datetimes")
        return now.astimezone(self.zone)

    def daily_after(self, moment: dt.datetime) -> dt.datetime:
        """The first daily round strictly after `moment`, at `daily_at` local time (a local time
        that does not exist on the day daylight saving starts is taken an hour later)."""
        local = moment.astimezone(self.zone)
        day = local.date()
        while True:
            at = dt.datetime.combine(day, self.daily_at, tzinfo=self.zone)
            at = at.astimezone(dt.UTC).astimezone(self.zone)  # normalise a non-existent local time
            if at > local:
                return at
            day += dt.timedelta(days=1)

    # ------------------------------------------------------------------------------- triggers

    def data_arrived(self, municipality: str, start: str | None = None) -> None:
        """New data for a municipality (one run, or every live run of it when `start` is None):
        advance it at the next `step`, and wake the thread."""
        with self._guard:
            self._pending[(municipality, start)] = None
        self._wake.set()

    def written(self, municipality: str, start: str) -> None:
        """This server advanced the run to now with new data (an API request): what the run holds
        now is no news to the next check."""
        try:
            row = self.progress().get((municipality, start))
        except Exception:  # the request succeeded; at worst the next check advances the run once more
            return
        with self._guard:
            if self._seen is not None and row is not None:
                self._seen = {**self._seen, (municipality, start): row}

    def _arrived(self, now: dt.datetime) -> list[tuple[str, str | None]]:
        """The runs whose inputs grew since the previous check and whose clock is behind the
        current minute: data stored by a process that did not advance the run to now (the first
        check only looks)."""
        current = dict(self.progress())
        with self._guard:
            before, self._seen = self._seen, current
        if before is None:
            return []
        minute = now.replace(second=0, microsecond=0)
        return [(m, s) for (m, s), (inputs, clock) in sorted(current.items())
                if (m, s) in before and inputs > before[(m, s)][0] and dt.datetime.fromisoformat(clock) < minute]

    def step(self) -> list[Outcome]:
        """Advance the runs that are due now: every live run when the daily time has come, else
        the runs with new data. Returns one outcome per run attempted."""
        now = self._now()
        with self._guard:
            pending, self._pending = list(self._pending), {}
            self._wake.clear()
        try:
            pending += self._arrived(now)
        except Exception as err:  # a database that is away now: the next check looks again
            log.error("could not read the live runs' progress: %s", str(err).splitlines()[0] if str(err) else err)
        if now >= self.next_daily:
            self.next_daily = self.daily_after(now)
            done = self.advance_all(now, "daily")
            self._remember()
            return done
        if not pending:
            return []
        live = list(self.runs())
        wanted = [(m, s) for m, s in live if (m, s) in pending or (m, None) in pending]
        done = [self._advance(m, s, now, "data") for m, s in wanted]
        self._remember()
        return done

    def _remember(self) -> None:
        """Take the runs' progress after the scheduler's own advancing as the new baseline."""
        with contextlib.suppress(Exception):  # a failure is reported by the next check, which reads it again
            current = dict(self.progress())
            with self._guard:
                self._seen = current

    def advance_all(self, now: dt.datetime | None = None, reason: str = "daily") -> list[Outcome]:
        """Advance every live run to `now` (default: the clock), one after the other."""
        at = now or self._now()
        try:
            runs = list(self.runs())
        except Exception as err:  # the database is away: the next round tries again
            log.error("could not list the live runs (%s): %s", reason, str(err).splitlines()[0] if str(err) else err)
            return []
        return [self._advance(m, s, at, reason) for m, s in runs]

    def _advance(self, municipality: str, start: str, now: dt.datetime, reason: str) -> Outcome:
        try:
            cfg = self.load(municipality, start)
            result = tick(cfg, self.db, now=now, start=dt.date.fromisoformat(start))
            outcome = Outcome(municipality, start, now.isoformat(), reason, len(result.events), result.clock)
            log.info("advanced municipality %s run %s to %s (%s): %d events", municipality, start,
                     result.clock, reason, outcome.events)
        except Exception as err:  # one municipality's failure must not stop the others
            text = f"{type(err).__name__}: {err}" if not str(err).strip() else str(err)
            outcome = Outcome(municipality, start, now.isoformat(), reason, error=text.splitlines()[0])
            log.error("could not advance municipality %s run %s (%s): %s", municipality, start, reason,
                      outcome.error)
        self.status[(municipality, start)] = outcome
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    def failures(self) -> list[Outcome]:
        """The runs whose last attempt failed (for the server's health page and the log)."""
        return [o for _, o in sorted(self.status.items()) if not o.ok]

    # ------------------------------------------------------------------------------- the loop

    def start(self, *, catch_up: bool = False) -> None:
        """Run the loop in a daemon thread until `stop()`; with `catch_up`, it first advances every
        live run to now (reason "start": what was missed while no server ran)."""
        if self._thread is not None:
            raise RuntimeError("the scheduler is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(catch_up,), name="govcore-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """End the loop (a run being advanced is finished first: each item is committed anyway)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self, catch_up: bool) -> None:
        if catch_up and not self._stop.is_set():
            try:
                self.advance_all(reason="start")
            except Exception:  # the clock failed: the daily round and data arrival still come
                log.exception("the scheduler's round at start failed")
        self._remember()
        while not self._stop.is_set():
            wait = self.check_every
            try:
                self.step()
                wait = min(max((self.next_daily - self._now()).total_seconds(), 0.0), self.check_every)
            except Exception:  # the loop must outlive a failing round or clock (a database restart, say)
                log.exception("the scheduler's round failed; it tries again in %g s", self.check_every)
            # Woken early by data_arrived or stop; it looks again every check_every seconds for
            # data stored by other processes, and so that a clock change (suspend, NTP) cannot
            # make the daily round wait much too long.
            self._wake.wait(timeout=wait)


def stored_progress(db: Database) -> dict[tuple[str, str], tuple[int, str]]:
    """Every live run's number of stored inputs and its clock, from the run table (none in a
    database that has no tables yet)."""

    def work(conn: sa.Connection) -> dict[tuple[str, str], tuple[int, str]]:
        if not sa.inspect(conn).has_table(RUN.name):
            return {}
        q = sa.select(RUN.c.municipality, RUN.c.start, RUN.c.inputs, RUN.c.clock).where(
            RUN.c.live.is_(True), RUN.c.complete.is_(False))
        return {(str(r.municipality), str(r.start)): (int(r.inputs), str(r.clock)) for r in conn.execute(q)}

    return db.read(work)


__all__ = ["Outcome", "Scheduler", "stored_progress"]
