"""Jobs: work that outlives its page.

A *job* is a long-running async body (a model's reply) run under a key
(``"reply:{conversation}"``) by an owner of its own, not by the view that asked for it.
Every view that follows the key (a reloaded tab, a second tab, the page after it moved
to another worker) hears what the current run produced so far, then every new part, in
order, with no gap and no duplicate; a cancel from any of them reaches the run.

A view declares one with :func:`actorview.job` (``actorview.declare``), used like an
``async_stream``. This package holds the backends: :class:`LocalJobs` (in-process, the
default, needing nothing) and :class:`RedisJobs` (one owner across the cluster by a
lease in Redis, the parts in a Redis Stream). ``Application(jobs=...)`` chooses;
docs/JOBS.md is the guide.
"""

from actorview.jobs._backend import JobBody, JobEmit, Jobs, check_key
from actorview.jobs._board import Board, Follower
from actorview.jobs._errors import JobError
from actorview.jobs._events import Ended, JobEvent, Outcome, Part, Started
from actorview.jobs._local import LocalJobs
from actorview.jobs._redis import LOST_TEXT, RedisJobs

__all__ = [
    "LOST_TEXT",
    "Board",
    "Ended",
    "Follower",
    "JobBody",
    "JobEmit",
    "JobError",
    "JobEvent",
    "Jobs",
    "LocalJobs",
    "Outcome",
    "Part",
    "RedisJobs",
    "Started",
    "check_key",
]
