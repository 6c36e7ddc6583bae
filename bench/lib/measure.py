"""measure.py — runs commands and measures them: wall time, CPU time (user +
system, from wait4, so it counts every thread and every child the command
waited for) and peak RSS. Commands are compared pair by pair: ours and the
anchor alternate within each repetition, and each ratio is taken within one
pair, so a machine that slows down for a while slows both sides of a pair."""

import os
import statistics
import time
from dataclasses import dataclass, field


class CommandFailed(RuntimeError):
    pass


@dataclass
class Sample:
    wall_ms: float
    cpu_ms: float
    rss_kib: int


def _spawn(argv, err_path, env):
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    return os.posix_spawnp(argv[0], argv, env or os.environ, file_actions=actions)


def run(commands, ok_codes=(0,), env=None, err_path="/tmp/aw-bench-stderr"):
    """Runs one command (a list of arguments) or several one after another (a
    list of lists). Wall and CPU times add up; RSS is the largest."""
    if isinstance(commands[0], str):
        commands = [commands]
    total = Sample(0.0, 0.0, 0)
    for argv in commands:
        start = time.perf_counter()
        pid = _spawn([str(a) for a in argv], err_path, env)
        _, status, usage = os.wait4(pid, 0)
        wall = (time.perf_counter() - start) * 1000
        code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            with open(err_path, errors="replace") as f:
                raise CommandFailed(f"{' '.join(map(str, argv))}: exit {code}\n{f.read()[-2000:]}")
        total.wall_ms += wall
        total.cpu_ms += (usage.ru_utime + usage.ru_stime) * 1000
        total.rss_kib = max(total.rss_kib, usage.ru_maxrss)
    return total


def spread(values):
    """Median and range of a list of numbers, as a dict."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


@dataclass
class Pair:
    ours: list = field(default_factory=list)
    anchor: list = field(default_factory=list)
    ours_job_cpu_ms: list = field(default_factory=list)  # the pipeline's own CPU, each run

    def ratios(self, what, ours_offset=0.0, anchor_offset=0.0):
        """Ratio ours/anchor of each pair; the offsets (a start-up time) are
        taken off each side first."""
        return [(getattr(o, what) - ours_offset) / (getattr(a, what) - anchor_offset)
                for o, a in zip(self.ours, self.anchor)]


def paired(ours, anchor, runs, warmup=1, ok_ours=(0,), ok_anchor=(0,), job_cpu=None):
    """Runs ours and the anchor `runs` times each after `warmup` rounds,
    alternating which goes first. job_cpu(), if given, reads the pipeline's
    own CPU time after each of our runs."""
    for _ in range(warmup):
        run(ours, ok_ours)
        run(anchor, ok_anchor)
    pair = Pair()
    for i in range(runs):
        if i % 2 == 1:
            pair.anchor.append(run(anchor, ok_anchor))
        pair.ours.append(run(ours, ok_ours))
        if job_cpu is not None:
            pair.ours_job_cpu_ms.append(job_cpu())
        if i % 2 == 0:
            pair.anchor.append(run(anchor, ok_anchor))
    return pair


def repeated(command, runs, warmup=1, ok=(0,)):
    for _ in range(warmup):
        run(command, ok)
    return [run(command, ok) for _ in range(runs)]


def summary(samples):
    return {
        "wall_ms": spread([s.wall_ms for s in samples]),
        "cpu_ms": spread([s.cpu_ms for s in samples]),
        "peak_rss_kib": spread([s.rss_kib for s in samples]),
    }
